import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AppModel, SpecInput } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import type { Observation } from "@polycloud/testing/conformance";
import { buildAws, type AwsPlatform } from "./backend";
import { conformanceReader, conformanceWaivers } from "./conformance";
import { awsModel } from "./__tests__/fixtures";

const spec = (environment: "development" | "production"): SpecInput => ({
  name: "shop",
  environment,
  network: { loadBalancer: { domain: "shop.example.com" } },
  services: {
    api: { image: "ghcr.io/acme/api:1.0", public: true, secrets: ["stripe-key"], env: { LOG_LEVEL: "info" }, access: { buckets: { assets: "read" } } },
    worker: { image: "ghcr.io/acme/worker:1.0", access: { database: false, services: [] } },
  },
  database: {},
  buckets: { assets: {} },
  secrets: { "stripe-key": {} },
  monitoring: {
    alerts: { critical: [{ email: "oncall@example.com" }], warning: [{ slack: "https://hooks.slack.com/services/T/B/warning" }], info: [{ webhook: "https://hooks.example.com/info" }] },
  },
});

/** Builds a model and reads the plan back; `tamper` adds resources the model does not ask for. */
async function observe(model: AppModel<"aws">, tamper?: (built: AwsPlatform) => void): Promise<{ plan: Plan; observed: Observation }> {
  const plan = await runProgram(() => {
    const built = buildAws(model, new pulumi.ComponentResource("polycloud:index:Platform", model.app));
    tamper?.(built);
  }, { provider: "aws" });
  return { plan, observed: conformanceReader(plan, model) };
}

describe("conformanceReader", () => {
  const model = awsModel(spec("development"));
  let plan: Plan;
  let observed: Observation;
  beforeAll(async () => {
    ({ plan, observed } = await observe(model));
  });

  it("reads each service's secrets by reference, resolved to their sources, and its plain environment", () => {
    expect(observed.services).toEqual({
      api: {
        secrets: [
          { envName: "STRIPE_KEY", source: { kind: "secret", name: "stripe-key" } },
          { envName: "DATABASE_URL", source: { kind: "database" } },
        ],
        plainEnv: ["LOG_LEVEL"],
      },
      worker: { secrets: [], plainEnv: [] },
    });
  });

  it("shows read access to the granted bucket only, and none for a service without grants", () => {
    expect(observed.bucketAccess).toEqual([{ service: "api", bucket: "assets", access: "read" }]);
  });

  it("shows the connections the security groups allow: the database from its client only, the public entry and the granted call", () => {
    expect(observed.reachability).toEqual(
      expect.arrayContaining([
        { from: { kind: "service", name: "api" }, to: { kind: "database" } },
        { from: { kind: "loadBalancer" }, to: { kind: "service", name: "api" } },
        { from: { kind: "service", name: "api" }, to: { kind: "service", name: "worker" } },
      ]),
    );
    expect(observed.reachability).toHaveLength(3);
    // The worker has no database access: nothing lets it in.
    expect(observed.reachability).not.toContainEqual({ from: { kind: "service", name: "worker" }, to: { kind: "database" } });
  });

  it("names the key in the plan that encrypts the database, the bucket and the secret", () => {
    const keyUrn = (name: string) => plan.find(aws.kms.Key, name).urn;
    expect(observed.encryption).toEqual([
      { resource: { kind: "database" }, keyUrn: keyUrn("shop-database-key") },
      { resource: { kind: "bucket", name: "assets" }, keyUrn: keyUrn("shop-bucket-assets-key") },
      { resource: { kind: "secret", name: "stripe-key" }, keyUrn: keyUrn("shop-secrets-key") },
    ]);
  });

  it("reads alerts with the severity of the topic they notify, their pending minutes and what they escalate", () => {
    const byId = new Map(observed.alerts.map((a) => [a.id, a]));
    expect(byId.get("shop-dev-service-api-cpu")).toEqual({ id: "shop-dev-service-api-cpu", severity: "warning", pendingMinutes: 15, periodMinutes: 5 });
    expect(byId.get("shop-dev-service-api-cpu-escalated")).toEqual({ id: "shop-dev-service-api-cpu-escalated", severity: "critical", pendingMinutes: 30, periodMinutes: 5, escalates: "shop-dev-service-api-cpu" });
    // A composite fires with its slowest window: the 60-minute one of the fast burn.
    expect(byId.get("shop-dev-service-api-fast-burn")).toEqual({ id: "shop-dev-service-api-fast-burn", severity: "critical", pendingMinutes: 60, periodMinutes: 60 });
    // Window alarms of a burn-rate pair notify nobody by themselves: they are not alerts.
    expect(byId.has("shop-dev-service-api-fast-burn-long")).toBe(false);
    // Every warning has exactly one critical twin.
    const warnings = observed.alerts.filter((a) => a.severity === "warning");
    for (const warning of warnings) expect(observed.alerts.filter((a) => a.escalates === warning.id).map((a) => a.severity)).toEqual(["critical"]);
  });

  it("reads the endpoints each severity reaches, Slack webhooks through the forwarder's configuration", () => {
    expect(observed.routes).toEqual({ critical: ["oncall@example.com"], warning: ["https://hooks.slack.com/services/T/B/warning"], info: ["https://hooks.example.com/info"] });
  });

  it("reads the backup selection and finds nothing protected outside production", () => {
    expect(observed.backedUp).toEqual([{ kind: "database" }, { kind: "bucket", name: "assets" }]);
    expect(observed.protected).toEqual([]);
  });

  it("sees protected stateful resources in production", async () => {
    const production = awsModel(spec("production"));
    const { observed: seen } = await observe(production);
    expect(seen.protected).toEqual([{ kind: "database" }, { kind: "bucket", name: "assets" }, { kind: "secret", name: "stripe-key" }]);
  });

  it("reports what the plan allows beyond the model: an address range into the database and a broad grant on a task role", async () => {
    const { observed: seen } = await observe(model, (built) => {
      new aws.vpc.SecurityGroupIngressRule("extra-db-ingress", { securityGroupId: built.database!.securityGroup.id, cidrIpv4: "10.0.0.0/16", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 });
      const worker = built.services.find((s) => s.serviceName === "worker")!;
      new aws.iam.RolePolicy("extra-grant", { role: worker.taskRole.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) });
    });
    expect(seen.reachability).toContainEqual({ from: { kind: "anywhere" }, to: { kind: "database" } });
    expect(seen.bucketAccess).toContainEqual({ service: "worker", bucket: "assets", access: "readwrite" });
  });
});

describe("conformanceWaivers", () => {
  it("waives nothing: AWS gives every guarantee with resources of the plan", () => {
    expect(conformanceWaivers).toEqual([]);
  });
});
