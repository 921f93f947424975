import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as compute from "@pulumi/gcp/compute";
import * as dns from "@pulumi/gcp/dns";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, type SpecInput } from "@polycloud/core";
import { WAF_RULES } from "./load-balancer";
import { Network } from "./network";
import { WebService, type WebServiceArgs } from "./web-service";
import { NETWORK, planOf } from "./__tests__/fixtures";

const SECRET = "projects/acme-shop/secrets/shop-dev-stripe-key";
const specOf = (service: Record<string, unknown> = {}, extra: Partial<SpecInput> = {}) => {
  const spec = parseSpec({ name: "shop", network: { loadBalancer: { domain: "shop.example.com" } }, services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true, ...service } }, ...extra });
  return { service: spec.services[0]!, loadBalancer: spec.network.loadBalancer, slo: spec.slo };
};
type Extra = Partial<Omit<WebServiceArgs, "network">>;
const build = (service: Record<string, unknown> = {}, extra: Extra = {}, spec: Partial<SpecInput> = {}) =>
  planOf(() => {
    const network = new Network("net", { app: "shop", network: NETWORK });
    new WebService("api", { app: "shop", network, host: "shop.example.com", secrets: [{ envName: "STRIPE_KEY", location: { secret: pulumi.output(SECRET), version: "latest" } }], ...specOf(service, spec), ...extra });
  });

describe("WebService", () => {
  it("defaults to a service account of its own, which may read exactly the secrets it references, before the service exists", async () => {
    const plan = await build();
    const account = plan.find(serviceaccount.Account);
    expect(account.inputs.accountId).toBe("shop-dev-api");
    const run = plan.find(cloudrunv2.Service);
    expect(run.inputs.template.serviceAccount).toBe(account.outputs.email);
    const grants = plan.findAll(secretmanager.SecretIamMember);
    expect(grants.map((g) => g.inputs)).toEqual([{ secretId: SECRET, role: "roles/secretmanager.secretAccessor", member: `serviceAccount:${account.outputs.email}` }]);
    expect(run.dependencies).toContain(grants[0]!.urn);
  });

  it("defaults to secrets by reference to Secret Manager and plain values only for the spec's env", async () => {
    const plan = await build({ env: { LOG_LEVEL: "info" } });
    expect(plan.find(cloudrunv2.Service).inputs.template.containers?.[0]?.envs).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "STRIPE_KEY", valueSource: { secretKeyRef: { secret: SECRET, version: "latest" } } },
    ]);
  });

  it("defaults to all egress through the VPC under its own network tag, so the firewall decides what it reaches", async () => {
    const plan = await build();
    expect(plan.find(cloudrunv2.Service).inputs.template.vpcAccess).toEqual({
      egress: "ALL_TRAFFIC",
      networkInterfaces: [{ network: plan.find(compute.Network).id, subnetwork: plan.find(compute.Subnetwork).id, tags: ["shop-dev-api"] }],
    });
  });

  it("takes the spec's instances, size (rounded up to a Cloud Run size) and probes", async () => {
    const plan = await build({ replicas: { min: 2, max: 7 }, cpu: 0.5, memory: 1024, healthCheck: { path: "/ready", intervalSeconds: 15, timeoutSeconds: 3, gracePeriodSeconds: 30 }, port: 9000 });
    const template = plan.find(cloudrunv2.Service).inputs.template;
    expect(template.scaling).toEqual({ minInstanceCount: 2, maxInstanceCount: 7 });
    const container = template.containers![0]!;
    expect(container.resources).toEqual({ limits: { cpu: "1", memory: "1024Mi" }, cpuIdle: true, startupCpuBoost: true });
    expect(container.ports).toEqual({ containerPort: 9000 });
    expect(container.startupProbe).toEqual({ httpGet: { path: "/ready", port: 9000 }, periodSeconds: 15, timeoutSeconds: 3, initialDelaySeconds: 30, failureThreshold: 3 });
    expect(container.livenessProbe).toEqual({ httpGet: { path: "/ready", port: 9000 }, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 5 });
  });

  it("defaults a public service to ingress from its load balancer only: serverless NEG, backend service with logging, HTTPS with a managed certificate and a modern TLS policy, HTTP redirected", async () => {
    const plan = await build();
    const run = plan.find(cloudrunv2.Service);
    expect(run.inputs.ingress).toBe("INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
    plan.hasResource(cloudrunv2.ServiceIamMember, { role: "roles/run.invoker", member: "allUsers" });
    expect(plan.find(compute.RegionNetworkEndpointGroup).inputs).toMatchObject({ networkEndpointType: "SERVERLESS", cloudRun: { service: run.outputs.name } });
    expect(plan.find(compute.BackendService).inputs).toMatchObject({ loadBalancingScheme: "EXTERNAL_MANAGED", logConfig: { enable: true, sampleRate: 1 }, enableCdn: false });
    expect(plan.find(compute.ManagedSslCertificate).inputs.managed).toEqual({ domains: ["shop.example.com"] });
    expect(plan.find(compute.SSLPolicy).inputs).toMatchObject({ profile: "MODERN", minTlsVersion: "TLS_1_2" });
    expect(plan.find(compute.URLMap, "api-redirect").inputs.defaultUrlRedirect).toEqual({ httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false });
    expect(plan.findAll(compute.GlobalForwardingRule).map((r) => r.inputs.portRange)).toEqual(["443", "80"]);
  });

  it("puts Cloud Armor's preconfigured WAF rules in front when waf is on, and Cloud CDN when asked", async () => {
    const plan = await build({}, { cdn: true }, { network: { loadBalancer: { domain: "shop.example.com", waf: true } } });
    const armor = plan.find(compute.SecurityPolicy);
    expect(armor.inputs.rules?.map((r) => [r.priority, r.action, r.match.expr?.expression ?? r.match.versionedExpr])).toEqual([
      ...WAF_RULES.map((rule, i) => [1000 + i, "deny(403)", `evaluatePreconfiguredWaf('${rule}', {'sensitivity': 1})`]),
      [2147483647, "allow", "SRC_IPS_V1"],
    ]);
    expect(plan.find(compute.BackendService).inputs).toMatchObject({ securityPolicy: armor.id, enableCdn: true, cdnPolicy: { cacheMode: "CACHE_ALL_STATIC" } });
    (await build()).resourceCountIs(compute.SecurityPolicy, 0);
  });

  it("serves plain HTTP on the load balancer when TLS is off, with no certificate", async () => {
    const plan = await build({}, {}, { network: { loadBalancer: { domain: "shop.example.com", tls: false } } });
    plan.resourceCountIs(compute.ManagedSslCertificate, 0);
    expect(plan.findAll(compute.GlobalForwardingRule).map((r) => r.inputs.portRange)).toEqual(["80"]);
  });

  it("creates the host's A record in a Cloud DNS zone when given one, and lists it to create by hand otherwise", async () => {
    const zoned = await build({}, { dnsManagedZone: "shop-example-com" });
    const address = zoned.find(compute.GlobalAddress);
    expect(zoned.find(dns.RecordSet).inputs).toEqual({ managedZone: "shop-example-com", name: "shop.example.com.", type: "A", ttl: 300, rrdatas: [address.outputs.address] });
    const records = await planOf(() => {
      const network = new Network("net", { app: "shop", network: NETWORK });
      return { records: new WebService("api", { app: "shop", network, host: "shop.example.com", ...specOf() }).dnsRecords };
    });
    records.resourceCountIs(dns.RecordSet, 0);
    expect(records.outputs["records"]).toEqual([{ name: "shop.example.com", type: "A", value: records.find(compute.GlobalAddress).outputs.address }]);
  });

  it("defaults a private service to internal ingress, no load balancer, and callers only by run.invoker", async () => {
    const plan = await planOf(() => {
      const network = new Network("net", { app: "shop", network: NETWORK });
      new WebService("worker", { app: "shop", network, ...specOf({ public: false }) }).allowFrom("api", "serviceAccount:api@acme-shop.iam.gserviceaccount.com");
    });
    expect(plan.find(cloudrunv2.Service).inputs.ingress).toBe("INGRESS_TRAFFIC_INTERNAL_ONLY");
    plan.resourceCountIs(compute.BackendService, 0);
    expect(plan.findAll(cloudrunv2.ServiceIamMember).map((m) => [m.inputs.role, m.inputs.member])).toEqual([["roles/run.invoker", "serviceAccount:api@acme-shop.iam.gserviceaccount.com"]]);
  });

  it("warns that canary and blue-green deploy as rolling updates", async () => {
    const plan = await build({ deployment: { strategy: "canary" } });
    expect(plan.logs.filter((l) => l.severity === "warning").map((l) => l.message)).toContainEqual(expect.stringMatching(/^service api: canary deployments are not built on Google Cloud yet/));
  });

  it("refuses what Cloud Run would refuse, every problem at once, before anything is created", async () => {
    const base = specOf({ healthCheck: { path: "/health", intervalSeconds: 300, timeoutSeconds: 5, gracePeriodSeconds: 600 } });
    const plan = await planOf(() => {
      const network = new Network("net", { app: "shop", network: NETWORK });
      expect(() => new WebService("api", { app: "shop", network, ...base, service: { ...base.service, replicas: { min: 3, max: 2 } } })).toThrow(
        [
          "Invalid web service api (4 problems):",
          "  - services.api.replicas: min 3 and max 2 are not a range Cloud Run scales in; allowed: 0 <= min <= max, max >= 1; make min <= max and max at least 1",
          "  - services.api.healthCheck.gracePeriodSeconds: 600 is longer than a Cloud Run startup probe may wait; allowed: 0 to 240; set gracePeriodSeconds to 240 or less",
          "  - services.api.healthCheck: interval 300 s and timeout 5 s are not probe timings Cloud Run accepts; allowed: timeout < interval <= 240; make timeoutSeconds smaller than intervalSeconds",
          "  - host: is not set, and a public service with TLS needs the domain its Google-managed certificate is issued for; set host, or set loadBalancer.tls to false",
        ].join("\n"),
      );
    });
    plan.resourceCountIs(serviceaccount.Account, 0);
    plan.resourceCountIs(cloudrunv2.Service, 0);
  });
});
