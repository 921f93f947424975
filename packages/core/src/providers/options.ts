/**
 * Backend options: what a backend needs to know about the account or cluster it builds on that a spec
 * has no field for (a hosted zone, the operators a cluster runs, where its add-ons live). One zod
 * schema per backend, reachable from the spec's `providers.<name>` section and from stack config
 * `polycloud:<name>.<option>` (which wins), so the CLI's `-c`, the Platform facade and `stacks/` reach
 * every option the components' own args have.
 */
import { z } from "zod";

const dnsName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS label: lowercase letters, digits and hyphens");
const labels = z.record(
  z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "a Kubernetes label key"),
  z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, "a Kubernetes label value: up to 63 letters, digits, -, _ and ."),
);

/** An AWS region name such as `us-west-2`. */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export const AwsOptionsSchema = z
  .strictObject({
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{1,32}$/, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ")
      .optional()
      .describe(
        "Route 53 public hosted zone of network.loadBalancer.domain: the certificates' DNS validation records and each service's alias record are created in it. Without it, the plan lists the records to create by hand and HTTPS waits for them.",
      ),
    backupRegion: z
      .string()
      .regex(AWS_REGION, "an AWS region such as us-west-2")
      .optional()
      .describe("Region that receives a copy of every backup; required by backup.crossRegion"),
  })
  .describe("AWS backend options (stack config polycloud:aws.<option>)");

export const KubernetesOptionsSchema = z
  .strictObject({
    namespace: dnsName.optional().describe("Namespace the application is created in; default <app>-<env>, e.g. shop-prd"),
    argoRollouts: z.boolean().default(false).describe("The Argo Rollouts controller is installed: blue-green and canary services are Rollouts with analysis on the SLO"),
    cloudNativePg: z
      .strictObject({
        imageName: z.string().min(1).optional().describe("PostgreSQL operand image; default ghcr.io/cloudnative-pg/postgresql:<major>"),
        objectStore: z
          .strictObject({
            destinationPath: z.string().regex(/^[a-z0-9]+:\/\/\S+$/, "an object store URL such as s3://backups/shop"),
            endpointURL: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).optional(),
            credentialsSecret: dnsName.describe("Secret with keys ACCESS_KEY_ID and ACCESS_SECRET_KEY"),
          })
          .optional()
          .describe("Barman object store for base backups and WAL archiving; without it, scheduled backups are volume snapshots"),
        operatorNamespace: dnsName.default("cnpg-system"),
      })
      .optional()
      .describe("The CloudNativePG operator is installed: the database is a CNPG Cluster with scheduled backups"),
    externalSecretStore: z
      .strictObject({
        name: dnsName,
        kind: z.enum(["SecretStore", "ClusterSecretStore"]).default("ClusterSecretStore"),
        remoteKeyPrefix: z.string().default(""),
        refreshInterval: z.string().regex(/^\d+[smh]$/, "a duration such as 1h").default("1h"),
      })
      .optional()
      .describe("Pull spec secrets from this External Secrets store instead of keeping values in Pulumi state"),
    ingressClassName: z.string().min(1).default("nginx").describe("IngressClass of the public services"),
    clusterIssuer: dnsName.default("letsencrypt").describe("cert-manager ClusterIssuer for the domain's certificates"),
    ingressController: z
      .strictObject({ namespace: dnsName, podLabels: labels.default({}) })
      .default({ namespace: "ingress-nginx", podLabels: {} })
      .describe("Where the ingress controller runs; podLabels narrows access to its pods"),
    monitoringNamespace: dnsName.default("monitoring").describe("Namespace of Prometheus (allowed to scrape)"),
    selectorLabels: labels
      .default({ release: "kube-prometheus-stack" })
      .describe(
        "Labels Prometheus and Alertmanager select monitoring objects by; the default is what kube-prometheus-stack installed as release kube-prometheus-stack selects",
      ),
    smtp: z
      .strictObject({
        smarthost: z
          .string()
          .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):\d{1,5}$/, "host:port, e.g. smtp.example.com:587")
          .describe("SMTP server as host:port"),
        from: z
          .string()
          .regex(/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, "an email address, e.g. alerts@example.com")
          .describe("Sender address, bare or as Name <user@host>"),
        authUsername: z.string().min(1).optional().describe("User for SMTP authentication; default none"),
        authPasswordSecret: z
          .strictObject({ name: dnsName, key: z.string().regex(/^[-._a-zA-Z0-9]+$/, "a Secret key") })
          .optional()
          .describe("Key of a Secret in the application's namespace holding the SMTP password; needs authUsername"),
        requireTLS: z.boolean().default(true).describe("Require STARTTLS"),
      })
      .optional()
      .describe("SMTP server of the application's Alertmanager receivers: needed by email alert routes (kube-prometheus-stack's Alertmanager has none)"),
    storageClassName: z.string().min(1).optional().describe("StorageClass of every volume; default the cluster's default"),
    grafanaUrl: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).optional().describe("Grafana base URL, for the dashboard link"),
  })
  .describe("Kubernetes backend options (stack config polycloud:kubernetes.<option>)");

/** A Google Cloud region such as `europe-west1` (zones and multi-regions are not regions). */
export const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;

/** A Cloud Run revision name: a DNS label of at most 63 characters (Cloud Run service names are at most 49). */
export const CLOUD_RUN_REVISION = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The `abortedRollouts` option of a traffic-splitting backend: by service, whether its canary or
 * blue-green rollout is aborted (what `polycloud abort` sets and `polycloud promote` clears).
 */
function abortedRolloutsOption(provider: "azure" | "gcp") {
  return z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, "a service name of the spec"), z.boolean())
    .optional()
    .describe(
      `Canary or blue-green rollouts stopped, by service (true: aborted): the stable revision (stableRevisions, which the service needs) takes all traffic, the new revision none while keeping its tag so it can still be reached, and the rollback on alerts stands down. It holds for every new revision of the service until a promote. Set by polycloud abort (pulumi config set polycloud:${provider}.abortedRollouts.<service> true && pulumi up); polycloud promote removes it.`,
    );
}

export const GcpOptionsSchema = z
  .strictObject({
    region: z
      .string()
      .regex(GCP_REGION, "a Google Cloud region such as europe-west1")
      .optional()
      .describe(
        "Region of every regional resource (subnetworks, Cloud Run, Cloud SQL, Memorystore, buckets, keys, secrets). Default: the spec's region when it is a Google Cloud region; a spec region of another cloud needs this option.",
      ),
    dnsManagedZone: z
      .string()
      .regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, "a Cloud DNS managed zone name such as shop-example-com")
      .optional()
      .describe(
        "Cloud DNS public managed zone of network.loadBalancer.domain: each public service's A record is created in it, so its Google-managed certificate can be provisioned. Without it, the plan lists the records to create by hand.",
      ),
    stableRevisions: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, "a service name of the spec"),
        z.string().regex(CLOUD_RUN_REVISION, "a Cloud Run revision name such as shop-prd-api-3f9a1c2e: lowercase letters, digits and hyphens, at most 63 characters"),
      )
      .optional()
      .describe(
        "The revision serving before a canary or blue-green deployment, by service: it keeps the traffic the new revision does not take, and a rollback on alerts restores it. Unset (a first deployment) or equal to the new revision (promoted): all traffic to the new revision. Promote with pulumi config set polycloud:gcp.stableRevisions.<service> <new revision>, which the plan prints.",
      ),
    abortedRollouts: abortedRolloutsOption("gcp"),
  })
  .describe("Google Cloud backend options (stack config polycloud:gcp.<option>)");

/** An Azure DNS zone's resource id; the zone's name is the last segment. */
export const AZURE_DNS_ZONE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/dnszones\/[^/]+$/i;

/** An Azure location name such as `westeurope` or `eastus2` (lowercase, no spaces). */
export const AZURE_LOCATION = /^[a-z]+[a-z0-9]*$/;

export const AzureOptionsSchema = z
  .strictObject({
    location: z
      .string()
      .regex(AZURE_LOCATION, "an Azure location such as westeurope")
      .optional()
      .describe(
        "Location of every regional resource. Default: the spec's region when it is an Azure location, else the existing resource group's, else the provider's azure-native:location; a spec region of another cloud needs this option.",
      ),
    resourceGroupName: z
      .string()
      .regex(/^[-\w.()]{0,89}[-\w()]$/, "a resource group name: 1-90 letters, digits, _-.() not ending with a period")
      .optional()
      .describe("Existing resource group to build in (the deployer needs Owner or Contributor plus User Access Administrator on it). Default: a group <app>-<env>-rg is created."),
    networkWatcher: z
      .strictObject({
        name: z.string().min(1).describe("Network Watcher name, e.g. NetworkWatcher_westeurope"),
        resourceGroupName: z.string().min(1).describe("Its resource group, e.g. NetworkWatcherRG"),
      })
      .optional()
      .describe("Network Watcher of the VNet flow log. Default: the one Azure creates per region, NetworkWatcher_<location> in NetworkWatcherRG."),
    dnsZoneId: z
      .string()
      .regex(AZURE_DNS_ZONE_ID, "an Azure DNS zone id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/dnszones/<zone>")
      .optional()
      .describe(
        "Azure DNS zone of network.loadBalancer.domain: each public service's certificate validation record and its CNAME (an A record at the apex) are created in it. Without it, each service's dnsRecords lists the records to create by hand, and the managed certificates wait for them.",
      ),
    stableRevisions: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, "a service name of the spec"),
        z.string().regex(/^[a-z][a-z0-9-]{0,30}--[a-z0-9][a-z0-9-]{0,62}$/, "a Container Apps revision name such as shop-prd-api--k3x9q2a (<app>--<suffix>)"),
      )
      .optional()
      .describe(
        "The revision serving before a canary or blue-green deployment, by service: it keeps the traffic the new revision does not take, and a rollback on alerts restores it. Unset (a first deployment): all traffic to the latest revision. Promote with pulumi config set polycloud:azure.stableRevisions.<service> <new revision>.",
      ),
    abortedRollouts: abortedRolloutsOption("azure"),
  })
  .describe("Azure backend options (stack config polycloud:azure.<option>)");

export const ProvidersSchema = z
  .strictObject({
    aws: AwsOptionsSchema.optional(),
    azure: AzureOptionsSchema.optional(),
    gcp: GcpOptionsSchema.optional(),
    kubernetes: KubernetesOptionsSchema.optional(),
  })
  .describe("Backend options per provider; stack config polycloud:<provider>.<option> overrides them");

/** AWS backend options, defaults applied. */
export type AwsOptions = z.output<typeof AwsOptionsSchema>;
/** Azure backend options, defaults applied. */
export type AzureOptions = z.output<typeof AzureOptionsSchema>;
/** Google Cloud backend options, defaults applied. */
export type GcpOptions = z.output<typeof GcpOptionsSchema>;
/** Kubernetes backend options, defaults applied. */
export type KubernetesOptions = z.output<typeof KubernetesOptionsSchema>;

/** The option schema of each provider that has options; a provider without an entry takes none. */
export const PROVIDER_OPTION_SCHEMAS = { aws: AwsOptionsSchema, azure: AzureOptionsSchema, gcp: GcpOptionsSchema, kubernetes: KubernetesOptionsSchema } as const;

/** Backend options by provider, defaults applied; `{}` for providers that take none. */
export interface BackendOptionsByProvider {
  readonly aws: AwsOptions;
  readonly kubernetes: KubernetesOptions;
  readonly azure: AzureOptions;
  readonly gcp: GcpOptions;
}
