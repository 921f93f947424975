/** Rules over Google Cloud resources (`@pulumi/gcp` type tokens). */
import { ANYWHERE, at, list, plainSecretEnv, portSpecIncludes, record, ruleBook, show } from "../util";
import type { PolicyResource, Rule } from "../types";

const { resource } = ruleBook("gcp");

const BUCKET = "gcp:storage/bucket:Bucket";
const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const FIREWALL = "gcp:compute/firewall:Firewall";
const INSTANCE = "gcp:compute/instance:Instance";
const GKE = "gcp:container/cluster:Cluster";
const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);
const BUCKET_IAM = ["gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding"];
const PROJECT_IAM = ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"];

/** The members an IAM member or binding grants to. */
const members = (r: PolicyResource) => [r.inputs["member"], ...list(r.inputs["members"])].filter((m) => typeof m === "string") as string[];

/** Ports of an ingress firewall rule from the internet that include `port` (any port when undefined). */
function openIngress(r: PolicyResource, port?: number): boolean {
  if ((r.inputs["direction"] ?? "INGRESS") !== "INGRESS" || r.inputs["disabled"] === true) return false;
  if (!list(r.inputs["sourceRanges"]).some((c) => ANYWHERE.has(String(c)))) return false;
  return list(r.inputs["allows"])
    .map(record)
    .some((a) => {
      const ports = list(a["ports"]);
      // No ports means every port of the protocol; ICMP has none to open.
      const everyPort = a["protocol"] === "all" || (ports.length === 0 && a["protocol"] !== "icmp");
      if (port === undefined) return everyPort;
      return everyPort ? a["protocol"] !== "udp" : ports.some((p) => portSpecIncludes(p, port));
    });
}

function firewallPortRule(id: string, port: number, service: string, references: readonly string[]): Rule {
  return resource(
    {
      id,
      title: `No firewall rule allows ${service} (port ${port}) from the internet`,
      severity: "mandatory",
      remediation: `Allow ${service} only from known ranges, or use IAP TCP forwarding (35.235.240.0/20).`,
      references,
      types: [FIREWALL],
    },
    (r) => (openIngress(r, port) ? `0.0.0.0/0 may reach port ${port}` : undefined),
  );
}

const settings = (r: PolicyResource, path: string) => at(r.inputs, `settings.${path}`);

const storage: Rule[] = [
  resource(
    {
      id: "PC-GCP-GCS-001",
      title: "Buckets use uniform bucket-level access",
      severity: "mandatory",
      remediation: "Set uniformBucketLevelAccess: true.",
      references: ["CKV_GCP_29", "AVD-GCP-0002"],
      types: [BUCKET],
    },
    (r) => (r.inputs["uniformBucketLevelAccess"] === true ? undefined : `uniformBucketLevelAccess is ${show(r.inputs["uniformBucketLevelAccess"])}`),
  ),
  resource(
    {
      id: "PC-GCP-GCS-002",
      title: "Buckets enforce public access prevention",
      severity: "advisory",
      remediation: 'Set publicAccessPrevention: "enforced".',
      references: ["CKV_GCP_114"],
      types: [BUCKET],
    },
    (r) => (r.inputs["publicAccessPrevention"] === "enforced" ? undefined : `publicAccessPrevention is ${show(r.inputs["publicAccessPrevention"])}`),
  ),
  resource(
    {
      id: "PC-GCP-GCS-003",
      title: "Buckets keep object versions",
      severity: "advisory",
      remediation: "Set versioning { enabled: true }.",
      references: ["CKV_GCP_78", "AVD-GCP-0078"],
      types: [BUCKET],
    },
    (r) => (at(r.inputs, "versioning.enabled") === true ? undefined : "versioning is not enabled"),
  ),
  resource(
    {
      id: "PC-GCP-GCS-004",
      title: "Buckets log access",
      severity: "advisory",
      remediation: "Set logging { logBucket } (or rely on Data Access audit logs for storage.googleapis.com).",
      references: ["CKV_GCP_62", "AVD-GCP-0077"],
      types: [BUCKET],
    },
    (r) => (at(r.inputs, "logging.logBucket") === undefined ? "logging.logBucket is unset" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-GCS-005",
      title: "Buckets are encrypted with a customer-managed key",
      severity: "advisory",
      remediation: "Set encryption { defaultKmsKeyName } to a Cloud KMS key.",
      references: ["AVD-GCP-0066"],
      types: [BUCKET],
    },
    (r) => (at(r.inputs, "encryption.defaultKmsKeyName") === undefined ? "encryption.defaultKmsKeyName is unset" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-GCS-006",
      title: "Buckets are not readable by allUsers or allAuthenticatedUsers",
      severity: "mandatory",
      remediation: "Grant bucket roles to named principals; serve public content through a load balancer with Cloud CDN instead.",
      references: ["CKV_GCP_28", "AVD-GCP-0001"],
      types: BUCKET_IAM,
    },
    (r) => {
      const open = members(r).filter((m) => PUBLIC_MEMBERS.has(m));
      return open.length === 0 ? undefined : `grants ${show(r.inputs["role"])} to ${open.join(", ")}`;
    },
  ),
];

const sql: Rule[] = [
  resource(
    {
      id: "PC-GCP-SQL-001",
      title: "Cloud SQL is not open to the world",
      severity: "mandatory",
      remediation: "Remove 0.0.0.0/0 from settings.ipConfiguration.authorizedNetworks; connect through private IP or the Cloud SQL Auth Proxy.",
      references: ["CKV_GCP_11", "AVD-GCP-0017"],
      types: [SQL],
    },
    (r) => (list(settings(r, "ipConfiguration.authorizedNetworks")).some((n) => ANYWHERE.has(String(at(n, "value")))) ? "an authorized network is 0.0.0.0/0" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-SQL-002",
      title: "Cloud SQL requires TLS",
      severity: "mandatory",
      remediation: 'Set settings.ipConfiguration.sslMode: "ENCRYPTED_ONLY" (or "TRUSTED_CLIENT_CERTIFICATE_REQUIRED").',
      references: ["CKV_GCP_6", "AVD-GCP-0015"],
      types: [SQL],
    },
    (r) => {
      const mode = settings(r, "ipConfiguration.sslMode");
      return mode === "ENCRYPTED_ONLY" || mode === "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" ? undefined : `settings.ipConfiguration.sslMode is ${show(mode)}`;
    },
  ),
  resource(
    {
      id: "PC-GCP-SQL-003",
      title: "Cloud SQL has automated backups",
      severity: "advisory",
      remediation: "Set settings.backupConfiguration { enabled: true, pointInTimeRecoveryEnabled: true }.",
      references: ["CKV_GCP_14", "AVD-GCP-0024"],
      types: [SQL],
    },
    (r) => (settings(r, "backupConfiguration.enabled") === true ? undefined : "settings.backupConfiguration.enabled is not true"),
  ),
  resource(
    {
      id: "PC-GCP-SQL-004",
      title: "Cloud SQL has no public IP",
      severity: "advisory",
      remediation: "Set settings.ipConfiguration.ipv4Enabled: false and a privateNetwork.",
      references: ["CKV_GCP_60"],
      types: [SQL],
    },
    (r) => (settings(r, "ipConfiguration.ipv4Enabled") === false ? undefined : "settings.ipConfiguration.ipv4Enabled is not false"),
  ),
  resource(
    {
      id: "PC-GCP-SQL-005",
      title: "Cloud SQL is regional (highly available)",
      severity: "advisory",
      remediation: 'Set settings.availabilityType: "REGIONAL" in production.',
      references: [],
      types: [SQL],
    },
    (r) => (settings(r, "availabilityType") === "REGIONAL" ? undefined : `settings.availabilityType is ${show(settings(r, "availabilityType"))}`),
  ),
  resource(
    {
      id: "PC-GCP-SQL-006",
      title: "Cloud SQL PostgreSQL logs connections",
      severity: "advisory",
      remediation: 'Add the database flag log_connections = "on".',
      references: ["AVD-GCP-0016"],
      types: [SQL],
    },
    (r) => {
      if (!String(r.inputs["databaseVersion"] ?? "").startsWith("POSTGRES")) return undefined;
      return list(settings(r, "databaseFlags")).some((f) => at(f, "name") === "log_connections" && at(f, "value") === "on") ? undefined : "the log_connections flag is not on";
    },
  ),
  resource(
    {
      id: "PC-GCP-REDIS-001",
      title: "Memorystore for Redis requires AUTH",
      severity: "advisory",
      remediation: "Set authEnabled: true.",
      references: ["CKV_GCP_95"],
      types: ["gcp:redis/instance:Instance"],
    },
    (r) => (r.inputs["authEnabled"] === true ? undefined : "authEnabled is not true"),
  ),
  resource(
    {
      id: "PC-GCP-REDIS-002",
      title: "Memorystore for Redis encrypts traffic",
      severity: "mandatory",
      remediation: 'Set transitEncryptionMode: "SERVER_AUTHENTICATION".',
      references: ["CKV_GCP_97"],
      types: ["gcp:redis/instance:Instance"],
    },
    (r) => (r.inputs["transitEncryptionMode"] === "SERVER_AUTHENTICATION" ? undefined : `transitEncryptionMode is ${show(r.inputs["transitEncryptionMode"])}`),
  ),
];

const network: Rule[] = [
  firewallPortRule("PC-GCP-NET-001", 22, "SSH", ["CKV_GCP_2", "AVD-GCP-0027", "AVD-GCP-0071"]),
  firewallPortRule("PC-GCP-NET-002", 3389, "RDP", ["CKV_GCP_3", "AVD-GCP-0027", "AVD-GCP-0070"]),
  resource(
    {
      id: "PC-GCP-NET-003",
      title: "No firewall rule allows all ports from the internet",
      severity: "mandatory",
      remediation: "Allow only the ports the workload serves.",
      references: ["AVD-GCP-0027", "AVD-GCP-0072"],
      types: [FIREWALL],
    },
    (r) => (openIngress(r) ? "0.0.0.0/0 may reach every port" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-NET-004",
      title: "Subnetworks have flow logs",
      severity: "advisory",
      remediation: "Set logConfig { aggregationInterval, flowSampling, metadata }.",
      references: ["CKV_GCP_26", "AVD-GCP-0029", "AVD-GCP-0076"],
      types: ["gcp:compute/subnetwork:Subnetwork"],
    },
    (r) => (r.inputs["purpose"] !== undefined && r.inputs["purpose"] !== "PRIVATE" ? undefined : r.inputs["logConfig"] === undefined ? "logConfig is unset" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-NET-005",
      title: "Subnetworks have Private Google Access",
      severity: "advisory",
      remediation: "Set privateIpGoogleAccess: true.",
      references: ["CKV_GCP_74", "AVD-GCP-0075"],
      types: ["gcp:compute/subnetwork:Subnetwork"],
    },
    (r) => (r.inputs["purpose"] !== undefined && r.inputs["purpose"] !== "PRIVATE" ? undefined : r.inputs["privateIpGoogleAccess"] === true ? undefined : "privateIpGoogleAccess is not true"),
  ),
  resource(
    {
      id: "PC-GCP-LB-001",
      title: "SSL policies require TLS 1.2",
      severity: "mandatory",
      remediation: 'Set minTlsVersion: "TLS_1_2" and profile "MODERN" or "RESTRICTED".',
      references: ["AVD-GCP-0039"],
      types: ["gcp:compute/sSLPolicy:SSLPolicy", "gcp:compute/regionSslPolicy:RegionSslPolicy"],
    },
    (r) => (["TLS_1_2", "TLS_1_3"].includes(String(r.inputs["minTlsVersion"])) ? undefined : `minTlsVersion is ${show(r.inputs["minTlsVersion"] ?? "TLS_1_0")}`),
  ),
  resource(
    {
      id: "PC-GCP-LB-002",
      title: "HTTPS proxies name an SSL policy",
      severity: "advisory",
      remediation: "Set sslPolicy to a policy with minTlsVersion TLS_1_2 (the default policy allows TLS 1.0).",
      references: ["AVD-GCP-0039"],
      types: ["gcp:compute/targetHttpsProxy:TargetHttpsProxy"],
    },
    (r) => (r.inputs["sslPolicy"] === undefined ? "sslPolicy is unset" : undefined),
  ),
];

const compute: Rule[] = [
  resource(
    {
      id: "PC-GCP-VM-001",
      title: "Instances disable serial port access",
      severity: "advisory",
      remediation: 'Remove metadata "serial-port-enable" or set it to "false".',
      references: ["CKV_GCP_35", "AVD-GCP-0032"],
      types: [INSTANCE],
    },
    (r) => (["true", "1", true].includes(record(r.inputs["metadata"])["serial-port-enable"] as string) ? "serial-port-enable is on" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-VM-002",
      title: "Instances are Shielded VMs",
      severity: "advisory",
      remediation: "Set shieldedInstanceConfig { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true }.",
      references: ["CKV_GCP_39", "AVD-GCP-0067"],
      types: [INSTANCE],
    },
    (r) => (at(r.inputs, "shieldedInstanceConfig.enableSecureBoot") === true ? undefined : "shieldedInstanceConfig.enableSecureBoot is not true"),
  ),
  resource(
    {
      id: "PC-GCP-VM-003",
      title: "Instances do not use the default service account",
      severity: "advisory",
      remediation: "Create a dedicated service account with the roles the VM needs and set serviceAccount.email.",
      references: ["CKV_GCP_30", "AVD-GCP-0044"],
      types: [INSTANCE],
    },
    (r) => {
      const email = at(r.inputs, "serviceAccount.email");
      return email === undefined || String(email).endsWith("-compute@developer.gserviceaccount.com") ? "the default compute service account is used" : undefined;
    },
  ),
  resource(
    {
      id: "PC-GCP-VM-004",
      title: "Instances block project-wide SSH keys",
      severity: "advisory",
      remediation: 'Set metadata "block-project-ssh-keys" to "true" (or use OS Login).',
      references: ["CKV_GCP_32", "AVD-GCP-0030"],
      types: [INSTANCE],
    },
    (r) => (String(record(r.inputs["metadata"])["block-project-ssh-keys"]) === "true" ? undefined : "block-project-ssh-keys is not true"),
  ),
  resource(
    {
      id: "PC-GCP-VM-005",
      title: "Instances do not forward IP",
      severity: "advisory",
      remediation: "Set canIpForward: false unless the VM is a router or NAT.",
      references: ["CKV_GCP_36", "AVD-GCP-0043"],
      types: [INSTANCE],
    },
    (r) => (r.inputs["canIpForward"] === true ? "canIpForward is true" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-VM-006",
      title: "Instances have no public IP",
      severity: "advisory",
      remediation: "Remove accessConfigs from networkInterfaces and use Cloud NAT and IAP.",
      references: ["CKV_GCP_40", "AVD-GCP-0031"],
      types: [INSTANCE],
    },
    (r) => (list(r.inputs["networkInterfaces"]).some((n) => list(at(n, "accessConfigs")).length > 0) ? "a network interface has an access config (public IP)" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-KMS-001",
      title: "KMS keys rotate within 90 days",
      severity: "mandatory",
      remediation: 'Set rotationPeriod to "7776000s" (90 days) or less.',
      references: ["CKV_GCP_43", "AVD-GCP-0065"],
      types: ["gcp:kms/cryptoKey:CryptoKey"],
    },
    (r) => {
      if ((r.inputs["purpose"] ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return undefined;
      const seconds = Number(String(r.inputs["rotationPeriod"] ?? "").replace(/s$/, ""));
      return seconds > 0 && seconds <= 7_776_000 ? undefined : `rotationPeriod is ${show(r.inputs["rotationPeriod"])}`;
    },
  ),
  resource(
    {
      id: "PC-GCP-IAM-001",
      title: "No basic roles at project level",
      severity: "mandatory",
      remediation: "Grant predefined or custom roles instead of roles/owner, roles/editor or roles/viewer.",
      references: ["CKV_GCP_117"],
      types: PROJECT_IAM,
    },
    (r) => (["roles/owner", "roles/editor", "roles/viewer"].includes(String(r.inputs["role"])) ? `role is ${show(r.inputs["role"])}` : undefined),
  ),
  resource(
    {
      id: "PC-GCP-IAM-002",
      title: "Nothing is granted to allUsers at project level",
      severity: "mandatory",
      remediation: "Grant project roles to named principals only.",
      references: [],
      types: PROJECT_IAM,
    },
    (r) => (members(r).some((m) => PUBLIC_MEMBERS.has(m)) ? `grants ${show(r.inputs["role"])} to the public` : undefined),
  ),
  resource(
    {
      id: "PC-GCP-IAM-003",
      title: "No service account impersonation granted at project level",
      severity: "advisory",
      remediation: "Grant roles/iam.serviceAccountUser or serviceAccountTokenCreator on the one service account, not on the project.",
      references: ["CKV_GCP_41", "CKV_GCP_49", "AVD-GCP-0011"],
      types: PROJECT_IAM,
    },
    (r) => (["roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"].includes(String(r.inputs["role"])) ? `role is ${show(r.inputs["role"])}` : undefined),
  ),
  resource(
    {
      id: "PC-GCP-RUN-001",
      title: "No secrets in plain Cloud Run environment variables",
      severity: "mandatory",
      remediation: "Store the value in Secret Manager and reference it with envs[].valueSource.secretKeyRef.",
      references: [],
      types: ["gcp:cloudrunv2/service:Service", "gcp:cloudrunv2/job:Job"],
    },
    (r) => {
      const containers = list(at(r.inputs, "template.containers") ?? at(r.inputs, "template.template.containers"));
      const found = containers.flatMap((c) => plainSecretEnv(at(c, "envs")));
      return found.length === 0 ? undefined : `environment variable(s) ${found.join(", ")} look like credentials`;
    },
  ),
  resource(
    {
      id: "PC-GCP-RUN-002",
      title: "Cloud Run services are invoked through a load balancer",
      severity: "advisory",
      remediation: 'Set ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" and serve through an HTTPS load balancer with Cloud Armor.',
      references: [],
      types: ["gcp:cloudrunv2/service:Service"],
    },
    (r) => ((r.inputs["ingress"] ?? "INGRESS_TRAFFIC_ALL") === "INGRESS_TRAFFIC_ALL" ? "ingress is INGRESS_TRAFFIC_ALL" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-GKE-001",
      title: "GKE legacy ABAC is disabled",
      severity: "mandatory",
      remediation: "Leave enableLegacyAbac at false.",
      references: ["CKV_GCP_7", "AVD-GCP-0062"],
      types: [GKE],
    },
    (r) => (r.inputs["enableLegacyAbac"] === true ? "enableLegacyAbac is true" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-GKE-002",
      title: "GKE control plane is limited to authorized networks",
      severity: "advisory",
      remediation: "Set masterAuthorizedNetworksConfig with the CIDR blocks that may reach the API server.",
      references: ["CKV_GCP_20", "AVD-GCP-0061"],
      types: [GKE],
    },
    (r) => (r.inputs["masterAuthorizedNetworksConfig"] === undefined ? "masterAuthorizedNetworksConfig is unset" : undefined),
  ),
  resource(
    {
      id: "PC-GCP-GKE-003",
      title: "GKE nodes are private",
      severity: "advisory",
      remediation: "Set privateClusterConfig { enablePrivateNodes: true }.",
      references: ["CKV_GCP_25", "AVD-GCP-0059"],
      types: [GKE],
    },
    (r) => (at(r.inputs, "privateClusterConfig.enablePrivateNodes") === true || r.inputs["enableAutopilot"] === true ? undefined : "privateClusterConfig.enablePrivateNodes is not true"),
  ),
  resource(
    {
      id: "PC-GCP-GKE-004",
      title: "GKE enforces network policies",
      severity: "advisory",
      remediation: 'Set networkPolicy { enabled: true } or datapathProvider: "ADVANCED_DATAPATH".',
      references: ["CKV_GCP_12", "AVD-GCP-0056"],
      types: [GKE],
    },
    (r) => (at(r.inputs, "networkPolicy.enabled") === true || r.inputs["datapathProvider"] === "ADVANCED_DATAPATH" || r.inputs["enableAutopilot"] === true ? undefined : "no network policy enforcement"),
  ),
];

export const gcpRules: readonly Rule[] = [...storage, ...sql, ...network, ...compute];
