import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AppModel } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { checkObservation, type Observation } from "@polycloud/testing/conformance";
import { backend } from "./backend";
import { Bucket } from "./bucket";
import { Database } from "./database";
import { conformanceReader, conformanceWaivers } from "./conformance";
import { FULL_SPEC, model, namespace } from "./__tests__/fixtures";

const OPERATORS = {
  "polycloud:kubernetes.argoRollouts": "true",
  "polycloud:kubernetes.cloudNativePg": JSON.stringify({ objectStore: { destinationPath: "s3://backups/shop", credentialsSecret: "backup-creds" } }),
  "polycloud:kubernetes.externalSecretStore.name": "aws-secrets-manager",
};

/** Builds the model with the backend (plus `extra` objects in the same program) and reads the plan back. */
async function observe(m: AppModel<"kubernetes">, extra: () => void = () => {}): Promise<{ plan: Plan; observation: Observation }> {
  const plan = await runProgram(
    () => {
      backend.build(m, new pulumi.ComponentResource("polycloud:platform:Platform", "shop"), { secretValues: { "stripe-key": pulumi.secret("sk_test_value") } });
      extra();
    },
    { project: "shop" },
  );
  return { plan, observation: conformanceReader(plan, m) };
}

const edges = (o: Observation) => o.reachability.map((r) => `${"name" in r.from ? r.from.name : r.from.kind} -> ${"name" in r.to ? `${r.to.kind} ${r.to.name}` : r.to.kind}`).sort();

describe("conformanceReader", () => {
  it.each([
    ["a plain cluster", {}],
    ["a cluster with every operator", OPERATORS],
  ])("reads a full spec on %s into an observation the suite finds nothing wrong with, besides the waived", async (_, config) => {
    const m = model(FULL_SPEC, config);
    const { observation } = await observe(m);
    expect(checkObservation(m, observation, conformanceWaivers)).toEqual([]);
  });

  it("reads each service's secret references and plain variables from its container", async () => {
    const { observation } = await observe(model());
    expect(observation.services).toEqual({
      api: {
        secrets: [
          { envName: "STRIPE_KEY", source: { kind: "secret", name: "stripe-key" } },
          { envName: "DATABASE_URL", source: { kind: "database" } },
          { envName: "REDIS_URL", source: { kind: "cache" } },
        ],
        plainEnv: ["LOG_LEVEL"],
      },
      worker: { secrets: [{ envName: "REDIS_URL", source: { kind: "cache" } }], plainEnv: [] },
    });
  });

  it("evaluates the NetworkPolicies into exactly the granted connections", async () => {
    const { observation } = await observe(model());
    expect(edges(observation)).toEqual([
      "api -> bucket assets",
      "api -> cache",
      "api -> database",
      "api -> service worker",
      "loadBalancer -> service api",
      "worker -> bucket assets",
      "worker -> cache",
    ]);
  });

  it("reports a connection the plan allows beyond the grants, e.g. a policy that opens the database to every pod", async () => {
    const { observation } = await observe(model(), () => {
      new k8s.networking.v1.NetworkPolicy("open-database", {
        metadata: { name: "open-database", namespace: "shop-prd" },
        spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } }, policyTypes: ["Ingress"], ingress: [{}] },
      });
    });
    // Anything outside the namespace now reaches it; a service of the namespace still needs its own egress grant.
    expect(edges(observation)).toContain("anywhere -> database");
    expect(edges(observation)).not.toContain("worker -> database");
  });

  it("reads each service's bucket access from the MinIO user its credentials belong to", async () => {
    const { observation } = await observe(model());
    expect(observation.bucketAccess).toEqual([
      { service: "api", bucket: "assets", access: "readwrite" },
      { service: "worker", bucket: "assets", access: "read" },
    ]);
  });

  it("judges a bucket user by the policy the setup script attaches, not by its Secret's name", async () => {
    const m = model({ ...FULL_SPEC, services: { api: { ...FULL_SPEC.services!["api"]!, access: { buckets: { assets: "read" } } } } });
    const plan = await runProgram(() => {
      const bucket = new Bucket("assets", {
        app: "shop",
        bucket: m.buckets["assets"]!.spec,
        network: namespace(),
        access: ["read"],
        transform: {
          // The "read" user gets MinIO's readwrite policy.
          setupJob: (args) => {
            const container = (args.spec as { template: { spec: { containers: { command: string[] }[] } } }).template.spec.containers[0]!;
            container.command = container.command.map((part) => part.replace("attach store assets-read", "attach store readwrite"));
          },
        },
      });
      const env = bucket.credentialsFor("read").map((r) => ({ name: r.envName, valueFrom: { secretKeyRef: { name: r.location.secretName, key: r.location.key } } }));
      new k8s.apps.v1.Deployment(
        "api",
        {
          metadata: { name: "api", namespace: "shop-dev" },
          spec: { selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "x", env }] } } },
        },
        { parent: new pulumi.ComponentResource("polycloud:kubernetes:WebService", "api") },
      );
    });
    expect(conformanceReader(plan, m).bucketAccess).toEqual([{ service: "api", bucket: "assets", access: "readwrite" }]);
  });

  it("reads every PrometheusRule alert with its pending minutes, and each escalation with the warning it escalates", async () => {
    const { observation } = await observe(model({ ...FULL_SPEC, monitoring: { ...FULL_SPEC.monitoring, escalateAfterMinutes: 20 } }));
    const alert = (id: string) => observation.alerts.find((a) => a.id === id);
    // The slow burn holds half its 6-hour short window.
    expect(alert("ApiSlowBurn")).toEqual({ id: "ApiSlowBurn", severity: "warning", pendingMinutes: 180 });
    expect(alert("ApiSlowBurnEscalated")).toEqual({ id: "ApiSlowBurnEscalated", severity: "critical", pendingMinutes: 200, escalates: "ApiSlowBurn" });
    expect(alert("StoreDiskFillingEscalated[redis]")).toEqual({ id: "StoreDiskFillingEscalated[redis]", severity: "critical", pendingMinutes: 35, escalates: "StoreDiskFilling[redis]" });
    expect(alert("StoreUnavailable[postgres]")).toMatchObject({ severity: "critical", pendingMinutes: 5 });
  });

  it("reads the endpoints of each severity's receiver, webhook and Slack URLs from their Secret", async () => {
    const { observation } = await observe(model());
    expect(observation.routes).toEqual({
      critical: ["oncall@example.com", "https://hooks.example.com/page"],
      warning: ["https://hooks.slack.com/services/T000/B000/XXX"],
      info: ["team@example.com"],
    });
  });

  it.each([
    ["a pg_dump CronJob", {}],
    ["a CloudNativePG ScheduledBackup", OPERATORS],
  ])("sees the database backed up by %s, and no bucket (waived: nothing copies a MinIO volume)", async (_, config) => {
    const { observation } = await observe(model(FULL_SPEC, config));
    expect(observation.backedUp).toEqual([{ kind: "database" }]);
    expect(conformanceWaivers.find((w) => w.property === "backups")).toMatchObject({ resources: ["bucket"], reason: expect.stringMatching(/MinIO volume/) });
  });

  it("sees no database backup when the CronJob does not run pg_dump", async () => {
    const m = model();
    const plan = await runProgram(() => {
      new Database("db", {
        app: "shop",
        database: m.database!.spec,
        network: namespace(),
        transform: { backupCronJob: { spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: "noop", image: "busybox", command: ["true"] }] } } } } } } },
      });
    });
    expect(conformanceReader(plan, m).backedUp).toEqual([]);
  });

  it("sees the stores, buckets and secrets protected in production and none in development", async () => {
    const production = await observe(model());
    expect(production.observation.protected).toEqual([
      { kind: "database" },
      { kind: "cache" },
      { kind: "bucket", name: "assets" },
      { kind: "secret", name: "stripe-key" },
    ]);
    const development = await observe(model({ ...FULL_SPEC, environment: "development", compliance: [] }));
    expect(development.observation.protected).toEqual([]);
  });

  it("waives encryption with the reason, and reads no key", async () => {
    const { observation } = await observe(model());
    expect(observation.encryption).toEqual([]);
    expect(conformanceWaivers.find((w) => w.property === "encryption")).toEqual({ property: "encryption", reason: expect.stringMatching(/encrypted at rest by the cluster/) });
  });
});
