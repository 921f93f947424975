import * as cloudfunctionsv2 from "@pulumi/gcp/cloudfunctionsv2";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as compute from "@pulumi/gcp/compute";
import * as dns from "@pulumi/gcp/dns";
import * as monitoring from "@pulumi/gcp/monitoring";
import * as pubsub from "@pulumi/gcp/pubsub";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, type SpecInput } from "@polycloud/core";
import type { Plan } from "@polycloud/testing";
import { WAF_RULES } from "./load-balancer";
import { Network } from "./network";
import { revisionName } from "./rollout";
import { rolloutTraffic, WebService, type WebServiceArgs } from "./web-service";
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
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await build();
  });

  it("defaults to a service account of its own, which may read exactly the secrets it references, before the service exists", () => {
    const plan = defaults;
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

  it("defaults to all egress through the VPC under its own network tag, so the firewall decides what it reaches", () => {
    const plan = defaults;
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

  it("defaults a public service to ingress from its load balancer only: serverless NEG, backend service with logging, HTTPS with a managed certificate and a modern TLS policy, HTTP redirected", () => {
    const plan = defaults;
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
    defaults.resourceCountIs(compute.SecurityPolicy, 0);
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
    expect(records.outputs["records"]).toEqual([{ name: "shop.example.com", type: "A", value: records.find(compute.GlobalAddress).outputs.address, purpose: expect.stringContaining("certificate") }]);
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

  describe("deployments", () => {
    type Deployment = Record<string, unknown>;
    const deploy = (deployment: Deployment, extra: Extra = {}, image = "ghcr.io/acme/api:1.0.0") =>
      planOf(() => {
        const network = new Network("net", { app: "shop", network: NETWORK });
        const api = new WebService("api", { app: "shop", network, host: "shop.example.com", ...specOf({ image, deployment }), ...extra });
        return { revision: api.revision, candidateUrl: api.candidateUrl, promotion: api.promotion };
      });
    const canary = { strategy: "canary" };
    const STABLE = "shop-dev-api-0b1c2d3e";
    const rollbackPieces = [cloudfunctionsv2.Function, pubsub.Topic, monitoring.NotificationChannel, storage.Bucket, monitoring.AlertPolicy] as const;
    // A first canary (no stable revision), planned once for the two tests that read it.
    let firstCanary: Plan;
    beforeAll(async () => {
      firstCanary = await deploy(canary);
    });

    it("names each revision after the service and a hash of its template, the same in every plan and another when the image changes", async () => {
      const first = firstCanary;
      const [again, next] = await Promise.all([deploy(canary), deploy(canary, {}, "ghcr.io/acme/api:1.0.1")]);
      const template = first.find(cloudrunv2.Service).inputs.template;
      expect(template.revision).toBe(revisionName("shop-dev-api", template));
      expect(first.outputs["revision"]).toBe(template.revision);
      expect(again.find(cloudrunv2.Service).inputs.template.revision).toBe(template.revision);
      expect(next.find(cloudrunv2.Service).inputs.template.revision).toMatch(/^shop-dev-api-[0-9a-f]{8}$/);
      expect(next.find(cloudrunv2.Service).inputs.template.revision).not.toBe(template.revision);
    });

    it("defaults a rolling update to Cloud Run's latest ready revision, with no rollback pieces", async () => {
      const plan = await deploy({ strategy: "rolling" }, { stableRevision: STABLE });
      expect(plan.find(cloudrunv2.Service).inputs.traffics).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]);
      for (const type of rollbackPieces) plan.resourceCountIs(type, 0);
      expect(plan.outputs["promotion"]).toBeUndefined();
    });

    it("sends all traffic to a first canary, which has the rollback function but no alert until there is a stable revision", () => {
      const plan = firstCanary;
      const candidate = plan.outputs["revision"] as string;
      expect(plan.find(cloudrunv2.Service).inputs.traffics).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: candidate, percent: 100 }]);
      plan.resourceCountIs(cloudfunctionsv2.Function, 1);
      plan.resourceCountIs(monitoring.AlertPolicy, 0);
      expect(plan.outputs["promotion"]).toBeUndefined();
      expect(plan.outputs["candidateUrl"]).toBeUndefined();
    });

    it("sends a canary the first step's share and the stable revision the rest, watched by an alert on the new revision that rolls back to the stable one", async () => {
      const plan = await deploy({ strategy: "canary", canary: { steps: [20, 100] } }, { stableRevision: STABLE });
      const run = plan.find(cloudrunv2.Service);
      const candidate = plan.outputs["revision"] as string;
      expect(run.inputs.traffics).toEqual([
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: candidate, percent: 20, tag: "canary" },
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: STABLE, percent: 80 },
      ]);
      expect(plan.outputs["candidateUrl"]).toBe(run.outputs.uri!.replace("https://", "https://canary---"));
      expect(plan.outputs["promotion"]).toBe(`pulumi config set polycloud:gcp.stableRevisions.api ${candidate} && pulumi up`);
      expect(plan.logs.map((l) => l.message)).toContainEqual(`service api: canary of revision ${candidate} (stable ${STABLE}); promote it with: pulumi config set polycloud:gcp.stableRevisions.api ${candidate} && pulumi up`);
      const policy = plan.find(monitoring.AlertPolicy);
      const condition = policy.inputs.conditions[0]!.conditionThreshold!;
      const only = `resource.type="cloud_run_revision" AND resource.labels.service_name="shop-dev-api" AND resource.labels.revision_name="${candidate}"`;
      expect(condition).toMatchObject({
        filter: `metric.type="run.googleapis.com/request_count" AND ${only} AND metric.labels.response_code_class="5xx"`,
        denominatorFilter: `metric.type="run.googleapis.com/request_count" AND ${only}`,
        comparison: "COMPARISON_GT",
        // The SLO's error rate: the development preset's 1%.
        thresholdValue: 0.01,
        duration: "120s",
      });
      expect(policy.inputs.enabled).toBe(true);
      expect(policy.inputs.userLabels).toMatchObject({ rollback_service: "shop-dev-api", rollback_to: STABLE, rollback_from: candidate });
      expect(policy.inputs.notificationChannels).toEqual([plan.find(monitoring.NotificationChannel).id]);
      expect(plan.find(monitoring.NotificationChannel).inputs.labels).toEqual({ topic: plan.find(pubsub.Topic).id });
    });

    it("keeps a blue-green's traffic on the stable revision and serves the new one at its preview tag until promoted", async () => {
      const plan = await deploy({ strategy: "blue-green" }, { stableRevision: STABLE });
      const candidate = plan.outputs["revision"] as string;
      expect(plan.find(cloudrunv2.Service).inputs.traffics).toEqual([
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: STABLE, percent: 100 },
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: candidate, percent: 0, tag: "preview" },
      ]);
      expect(plan.outputs["candidateUrl"]).toBe(plan.find(cloudrunv2.Service).outputs.uri!.replace("https://", "https://preview---"));
      expect(plan.find(monitoring.AlertPolicy).inputs.userLabels).toMatchObject({ rollback_to: STABLE, rollback_from: candidate });
    });

    it("sends all traffic of an aborted canary to the stable revision, keeps the new one at its canary tag, and disables its alert", async () => {
      const plan = await deploy({ strategy: "canary", canary: { steps: [20, 100] } }, { stableRevision: STABLE, rolloutAborted: true });
      const run = plan.find(cloudrunv2.Service);
      const candidate = plan.outputs["revision"] as string;
      expect(run.inputs.traffics).toEqual([
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: STABLE, percent: 100 },
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: candidate, percent: 0, tag: "canary" },
      ]);
      expect(plan.outputs["candidateUrl"]).toBe(run.outputs.uri!.replace("https://", "https://canary---"));
      expect(plan.find(monitoring.AlertPolicy).inputs.enabled).toBe(false);
      expect(plan.logs.map((l) => l.message)).toContainEqual(`service api: canary of revision ${candidate} aborted (polycloud:gcp.abortedRollouts.api): ${STABLE} takes all traffic; promote it with polycloud promote`);
      expect(plan.outputs["promotion"]).toBe(`pulumi config set polycloud:gcp.stableRevisions.api ${candidate} && pulumi config rm polycloud:gcp.abortedRollouts.api && pulumi up`);
    });

    it("sends all traffic to a promoted revision (stable is the one deployed) and disables its alert", async () => {
      const candidate = (await deploy({ strategy: "blue-green" })).outputs["revision"] as string;
      const plan = await deploy({ strategy: "blue-green" }, { stableRevision: candidate });
      expect(plan.find(cloudrunv2.Service).inputs.traffics).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: candidate, percent: 100 }]);
      expect(plan.find(monitoring.AlertPolicy).inputs.enabled).toBe(false);
      expect(plan.outputs["promotion"]).toBeUndefined();
      expect(plan.outputs["candidateUrl"]).toBeUndefined();
    });

    it("lets the rollback function update this service only, as an account of its own triggered by the rollback topic", async () => {
      const plan = await deploy(canary, { stableRevision: STABLE });
      const run = plan.find(cloudrunv2.Service);
      const rollbackAccount = plan.find(serviceaccount.Account, "api-rollback-sa");
      const fn = plan.find(cloudfunctionsv2.Function);
      expect(fn.inputs.serviceConfig).toMatchObject({ serviceAccountEmail: rollbackAccount.outputs.email, ingressSettings: "ALLOW_INTERNAL_ONLY", environmentVariables: { SERVICE: run.id } });
      expect(fn.inputs.eventTrigger).toMatchObject({ eventType: "google.cloud.pubsub.topic.v1.messagePublished", pubsubTopic: plan.find(pubsub.Topic).id });
      const member = `serviceAccount:${rollbackAccount.outputs.email}`;
      expect(plan.findAll(cloudrunv2.ServiceIamMember).filter((m) => m.inputs.member === member).map((m) => [m.inputs.name, m.inputs.role])).toEqual([
        [run.outputs.name, "roles/run.developer"],
        [fn.outputs.name, "roles/run.invoker"],
      ]);
      expect(plan.find(serviceaccount.IAMMember).inputs).toEqual({ serviceAccountId: plan.find(serviceaccount.Account, "api-sa").outputs.name, role: "roles/iam.serviceAccountUser", member });
    });

    it("builds no rollback pieces when rollback.onAlarm is false", async () => {
      const plan = await deploy({ strategy: "canary", rollback: { onAlarm: false } }, { stableRevision: STABLE });
      expect(plan.find(cloudrunv2.Service).inputs.traffics).toHaveLength(2);
      for (const type of rollbackPieces) plan.resourceCountIs(type, 0);
    });

    it("refuses a stable revision that is not a revision of the service, naming the value, what is allowed and the fix", async () => {
      await planOf(() => {
        const network = new Network("net", { app: "shop", network: NETWORK });
        expect(() => new WebService("api", { app: "shop", network, host: "shop.example.com", ...specOf({ deployment: canary }), stableRevision: "shop-dev-web-0b1c2d3e" })).toThrow(
          'stableRevision: "shop-dev-web-0b1c2d3e" is not a revision of Cloud Run service shop-dev-api; allowed: shop-dev-api-<suffix>, lowercase letters, digits and hyphens, at most 63 characters; set it to a revision of the service (gcloud run revisions list --service shop-dev-api), or leave it unset for a first deployment',
        );
      });
    });
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

describe("rolloutTraffic", () => {
  const to = (revision: string, percent: number, tag?: string) => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision, percent, ...(tag === undefined ? {} : { tag }) });
  const NEW = "shop-dev-api-9f8e7d6c";
  const OLD = "shop-dev-api-0b1c2d3e";
  it.each([
    ["an aborted canary: all to the stable revision, the candidate at its tag", "canary", [20], OLD, true, [to(OLD, 100), to(NEW, 0, "canary")]],
    ["an aborted canary whose first step is 100%", "canary", [100], OLD, true, [to(OLD, 100), to(NEW, 0, "canary")]],
    ["an aborted blue-green", "blue-green", [10], OLD, true, [to(OLD, 100), to(NEW, 0, "preview")]],
    ["an aborted canary with no stable revision: nothing to go back to", "canary", [20], undefined, true, [to(NEW, 100)]],
    ["an aborted canary already promoted", "canary", [20], NEW, true, [to(NEW, 100)]],
    ["a canary not aborted: the strategy's split", "canary", [20], OLD, false, [to(NEW, 20, "canary"), to(OLD, 80)]],
  ] as const)("%s", (_, strategy, steps, stable, aborted, traffic) => {
    expect(rolloutTraffic({ strategy, canary: { steps: [...steps], intervalMinutes: 5 } }, NEW, stable, aborted)).toEqual(traffic);
  });
});
