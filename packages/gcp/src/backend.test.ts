import { join } from "node:path";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as compute from "@pulumi/gcp/compute";
import * as dns from "@pulumi/gcp/dns";
import * as logging from "@pulumi/gcp/logging";
import * as monitoring from "@pulumi/gcp/monitoring";
import * as projects from "@pulumi/gcp/projects";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as sql from "@pulumi/gcp/sql";
import * as random from "@pulumi/random";
import { buildModel, loadSpec, PolycloudError, type SpecInput } from "@polycloud/core";
import { checkPreviewEqualsUpdate } from "@polycloud/testing/conformance";
import { AUDIT_LOG_FILTER } from "./audit-log";
import type { Plan } from "@polycloud/testing";
import { backend } from "./backend";
import { gcpModel, planModel } from "./__tests__/fixtures";

const root = join(__dirname, "..", "..", "..");
const shop: SpecInput = {
  name: "shop",
  region: "europe-west4",
  network: { loadBalancer: { domain: "shop.example.com" } },
  services: {
    api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true, secrets: ["stripe-key", "session-key", "webhook-key"], access: { buckets: { assets: "readwrite" } } },
    worker: { image: "ghcr.io/acme/worker:1.0.0", access: { database: false, cache: false, services: [] } },
  },
  database: {},
  cache: {},
  buckets: { assets: {} },
  secrets: { "stripe-key": {}, "session-key": { generate: true }, "webhook-key": {} },
};

describe("the GCP backend", () => {
  it("is the Google Cloud backend of @polycloud/gcp", () => {
    expect([backend.provider, backend.packageName]).toEqual(["gcp", "@polycloud/gcp"]);
  });

  // That a preview of stacks/prod.yaml creates the same resources as an update is the conformance suite's
  // check (it previews the repository's production specs, stacks/prod.yaml among them, with this region).
  it("builds stacks/prod.yaml in the region the stack names, with every component", async () => {
    const config = { "polycloud:gcp.region": "us-east1" };
    const model = buildModel(loadSpec(join(root, "stacks", "prod.yaml")), "gcp", config);
    const update = await planModel(model);
    const components = [...new Set(update.resources().filter((r) => r.type.startsWith("polycloud:gcp:")).map((r) => r.type))].sort();
    expect(components).toEqual(["polycloud:gcp:AuditLog", "polycloud:gcp:Bucket", "polycloud:gcp:Cache", "polycloud:gcp:Database", "polycloud:gcp:Monitoring", "polycloud:gcp:Network", "polycloud:gcp:SecretStore", "polycloud:gcp:WebService"]);
    expect(new Set(update.findAll(cloudrunv2.Service).map((s) => s.inputs.location))).toEqual(new Set(["us-east1"]));
    expect(update.find(sql.DatabaseInstance).inputs.region).toBe("us-east1");
  });

  // The shop spec without stack config, planned once for the tests that read it (plans are costly).
  let shopPlan: Plan;
  beforeAll(async () => {
    shopPlan = await planModel(gcpModel(shop));
  });

  it("takes a spec region that is a Google Cloud region, and refuses one of another cloud without providers.gcp.region", () => {
    const plan = shopPlan;
    expect(plan.find(cloudrunv2.Service, "shop-api-service").inputs.location).toBe("europe-west4");
    expect(() => gcpModel({ ...shop, region: "eu-west-1" })).toThrow('region: "eu-west-1" is not a Google Cloud region, and providers.gcp.region is not set; set providers.gcp.region (or stack config polycloud:gcp.region), e.g. us-east1');
  });

  it("gives each service exactly its grants: secrets, buckets, stores and callers", () => {
    const plan = shopPlan;
    const readers = (name: string) => plan.findAll(secretmanager.SecretIamMember, (m) => m.name.startsWith(`shop-${name}-`)).map((m) => m.name);
    expect(readers("api")).toEqual(["shop-api-reads-stripe_key", "shop-api-reads-session_key", "shop-api-reads-webhook_key", "shop-api-reads-database_url", "shop-api-reads-redis_url"]);
    expect(readers("worker")).toEqual([]);
    expect(plan.findAll(compute.Firewall, (f) => f.inputs.allows !== undefined).map((f) => f.name)).toEqual(["shop-database-from-api", "shop-cache-from-api"]);
    expect(plan.findAll(cloudrunv2.ServiceIamMember).map((m) => [m.name, m.inputs.member])).toEqual([
      ["shop-api-public-invoker", "allUsers"],
      ["shop-worker-invoker-api", expect.stringMatching(/^serviceAccount:shop-dev-api@/)],
    ]);
  });

  it("takes secret values from the program, generates where the spec says, and leaves the rest without a version", async () => {
    const model = gcpModel(shop, { "polycloud:secrets.stripe-key": "set" });
    expect(Object.values(model.secrets).map((s) => s.value)).toEqual(["config", "generated", "missing"]);
    const plan = await planModel(model, { secretValues: { "stripe-key": "sk_test_123" } });
    const versions = plan.findAll(secretmanager.SecretVersion, (v) => v.name.startsWith("shop-secrets-"));
    expect(versions.map((v) => v.name)).toEqual(["shop-secrets-stripe-key-version", "shop-secrets-session-key-version"]);
    expect(versions[0]!.inputs.secretData).toBe("sk_test_123");
    expect(versions[1]!.inputs.secretData).toBe(plan.find(random.RandomPassword, "shop-secrets-session-key-generated").outputs.result);
  });

  it("creates each public service's A record in the Cloud DNS zone the options name", async () => {
    const plan = await planModel(gcpModel(shop, { "polycloud:gcp.dnsManagedZone": "shop-example-com" }));
    expect(plan.findAll(dns.RecordSet).map((r) => [r.inputs.managedZone, r.inputs.name])).toEqual([["shop-example-com", "shop.example.com."]]);
    expect(plan.outputs["dns"]).toEqual([]);
  });

  it("splits a canary service's traffic with the stable revision stack config names, and refuses one of a service the spec does not have or of another service, by its config key", async () => {
    const canary: SpecInput = { ...shop, services: { ...shop.services, api: { ...shop.services.api!, deployment: { strategy: "canary" } } } };
    const model = gcpModel(canary, { "polycloud:gcp.stableRevisions.api": "shop-dev-api-0b1c2d3e" });
    const [plan, preview] = [await planModel(model), await planModel(model, { preview: true })];
    // The rollback pieces do not wait for the revision's name: a preview creates the same resources.
    expect(checkPreviewEqualsUpdate(preview, plan)).toEqual([]);
    const api = plan.find(cloudrunv2.Service, "shop-api-service");
    expect(api.inputs.traffics?.map((t) => [t.revision, t.percent])).toEqual([[api.inputs.template.revision, 10], ["shop-dev-api-0b1c2d3e", 90]]);
    expect(plan.find(cloudrunv2.Service, "shop-worker-service").inputs.traffics).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]);
    // Refused by the model, before anything is built (so validate and plan say it too).
    expect(() => gcpModel(canary, { "polycloud:gcp.stableRevisions.apj": "shop-dev-api-0b1c2d3e", "polycloud:gcp.stableRevisions.worker": "shop-dev-api-0b1c2d3e" })).toThrow(
      [
        "Spec shop cannot be built on gcp (2 problems):",
        '  - polycloud:gcp.stableRevisions.apj: "apj" is not a service of the spec; allowed: api, worker; did you mean polycloud:gcp.stableRevisions.api?',
        '  - polycloud:gcp.stableRevisions.worker: "shop-dev-api-0b1c2d3e" is not a revision of Cloud Run service shop-dev-worker; allowed: shop-dev-worker-<suffix>, lowercase letters, digits and hyphens, at most 63 characters; set it to a revision of the service (gcloud run revisions list --service shop-dev-worker), or leave it unset for a first deployment',
      ].join("\n"),
    );
  });

  it("sends an aborted canary's traffic all to the stable revision when polycloud:gcp.abortedRollouts names it, with its alert disabled", async () => {
    const canary: SpecInput = { ...shop, services: { ...shop.services, api: { ...shop.services.api!, deployment: { strategy: "canary" } } } };
    const plan = await planModel(gcpModel(canary, { "polycloud:gcp.stableRevisions.api": "shop-dev-api-0b1c2d3e", "polycloud:gcp.abortedRollouts.api": "true" }));
    const api = plan.find(cloudrunv2.Service, "shop-api-service");
    expect(api.inputs.traffics?.map((t) => [t.revision, t.percent, t.tag])).toEqual([["shop-dev-api-0b1c2d3e", 100, undefined], [api.inputs.template.revision, 0, "canary"]]);
    expect(plan.findAll(monitoring.AlertPolicy).filter((p) => p.inputs.userLabels?.["rollback_to"] !== undefined).map((p) => p.inputs.enabled)).toEqual([false]);
  });

  it("turns on Data Access audit logs and a sink of every audit log to a log bucket when logging.audit is on", async () => {
    const plan = await planModel(gcpModel({ ...shop, logging: { audit: true, retentionDays: 400 } }));
    expect(plan.find(projects.IAMAuditConfig).inputs).toMatchObject({ project: "acme-shop", service: "allServices", auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }] });
    const bucket = plan.find(logging.ProjectBucketConfig, "shop-audit-bucket");
    expect(bucket.inputs).toMatchObject({ location: "europe-west4", retentionDays: 400 });
    expect(plan.find(logging.ProjectSink, "shop-audit-sink").inputs).toMatchObject({ filter: AUDIT_LOG_FILTER, destination: `logging.googleapis.com/${bucket.id}` });
    shopPlan.resourceCountIs(projects.IAMAuditConfig, 0);
  });

  it("refuses a model without a region anywhere, naming where to set one, before anything is created", async () => {
    const model = gcpModel({ ...shop, region: undefined } as SpecInput);
    const plan = planModel(model, { config: { "gcp:region": "" } });
    await expect(plan).rejects.toThrow(PolycloudError);
    await expect(planModel(model, { config: { "gcp:region": "" } })).rejects.toThrow("region: is not set, and application shop is regional; set providers.gcp.region (stack config polycloud:gcp.region), stack config gcp:region, or the component's region");
  });
});
