import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parseSpec, PolycloudError, type ResolvedSpec, type SpecInput } from "@polycloud/core";
import { runProgram, secretConfig, type Plan } from "@polycloud/testing";
import { backend, serviceDomain } from "./backend";
import { EGRESS, INGRESS } from "./__tests__/fixtures";

const spec = parseSpec({
  name: "shop",
  environment: "development",
  network: { loadBalancer: { domain: "shop.example.com" } },
  services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true, secrets: ["stripe-key"], env: { LOG_LEVEL: "info" } } },
  database: { size: "small" },
  cache: { size: "small" },
  buckets: { assets: {} },
  secrets: { "stripe-key": { description: "Stripe API key" } },
  monitoring: { alerts: { critical: [{ email: "oncall@example.com" }] } },
});

const T = {
  task: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  selection: "aws:backup/selection:Selection",
  plan: "aws:backup/plan:Plan",
  vault: "aws:backup/vault:Vault",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  composite: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
};

const build = (resolved: ResolvedSpec, options: { preview?: boolean; config?: Record<string, string> } = {}) =>
  runProgram(() => {
    const root = new pulumi.ComponentResource("polycloud:index:Platform", "shop");
    const built = backend.build(resolved, root);
    return { urls: built.services.map((s) => s.url), alerts: built.monitoring.alertCount };
  }, { provider: "aws", preview: options.preview ?? false, config: { "project:stripe-key": secretConfig("sk_live_not_a_real_key"), ...options.config } });

/** A spec with services and only the data stores given, cheap to build. */
const lean = (name: string, services: Record<string, { public?: boolean }>, extra: Partial<SpecInput> = {}) =>
  parseSpec({
    name,
    network: { loadBalancer: { domain: `${name}.example.com` } },
    services: Object.fromEntries(Object.entries(services).map(([s, o]) => [s, { image: `ghcr.io/acme/${s}:1.0`, ...o }])),
    ...extra,
  });

describe("backend", () => {
  it("wires network, secrets, database, cache, buckets, service and monitoring together when given a full spec", async () => {
    const plan = await build(spec);
    for (const type of ["Network", "SecretStore", "Database", "Cache", "Bucket", "Cluster", "WebService", "Monitoring", "BackupPlan"]) plan.resourceCountIs(`polycloud:aws:${type}`, 1);
    plan.resourceCountIs("polycloud:aws:AuditTrail", 0);
    const taskGroup = plan.find(aws.ec2.SecurityGroup, "shop-api-task-sg").id;

    // The database and cache admit the service's security group and nothing else.
    for (const [name, port] of [["shop-database-sg", 5432], ["shop-cache-sg", 6379]] as const) {
      const group = plan.find(aws.ec2.SecurityGroup, name).id;
      const ingress = plan.resources(INGRESS).filter((r) => r.inputs.securityGroupId === group);
      expect(ingress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4, r.inputs.fromPort])).toEqual([[taskGroup, undefined, port]]);
      plan.hasResource(EGRESS, { securityGroupId: taskGroup, referencedSecurityGroupId: group, fromPort: port });
    }

    // The task definition carries references to the three secrets and no secret value.
    const definitions = plan.find(T.task).inputs.containerDefinitions as string;
    const container = JSON.parse(definitions)[0];
    const arn = (name: string) => plan.find(aws.secretsmanager.Secret, name).outputs.arn as string;
    expect(container.secrets).toEqual([
      { name: "STRIPE_KEY", valueFrom: arn("shop-secrets-stripe-key") },
      { name: "DATABASE_URL", valueFrom: `${arn("shop-database-credentials")}:url::` },
      { name: "REDIS_URL", valueFrom: `${arn("shop-cache-credentials")}:url::` },
    ]);
    expect(container.environment).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
    for (const password of plan.resources(random.RandomPassword)) expect(definitions).not.toContain(password.outputs.result);
    expect(definitions).not.toContain("sk_live_not_a_real_key");

    // The execution role reads exactly those secrets, with their keys.
    const readSecrets = JSON.parse(plan.find(T.rolePolicy, (r) => r.name === "shop-api-execution-role-policy").inputs.policy as string).Statement[1];
    expect(readSecrets.Resource).toEqual([arn("shop-secrets-stripe-key"), arn("shop-database-credentials"), arn("shop-cache-credentials")]);

    // The spec secret's value comes from stack config, as a secret.
    const version = plan.find(T.secretVersion, { secretId: plan.find(aws.secretsmanager.Secret, "shop-secrets-stripe-key").id });
    expect(version.secretInputs).toContain("secretString");

    // Every alarm targets a topic, or is a window of a composite alarm that does.
    const topics = new Set(plan.resources(aws.sns.Topic).map((t) => t.outputs.arn));
    const members = new Set(plan.resources(T.composite).flatMap((c) => [...(c.inputs.alarmRule as string).matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1])));
    // Service, database and cache alarms, the escalations of their warnings, and the service's deployment alarm.
    expect(plan.resources(T.alarm).length).toBe(17 + 3 + 2 + (4 + 3 + 2) + 1);
    for (const alarm of [...plan.resources(T.alarm), ...plan.resources(T.composite)]) {
      const actions = (alarm.inputs.alarmActions ?? []) as string[];
      expect((actions.length > 0 && actions.every((a) => topics.has(a))) || members.has(alarm.outputs.name)).toBe(true);
    }
    expect(plan.outputs).toMatchObject({ urls: ["https://shop.example.com"], alerts: 11 + 3 + 2 + 9 + 1 });

    // AWS Backup covers the database and the (versioned) bucket, daily.
    const selection = plan.find(T.selection).inputs;
    expect(selection.resources).toEqual([plan.find(aws.rds.Instance).outputs.arn, plan.find(aws.s3.Bucket, "shop-bucket-assets").outputs.arn]);
    expect(plan.find(T.plan).inputs.rules[0]).toMatchObject({ schedule: "cron(0 5 ? * * *)", lifecycle: { deleteAfter: 7 } });
    // Failed backup jobs reach the warning topic through an EventBridge rule, which the topic admits.
    const warning = plan.find(aws.sns.Topic, "shop-monitoring-warning");
    const rule = plan.find(aws.cloudwatch.EventRule);
    expect(plan.find(aws.cloudwatch.EventTarget).inputs).toMatchObject({ rule: rule.outputs.name, arn: warning.outputs.arn });
    const warningPolicy = plan.find(aws.sns.TopicPolicy, (r) => r.inputs.arn === warning.outputs.arn);
    expect(JSON.parse(warningPolicy.inputs.policy as string).Statement).toContainEqual(expect.objectContaining({ Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish" }));
  });

  describe("when two specs are built in one stack", () => {
    let plan: Plan;
    beforeAll(async () => {
      plan = await runProgram(() => {
        for (const resolved of [lean("shop", { api: { public: true }, worker: {} }), lean("blog", { web: { public: true } })]) {
          backend.build(resolved, new pulumi.ComponentResource("polycloud:index:Platform", resolved.name));
        }
      }, { provider: "aws" });
    });

    it("registers every resource under its own URN, named after its spec", () => {
      const urns = plan.resources().map((r) => r.urn);
      expect(new Set(urns).size).toBe(urns.length);
      expect(plan.resources("polycloud:aws:Network").map((r) => r.name)).toEqual(["shop-network", "blog-network"]);
      expect(plan.resources("polycloud:aws:WebService").map((r) => r.name)).toEqual(["shop-api", "shop-worker", "blog-web"]);
      // Physical names already start with the app: the prefix is not repeated.
      expect(plan.find(aws.lb.LoadBalancer, "shop-api-lb").inputs.name).toBe("shop-dev-api");
    });

    it("runs all services of a spec in one cluster with one log key and one access-log bucket", () => {
      plan.resourceCountIs(aws.ecs.Cluster, 2);
      const cluster = plan.find(aws.ecs.Cluster, "shop-cluster");
      expect(cluster.inputs.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
      const logBucket = plan.find(aws.s3.Bucket, "shop-cluster-lb-logs");
      const key = plan.find(aws.kms.Key, "shop-cluster-key");
      const shop = plan.find("polycloud:index:Platform", "shop");
      const ownKinds = plan.descendants(shop).filter((r) => r.type === "aws:kms/key:Key" || r.type === "aws:s3/bucket:Bucket" || r.type === "aws:ecs/cluster:Cluster").map((r) => r.name);
      expect(ownKinds.sort()).toEqual(["shop-cluster", "shop-cluster-key", "shop-cluster-lb-logs", "shop-network-flow-logs-key", "shop-secrets-key", "shop-monitoring-key"].sort());
      for (const service of ["shop-api", "shop-worker"]) {
        expect(plan.find(T.service, service).inputs.cluster).toBe(cluster.outputs.arn);
        expect(plan.find(aws.lb.LoadBalancer, `${service}-lb`).inputs.accessLogs).toMatchObject({ bucket: logBucket.outputs.bucket, enabled: true });
        expect(plan.find(aws.lb.LoadBalancer, `${service}-lb`).dependencies).toContain(plan.find("aws:s3/bucketPolicy:BucketPolicy", "shop-cluster-lb-logs-policy").urn);
        expect(plan.find(aws.cloudwatch.LogGroup, `${service}-logs`).inputs.kmsKeyId).toBe(key.outputs.arn);
      }
    });
  });

  it("registers the same resources in a preview as in an update when given a full spec", async () => {
    const urns = async (preview: boolean) => (await build(spec, { preview })).resources().map((r) => r.urn).sort();
    const [previewed, updated] = [await urns(true), await urns(false)];
    expect(previewed).toEqual(updated);
    expect(updated.length).toBeGreaterThan(100);
  });

  it("registers the same resources in a preview as in an update when the spec is production with blue-green and Slack routes", async () => {
    const production = parseSpec({
      name: "shop",
      environment: "production",
      network: { loadBalancer: { domain: "shop.example.com" } },
      services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true, deployment: { strategy: "blue-green" } } },
      database: {},
      monitoring: { alerts: { critical: [{ slack: "https://hooks.slack.com/services/T/B/critical" }], warning: [{ slack: "https://hooks.slack.com/services/T/B/warning" }] } },
    });
    const [preview, update] = [await build(production, { preview: true }), await build(production)];
    const tree = (plan: Plan) => plan.resources().map((r) => `${r.urn} < ${r.parent ?? ""}`).sort();
    expect(tree(preview)).toEqual(tree(update));
    // What a preview must not lose: blue and green target groups, the production listener rule, the Slack forwarder, the audit trail.
    preview.resourceCountIs(aws.lb.TargetGroup, 2);
    preview.resourceCountIs("aws:lb/listenerRule:ListenerRule", 1);
    preview.resourceCountIs(aws.lambda.Function, 1);
    preview.resourceCountIs(aws.cloudtrail.Trail, 1);
  });

  it("tags every resource that takes tags with app, environment and managed-by when given a full spec", async () => {
    const plan = await build(spec);
    // Whether a type takes tags, from its SDK class: its constructor copies args.tags into its inputs.
    const takesTags = (type: string): boolean => {
      const [, module, className] = /^aws:([^/]+)\/[^:]+:(.+)$/.exec(type)!;
      const sdkClass = (aws as unknown as Record<string, Record<string, unknown>>)[module!]![className!];
      return String(sdkClass).includes('resourceInputs["tags"]');
    };
    const taggable = plan.resources().filter((r) => r.custom && r.type.startsWith("aws:") && takesTags(r.type));
    expect(taggable.length).toBeGreaterThan(80);
    const untagged = taggable.filter((r) => {
      const tags = (r.inputs as { tags?: Record<string, string> }).tags ?? {};
      return tags["app"] !== "shop" || tags["environment"] !== "development" || tags["managed-by"] !== "polycloud";
    });
    expect(untagged.map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });

  it("protects stateful resources when the spec is production", async () => {
    const production = parseSpec({
      name: "shop",
      environment: "production",
      network: { loadBalancer: { domain: "shop.example.com" } },
      services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true } },
      database: {},
    });
    const plan = await build(production);
    expect(plan.find(aws.rds.Instance).options.protect).toBe(true);
    expect(plan.find(aws.rds.Instance).inputs).toMatchObject({ multiAz: true, deletionProtection: true, backupRetentionPeriod: 30 });
    expect(plan.resources(aws.kms.Key).every((k) => k.options.protect)).toBe(true);
    plan.resourceCountIs(aws.ec2.NatGateway, 3);
    plan.resourceCountIs("aws:wafv2/webAcl:WebAcl", 1);
    // Production turns audit logging on: a trail; backups are locked in their vault.
    plan.resourceCountIs("polycloud:aws:AuditTrail", 1);
    expect(plan.find("aws:backup/vault:Vault").options.protect).toBe(true);
    plan.resourceCountIs("aws:backup/vaultLockConfiguration:VaultLockConfiguration", 1);
  });

  it("copies backups to the region in polycloud:backupRegion when backup.crossRegion is true", async () => {
    const crossRegion = lean("shop", { api: { public: true } }, { buckets: { assets: {} }, backup: { crossRegion: true } });
    const plan = await build(crossRegion, { config: { "polycloud:backupRegion": "us-west-2" } });
    const copy = plan.find("aws:backup/vault:Vault", "shop-backup-copy-vault");
    expect(copy.inputs.region).toBe("us-west-2");
    expect(plan.find(T.plan).inputs.rules[0].copyActions).toEqual([{ destinationVaultArn: copy.outputs.arn, lifecycle: { deleteAfter: 7 } }]);
  });

  describe("validate", () => {
    it("reports nothing when the spec fits AWS", () => {
      expect(backend.validate(spec)).toEqual([]);
    });

    it.each([
      ["an invalid CIDR", { ...spec, network: { ...spec.network, cidr: "10.0.0.0/8" } }, "network.cidr"],
      ["min > max", { ...spec, services: [{ ...spec.services[0]!, replicas: { min: 5, max: 3 } }] }, "services.api.replicas.min"],
      ["an unknown secret name", { ...spec, services: [{ ...spec.services[0]!, secrets: ["stripe-kee"] }] }, "services.api.secrets[0]"],
      ["a Fargate size AWS does not offer", { ...spec, services: [{ ...spec.services[0]!, cpu: 3 }] }, "services.api.cpu"],
      ["TLS without a domain", { ...spec, network: { ...spec.network, loadBalancer: { public: true, tls: true, waf: false } } }, "network.loadBalancer.domain"],
      ["a CDN, which AWS does not build yet", { ...spec, network: { ...spec.network, cdn: true } }, "network.cdn"],
      ["cross-region backups without a backup region", { ...spec, backup: { ...spec.backup, crossRegion: true } }, "backup.crossRegion"],
    ] as [string, ResolvedSpec, string][])("reports the field path when given %s", (_, bad, path) => {
      expect(backend.validate(bad).map((p) => p.path)).toEqual([path]);
    });

    it("reports a missing domain once when several services need it", () => {
      const two = lean("shop", { api: { public: true }, worker: {} });
      const problems = backend.validate({ ...two, network: { ...two.network, loadBalancer: { public: true, tls: true, waf: false } } });
      expect(problems.map((p) => p.path)).toEqual(["network.loadBalancer.domain"]);
    });

    it("says how to fix an unsupported CDN and a missing backup region", () => {
      const message = new PolycloudError(backend.validate({ ...spec, network: { ...spec.network, cdn: true }, backup: { ...spec.backup, crossRegion: true } })).message;
      expect(message).toContain("network.cdn: true is not supported by the AWS backend yet; set cdn: false");
      expect(message).toContain("backup.crossRegion: true needs a second region for the copies on AWS, and backupRegion is not set; set backupRegion (stack config: pulumi config set polycloud:backupRegion us-west-2)");
    });

    it("makes build throw PolycloudError before creating anything when the spec has problems", async () => {
      const bad = { ...spec, services: [{ ...spec.services[0]!, secrets: ["stripe-kee"] }] };
      const error = await build(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolycloudError);
      expect((error as Error).message).toContain('services.api.secrets[0]: "stripe-kee" is not defined in secrets (defined: stripe-key)');
    });

    it("fails with the zones path when the region has fewer zones than requested", async () => {
      const one = lean("shop", { api: { public: true } });
      const error = await build({ ...one, network: { ...one.network, zones: 4 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolycloudError);
      expect((error as Error).message).toContain("network.zones: 4 zones requested but region us-east-1 has 3 available");
    });
  });
});

describe("serviceDomain", () => {
  it("gives the only public service the domain and others a subdomain when there are several services", () => {
    const two = { ...spec, services: [spec.services[0]!, { ...spec.services[0]!, name: "admin", public: false }] };
    expect(two.services.map((s) => serviceDomain(two, s))).toEqual(["shop.example.com", "admin.shop.example.com"]);
  });
});
