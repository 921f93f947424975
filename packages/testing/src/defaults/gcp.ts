/**
 * Google Cloud defaults: ids (`projects/<p>/regions/<r>/subnetworks/<name>`) and selfLinks from
 * `gcp:project` / `gcp:region`, auto-names like the provider's (`<name>-<7 hex>`), and the outputs
 * programs read (service account email, Cloud SQL connection name, Cloud Run URI, Redis host).
 *
 * Project: the resource's `project` input, its explicit provider's, `gcp:project`, else polycloud-test.
 * Region: likewise with `region` / `gcp:region`, else us-central1; zone `gcp:zone`, else `<region>-a`.
 */
import type { PropertyBag } from "../types";
import { alnum, digits, hex, lowerFirst, obj, parseToken, plural, str, uuid } from "./common";
import type { DefaultsEnv, Generated, Generator, InvokeDefault, ResourceRequest } from "./common";

export const DEFAULT_GCP_PROJECT = "polycloud-test";
export const DEFAULT_GCP_REGION = "us-central1";
const COMPUTE = "https://www.googleapis.com/compute/v1";

interface Scope {
  readonly project: string;
  readonly region: string;
  readonly zone: string;
}

function scopeOf(env: DefaultsEnv, provider: PropertyBag | undefined, inputs: PropertyBag = {}): Scope {
  const pick = (key: string): string | undefined => str(inputs, key) ?? (provider === undefined ? undefined : str(provider, key)) ?? env.config(`gcp:${key}`);
  const project = pick("project") ?? DEFAULT_GCP_PROJECT;
  const region = pick("region") ?? DEFAULT_GCP_REGION;
  return { project, region, zone: pick("zone") ?? `${region}-a` };
}

/** The project number: 12 digits from the project id. */
export function projectNumber(project: string): string {
  return digits(`project#${project}`, 12);
}

function ip(seed: string, first: number): string {
  const h = hex(seed, 6);
  return `${first}.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${(parseInt(h.slice(4, 6), 16) % 253) + 2}`;
}

function labelsFor(req: ResourceRequest, provider: PropertyBag | undefined): PropertyBag {
  if (req.properties?.has("effectiveLabels") !== true) return {};
  const labels = { ...obj(provider?.["defaultLabels"]), ...obj(req.inputs["labels"]), "goog-pulumi-provisioned": "true" };
  return { effectiveLabels: labels, pulumiLabels: labels };
}

type Rule = (c: Ctx) => { id: string; outputs?: PropertyBag; names?: readonly string[] };
interface Ctx extends Scope {
  readonly req: ResourceRequest;
  readonly inputs: PropertyBag;
  /** The `name` input, or `<logical>-<7 hex>`. */
  name(key?: string): string;
  seed(purpose: string): string;
}

/** A compute resource: `projects/<p>/<global|regions/r|zones/z>/<collection>/<name>` with a selfLink. */
function compute(collection: string, where: "global" | "region" | "zone", extra?: (c: Ctx, name: string) => PropertyBag): Rule {
  return (c) => {
    const name = c.name();
    const location = where === "global" ? "global" : where === "region" ? `regions/${c.region}` : `zones/${c.zone}`;
    const id = `projects/${c.project}/${location}/${collection}/${name}`;
    return { id, names: ["name"], outputs: { name, selfLink: `${COMPUTE}/${id}`, ...(where === "region" ? { region: c.region } : where === "zone" ? { zone: c.zone } : {}), ...(extra?.(c, name) ?? {}) } };
  };
}

const RULES: Record<string, Rule> = {
  "gcp:compute/network:Network": compute("networks", "global", (c) => ({ numericId: digits(c.seed("numeric"), 19), gatewayIpv4: "" })),
  "gcp:compute/subnetwork:Subnetwork": compute("subnetworks", "region", (c) => {
    const range = String(c.inputs["ipCidrRange"] ?? "10.0.0.0/24").split("/")[0]!.split(".");
    return { gatewayAddress: `${range[0]}.${range[1]}.${range[2]}.1`, fingerprint: hex(c.seed("fp"), 16) };
  }),
  "gcp:compute/firewall:Firewall": compute("firewalls", "global"),
  "gcp:compute/router:Router": compute("routers", "region"),
  "gcp:compute/routerNat:RouterNat": (c) => {
    const name = c.name();
    return { id: `${c.project}/${c.region}/${String(c.inputs["router"] ?? "router")}/${name}`, names: ["name"], outputs: { name, region: c.region } };
  },
  "gcp:compute/globalAddress:GlobalAddress": compute("addresses", "global", (c) => ({ address: c.inputs["address"] ?? (c.inputs["purpose"] === "VPC_PEERING" ? ip(c.seed("ip"), 10) : ip(c.seed("ip"), 34)) })),
  "gcp:compute/address:Address": compute("addresses", "region", (c) => ({ address: c.inputs["address"] ?? (c.inputs["addressType"] === "INTERNAL" ? ip(c.seed("ip"), 10) : ip(c.seed("ip"), 34)) })),
  "gcp:compute/instance:Instance": compute("instances", "zone", (c) => ({ instanceId: digits(c.seed("instance"), 19), currentStatus: "RUNNING" })),
  "gcp:compute/globalForwardingRule:GlobalForwardingRule": compute("forwardingRules", "global", (c) => ({ ipAddress: c.inputs["ipAddress"] ?? ip(c.seed("ip"), 34) })),
  "gcp:compute/forwardingRule:ForwardingRule": compute("forwardingRules", "region", (c) => ({ ipAddress: c.inputs["ipAddress"] ?? ip(c.seed("ip"), 34) })),
  "gcp:compute/managedSslCertificate:ManagedSslCertificate": compute("sslCertificates", "global", (c) => ({ certificateId: Number(digits(c.seed("cert"), 15)) })),
  "gcp:servicenetworking/connection:Connection": (c) => ({ id: `${String(c.inputs["network"] ?? "network")}:${String(c.inputs["service"] ?? "servicenetworking.googleapis.com")}`, outputs: { peering: "servicenetworking-googleapis-com" } }),
  "gcp:storage/bucket:Bucket": (c) => {
    const name = c.name();
    return { id: name, names: ["name"], outputs: { name, url: `gs://${name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${name}`, location: String(c.inputs["location"] ?? "US").toUpperCase(), project: c.project, storageClass: c.inputs["storageClass"] ?? "STANDARD" } };
  },
  "gcp:cloudrunv2/service:Service": (c) => {
    const name = c.name();
    const location = str(c.inputs, "location") ?? c.region;
    const id = `projects/${c.project}/locations/${location}/services/${name}`;
    const uri = `https://${name}-${projectNumber(c.project)}.${location}.run.app`;
    return { id, names: ["name"], outputs: { name, location, uri, urls: [uri, `https://${name}-${alnum(c.seed("hash"), 10)}-uc.a.run.app`], uid: uuid(c.seed("uid")), latestReadyRevision: `${id}/revisions/${name}-00001-${alnum(c.seed("rev"), 3)}`, latestCreatedRevision: `${id}/revisions/${name}-00001-${alnum(c.seed("rev"), 3)}`, terminalConditions: [{ type: "Ready", state: "CONDITION_SUCCEEDED" }] } };
  },
  "gcp:cloudrun/service:Service": (c) => {
    const name = c.name();
    const location = str(c.inputs, "location") ?? c.region;
    return { id: `locations/${location}/namespaces/${c.project}/services/${name}`, names: ["name"], outputs: { name, location, statuses: [{ url: `https://${name}-${alnum(c.seed("hash"), 10)}-uc.a.run.app`, latestReadyRevisionName: `${name}-00001-${alnum(c.seed("rev"), 3)}` }] } };
  },
  "gcp:sql/databaseInstance:DatabaseInstance": (c) => {
    const name = c.name();
    const settings = obj(c.inputs["settings"]);
    const ipConfig = obj(settings["ipConfiguration"]);
    const privateIp = ip(c.seed("private"), 10);
    const publicIp = ipConfig["ipv4Enabled"] === false ? undefined : ip(c.seed("public"), 34);
    return {
      id: name,
      names: ["name"],
      outputs: {
        name,
        connectionName: `${c.project}:${c.region}:${name}`,
        selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${c.project}/instances/${name}`,
        privateIpAddress: ipConfig["privateNetwork"] === undefined ? "" : privateIp,
        publicIpAddress: publicIp ?? "",
        firstIpAddress: publicIp ?? privateIp,
        ipAddresses: [...(publicIp === undefined ? [] : [{ ipAddress: publicIp, type: "PRIMARY" }]), ...(ipConfig["privateNetwork"] === undefined ? [] : [{ ipAddress: privateIp, type: "PRIVATE" }])],
        serviceAccountEmailAddress: `p${projectNumber(c.project)}-${alnum(c.seed("sa"), 6)}@gcp-sa-cloud-sql.iam.gserviceaccount.com`,
        region: c.region,
        project: c.project,
      },
    };
  },
  "gcp:sql/database:Database": (c) => {
    const name = c.name();
    return { id: `projects/${c.project}/instances/${String(c.inputs["instance"] ?? "instance")}/databases/${name}`, names: ["name"], outputs: { name } };
  },
  "gcp:sql/user:User": (c) => ({ id: `${c.name()}/${String(c.inputs["host"] ?? "")}/${String(c.inputs["instance"] ?? "instance")}`, outputs: { name: c.name() } }),
  "gcp:redis/instance:Instance": (c) => {
    const name = c.name();
    const auth = c.inputs["authEnabled"] === true;
    return {
      id: `projects/${c.project}/locations/${c.region}/instances/${name}`,
      names: ["name"],
      outputs: { name, region: c.region, host: ip(c.seed("host"), 10), port: 6379, currentLocationId: `${c.region}-a`, readEndpoint: "", persistenceIamIdentity: `serviceAccount:service-${projectNumber(c.project)}@cloud-redis.iam.gserviceaccount.com`, ...(auth ? { authString: uuid(c.seed("auth")) } : {}) },
    };
  },
  "gcp:serviceaccount/account:Account": (c) => {
    const accountId = String(c.inputs["accountId"] ?? c.req.name);
    const email = `${accountId}@${c.project}.iam.gserviceaccount.com`;
    return { id: `projects/${c.project}/serviceAccounts/${email}`, outputs: { email, name: `projects/${c.project}/serviceAccounts/${email}`, uniqueId: digits(c.seed("unique"), 21), member: `serviceAccount:${email}` } };
  },
  "gcp:kms/keyRing:KeyRing": (c) => {
    const name = c.name();
    return { id: `projects/${c.project}/locations/${String(c.inputs["location"] ?? c.region)}/keyRings/${name}`, names: ["name"], outputs: { name } };
  },
  "gcp:kms/cryptoKey:CryptoKey": (c) => {
    const name = c.name();
    const id = `${String(c.inputs["keyRing"] ?? `projects/${c.project}/locations/${c.region}/keyRings/ring`)}/cryptoKeys/${name}`;
    return { id, names: ["name"], outputs: { name, primaries: [{ name: `${id}/cryptoKeyVersions/1`, state: "ENABLED" }] } };
  },
  "gcp:secretmanager/secret:Secret": (c) => {
    const secretId = String(c.inputs["secretId"] ?? c.req.name);
    return { id: `projects/${c.project}/secrets/${secretId}`, outputs: { name: `projects/${projectNumber(c.project)}/secrets/${secretId}`, project: c.project, createTime: "2024-01-01T00:00:00Z" } };
  },
  "gcp:secretmanager/secretVersion:SecretVersion": (c) => {
    const secret = String(c.inputs["secret"] ?? `projects/${c.project}/secrets/secret`).replace(/^projects\/[^/]+/, `projects/${projectNumber(c.project)}`);
    return { id: `${secret}/versions/1`, outputs: { name: `${secret}/versions/1`, version: "1", enabled: true } };
  },
  "gcp:pubsub/topic:Topic": (c) => {
    const name = c.name();
    return { id: `projects/${c.project}/topics/${name}`, names: ["name"], outputs: { name } };
  },
  "gcp:pubsub/subscription:Subscription": (c) => {
    const name = c.name();
    return { id: `projects/${c.project}/subscriptions/${name}`, names: ["name"], outputs: { name } };
  },
  "gcp:monitoring/notificationChannel:NotificationChannel": (c) => {
    const name = `projects/${c.project}/notificationChannels/${digits(c.seed("channel"), 19)}`;
    return { id: name, outputs: { name } };
  },
  "gcp:monitoring/alertPolicy:AlertPolicy": (c) => {
    const name = `projects/${c.project}/alertPolicies/${digits(c.seed("policy"), 19)}`;
    return { id: name, outputs: { name, creationRecords: [{ mutateTime: "2024-01-01T00:00:00Z", mutatedBy: "polycloud-test" }] } };
  },
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": (c) => {
    const uptimeCheckId = `${c.req.name}-${hex(c.seed("id"), 12)}`;
    return { id: `projects/${c.project}/uptimeCheckConfigs/${uptimeCheckId}`, outputs: { uptimeCheckId, name: `projects/${c.project}/uptimeCheckConfigs/${uptimeCheckId}` } };
  },
  "gcp:monitoring/dashboard:Dashboard": (c) => ({ id: `projects/${projectNumber(c.project)}/dashboards/${uuid(c.seed("dash"))}` }),
  "gcp:monitoring/genericService:GenericService": (c) => {
    const serviceId = String(c.inputs["serviceId"] ?? c.req.name);
    return { id: `projects/${c.project}/services/${serviceId}`, outputs: { name: `projects/${projectNumber(c.project)}/services/${serviceId}` } };
  },
  "gcp:monitoring/slo:Slo": (c) => {
    const sloId = String(c.inputs["sloId"] ?? alnum(c.seed("slo"), 22));
    const name = `projects/${projectNumber(c.project)}/services/${String(c.inputs["service"] ?? "service")}/serviceLevelObjectives/${sloId}`;
    return { id: name, outputs: { name, sloId } };
  },
  "gcp:container/cluster:Cluster": (c) => {
    const name = c.name();
    const location = str(c.inputs, "location") ?? c.region;
    return { id: `projects/${c.project}/locations/${location}/clusters/${name}`, names: ["name"], outputs: { name, location, endpoint: ip(c.seed("endpoint"), 34), masterAuth: { clusterCaCertificate: Buffer.from(`-----BEGIN CERTIFICATE-----\n${alnum(c.seed("ca"), 64)}\n-----END CERTIFICATE-----\n`).toString("base64") }, selfLink: `https://container.googleapis.com/v1/projects/${c.project}/locations/${location}/clusters/${name}` } };
  },
  "gcp:artifactregistry/repository:Repository": (c) => {
    const repositoryId = String(c.inputs["repositoryId"] ?? c.req.name);
    const location = str(c.inputs, "location") ?? c.region;
    const name = `projects/${c.project}/locations/${location}/repositories/${repositoryId}`;
    return { id: name, outputs: { name, createTime: "2024-01-01T00:00:00Z" } };
  },
  "gcp:projects/service:Service": (c) => ({ id: `${c.project}/${String(c.inputs["service"] ?? "")}`, outputs: { project: c.project } }),
};

/** IAM members and bindings: id `<resource>/<role>/<member>`, like the provider. */
function iam(c: Ctx): ReturnType<Rule> {
  const target = ["project", "bucket", "cryptoKeyId", "secretId", "serviceAccountId", "topic", "subscription", "name", "repository"].map((k) => str(c.inputs, k)).find((v) => v !== undefined) ?? c.project;
  const member = str(c.inputs, "member") ?? (Array.isArray(c.inputs["members"]) ? (c.inputs["members"] as unknown[]).join(",") : "");
  return { id: `${target}/${String(c.inputs["role"] ?? "")}${member === "" ? "" : `/${member}`}`, outputs: { etag: `BwY${alnum(c.seed("etag"), 9)}=` } };
}

/** Generic: `projects/<p>/<locations/<l>/>?<collection>/<name>`. */
function generic(c: Ctx): ReturnType<Rule> {
  const { module, name: typeName } = parseToken(c.req.type);
  const hasName = c.req.properties?.has("name") ?? "name" in c.inputs;
  const name = hasName ? c.name() : `${c.req.name}-${hex(c.seed("id"), 7)}`;
  const collection = plural(lowerFirst(typeName));
  if (module === "compute") {
    const where = c.req.properties?.has("zone") === true ? "zone" : c.req.properties?.has("region") === true ? "region" : "global";
    return compute(collection, where)(c);
  }
  const location = str(c.inputs, "location") ?? (c.req.properties?.has("location") === true ? c.region : undefined);
  const id = `projects/${c.project}/${location === undefined ? "" : `locations/${location}/`}${collection}/${name}`;
  return { id, ...(hasName ? { names: ["name"], outputs: { name } } : {}) };
}

/** Default outputs for a `gcp:` resource. */
export const gcpResource: Generator = (req): Generated => {
  const provider = req.env.providerInputs(req.provider);
  const scope = scopeOf(req.env, provider, req.inputs);
  const c: Ctx = {
    ...scope,
    req,
    inputs: req.inputs,
    name: (key = "name") => str(req.inputs, key) ?? `${req.name.toLowerCase()}-${hex(`${req.urn}#name`, 7)}`,
    seed: (purpose) => `${req.urn}#${purpose}`,
  };
  const { name: typeName } = parseToken(req.type);
  const rule = RULES[req.type] ?? (/IAM(Member|Binding|Policy)$|Iam(Member|Binding|Policy)$/.test(typeName) ? iam : generic);
  const { id, outputs = {}, names = [] } = rule(c);
  const all: PropertyBag = { ...labelsFor(req, provider), ...outputs };
  if (req.properties?.has("project") === true && all["project"] === undefined) all["project"] = scope.project;
  const kept = req.properties === undefined ? all : Object.fromEntries(Object.entries(all).filter(([k]) => req.properties!.has(k)));
  return { id: req.id ?? id, outputs: kept, knownInPreview: [...names, "project", "effectiveLabels", "pulumiLabels"] };
};

/** Invokes answered out of the box. */
export const gcpInvokes: Record<string, InvokeDefault> = {
  "gcp:organizations/getProject:getProject": (inputs, env, provider) => {
    const project = str(inputs, "projectId") ?? scopeOf(env, env.providerInputs(provider)).project;
    return { id: `projects/${project}`, projectId: project, number: projectNumber(project), name: project, labels: {}, autoCreateNetwork: true };
  },
  "gcp:organizations/getClientConfig:getClientConfig": (_inputs, env, provider) => {
    const { project, region, zone } = scopeOf(env, env.providerInputs(provider));
    return { id: `projects/${project}/regions/${region}/zones/${zone}`, project, region, zone, accessToken: "ya29.polycloud-test-token" };
  },
  "gcp:compute/getZones:getZones": (inputs, env, provider) => {
    const scope = scopeOf(env, env.providerInputs(provider), inputs);
    return { id: `projects/${scope.project}/regions/${scope.region}`, project: scope.project, region: scope.region, names: ["a", "b", "c", "f"].map((z) => `${scope.region}-${z}`) };
  },
};
