import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PolycloudError, type AppModel, type SpecInput } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { backend } from "./backend";
import { awsModel, EGRESS, INGRESS } from "./__tests__/fixtures";

const shop: SpecInput = {
  name: "shop",
  environment: "development",
  network: { loadBalancer: { domain: "shop.example.com" } },
  services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true, secrets: ["stripe-key"], env: { LOG_LEVEL: "info" } } },
  database: { size: "small" },
  cache: { size: "small" },
  buckets: { assets: {} },
  secrets: { "stripe-key": { description: "Stripe API key" } },
  monitoring: { alerts: { critical: [{ email: "oncall@example.com" }] } },
};

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
  record: "aws:route53/record:Record",
};

const build = (model: AppModel<"aws">, options: { preview?: boolean; secretValues?: Record<string, string> } = {}) =>
  runProgram(
    () => {
      const root = new pulumi.ComponentResource("polycloud:index:Platform", model.app);
      const secretValues = Object.fromEntries(Object.entries(options.secretValues ?? {}).map(([name, value]) => [name, pulumi.secret(value)]));
      const built = backend.build(model, root, { secretValues });
      return { urls: built.services.map((s) => s.url), alerts: built.monitoring.alertCount, dns: built.dnsRecords };
    },
    { provider: "aws", preview: options.preview ?? false },
  );

/** A spec with services and only the data stores given, cheap to build. */
const lean = (name: string, services: Record<string, Record<string, unknown>>, extra: Partial<SpecInput> = {}): SpecInput => ({
  name,
  network: { loadBalancer: { domain: `${name}.example.com` } },
  services: Object.fromEntries(Object.entries(services).map(([s, o]) => [s, { image: `ghcr.io/acme/${s}:1.0`, ...o }])),
  ...extra,
});

/** The ingress rules of a security group, as `[peer group or CIDR, port]`. */
const ingressOf = (plan: Plan, groupId: unknown) =>
  plan
    .resources(INGRESS)
    .filter((r) => r.inputs.securityGroupId === groupId)
    .map((r) => [r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4, r.inputs.fromPort]);

describe("backend", () => {
  // The full spec (with the stripe key's value given) is planned once as an update and once as a preview,
  // for the three tests that read it (plans are costly).
  let full: Plan;
  let fullPreview: Plan;
  beforeAll(async () => {
    const secretValues = { "stripe-key": "sk_live_not_a_real_key" };
    [fullPreview, full] = [await build(awsModel(shop), { preview: true, secretValues }), await build(awsModel(shop), { secretValues })];
  }, 60_000);

  it("wires network, secrets, database, cache, buckets, service and monitoring together when given a full spec", () => {
    const plan = full;
    for (const type of ["Network", "SecretStore", "Database", "Cache", "Bucket", "Cluster", "WebService", "Monitoring", "BackupPlan"]) plan.resourceCountIs(`polycloud:aws:${type}`, 1);
    plan.resourceCountIs("polycloud:aws:AuditTrail", 0);
    const taskGroup = plan.find(aws.ec2.SecurityGroup, "shop-api-task-sg").id;

    // The database and cache admit the service's security group and nothing else.
    for (const [name, port] of [["shop-database-sg", 5432], ["shop-cache-sg", 6379]] as const) {
      const group = plan.find(aws.ec2.SecurityGroup, name).id;
      expect(ingressOf(plan, group)).toEqual([[taskGroup, port]]);
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
    // The spec gives api no bucket: its task role has no policy.
    expect(plan.resources(T.rolePolicy).map((r) => r.name)).not.toContain("shop-api-task-role-policy");

    // The spec secret's value is the one given, as a secret.
    const version = plan.find(T.secretVersion, { secretId: plan.find(aws.secretsmanager.Secret, "shop-secrets-stripe-key").id });
    expect(version.secretInputs).toContain("secretString");
    expect(version.inputs.secretString).toBe("sk_live_not_a_real_key");

    // Every alarm targets a topic, or is a window of a composite alarm that does.
    const topics = new Set(plan.resources(aws.sns.Topic).map((t) => t.outputs.arn));
    const members = new Set(plan.resources(T.composite).flatMap((c) => [...(c.inputs.alarmRule as string).matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1])));
    for (const alarm of [...plan.resources(T.alarm), ...plan.resources(T.composite)]) {
      const actions = (alarm.inputs.alarmActions ?? []) as string[];
      expect((actions.length > 0 && actions.every((a) => topics.has(a))) || members.has(alarm.outputs.name)).toBe(true);
    }
    expect(plan.outputs).toMatchObject({ urls: ["https://shop.example.com"], alerts: ALERTS.service + ALERTS.database + ALERTS.cacheNode });

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

  describe("grants", () => {
    let plan: Plan;
    beforeAll(async () => {
      plan = await build(
        awsModel(
          lean(
            "shop",
            {
              api: { public: true, access: { buckets: { assets: "read", uploads: "readwrite" }, services: ["worker"] } },
              worker: { access: { database: false, services: [] } },
              admin: { access: { services: [] } },
            },
            { database: {}, buckets: { assets: {}, uploads: {} } },
          ),
        ),
      );
    });
    const group = (name: string) => plan.find(aws.ec2.SecurityGroup, name).id;
    const taskPolicy = (service: string) => JSON.parse(plan.find(T.rolePolicy, (r) => r.name === `shop-${service}-task-role-policy`).inputs.policy as string);

    it("lets the database admit exactly the services with database access", () => {
      expect(ingressOf(plan, group("shop-database-sg"))).toEqual([
        [group("shop-api-task-sg"), 5432],
        [group("shop-admin-task-sg"), 5432],
      ]);
      const workerDefinition = JSON.parse(plan.find(T.task, (r) => r.name === "shop-worker-task").inputs.containerDefinitions as string)[0];
      expect(workerDefinition.secrets).toEqual([]);
    });

    it("gives each task role exactly its bucket grants, read or read-write, with the bucket's key through S3 only", () => {
      const bucketArn = (name: string) => plan.find(aws.s3.Bucket, `shop-bucket-${name}`).outputs.arn;
      const keyArn = (name: string) => plan.find(aws.kms.Key, `shop-bucket-${name}-key`).outputs.arn;
      expect(taskPolicy("api").Statement).toEqual([
        { Sid: "ListAssets", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn("assets") },
        { Sid: "ReadAssetsObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${bucketArn("assets")}/*` },
        { Sid: "UseAssetsKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: keyArn("assets"), Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } },
        { Sid: "ListUploads", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn("uploads") },
        {
          Sid: "ReadWriteUploadsObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
          Resource: `${bucketArn("uploads")}/*`,
        },
        {
          Sid: "UseUploadsKey",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: keyArn("uploads"),
          Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
        },
      ]);
      // Services without bucket grants have a task role without any policy.
      expect(plan.resources(T.rolePolicy).filter((r) => r.name.endsWith("-task-role-policy")).map((r) => r.name)).toEqual(["shop-api-task-role-policy"]);
    });

    it("lets a private service's load balancer admit exactly its callers' tasks, on each listener port, and no address range", () => {
      const worker = group("shop-worker-lb-sg");
      expect(ingressOf(plan, worker)).toEqual([
        [group("shop-api-task-sg"), 80],
        [group("shop-api-task-sg"), 443],
      ]);
      for (const port of [80, 443]) plan.hasResource(EGRESS, { securityGroupId: group("shop-api-task-sg"), referencedSecurityGroupId: worker, fromPort: port });
      // Nobody may call admin.
      expect(ingressOf(plan, group("shop-admin-lb-sg"))).toEqual([]);
      // The public service admits the internet on 80 and 443.
      expect(ingressOf(plan, group("shop-api-lb-sg"))).toEqual([
        ["0.0.0.0/0", 80],
        ["0.0.0.0/0", 443],
      ]);
    });
  });

  describe("when two specs are built in one stack", () => {
    let plan: Plan;
    beforeAll(async () => {
      plan = await runProgram(() => {
        for (const model of [awsModel(lean("shop", { api: { public: true }, worker: {} })), awsModel(lean("blog", { web: { public: true } }))]) {
          backend.build(model, new pulumi.ComponentResource("polycloud:index:Platform", model.app));
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
      const shopRoot = plan.find("polycloud:index:Platform", "shop");
      const ownKinds = plan.descendants(shopRoot).filter((r) => r.type === "aws:kms/key:Key" || r.type === "aws:s3/bucket:Bucket" || r.type === "aws:ecs/cluster:Cluster").map((r) => r.name);
      expect(ownKinds.sort()).toEqual(["shop-cluster", "shop-cluster-key", "shop-cluster-lb-logs", "shop-network-flow-logs-key", "shop-secrets-key", "shop-monitoring-key"].sort());
      for (const service of ["shop-api", "shop-worker"]) {
        expect(plan.find(T.service, service).inputs.cluster).toBe(cluster.outputs.arn);
        expect(plan.find(aws.lb.LoadBalancer, `${service}-lb`).inputs.accessLogs).toMatchObject({ bucket: logBucket.outputs.bucket, enabled: true });
        expect(plan.find(aws.lb.LoadBalancer, `${service}-lb`).dependencies).toContain(plan.find("aws:s3/bucketPolicy:BucketPolicy", "shop-cluster-lb-logs-policy").urn);
        expect(plan.find(aws.cloudwatch.LogGroup, `${service}-logs`).inputs.kmsKeyId).toBe(key.outputs.arn);
      }
    });
  });

  it("registers the same resources in a preview as in an update when given a full spec", () => {
    const urns = (plan: Plan) => plan.resources().map((r) => r.urn).sort();
    const [previewed, updated] = [urns(fullPreview), urns(full)];
    expect(previewed).toEqual(updated);
    expect(updated.length).toBeGreaterThan(100);
  });

  it("tags every resource that takes tags with app, environment and managed-by when given a full spec", () => {
    const plan = full;
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

  describe("on a production spec with blue-green and Slack routes", () => {
    // Planned once as a preview and once as an update, for both tests below (plans are costly).
    let preview: Plan;
    let update: Plan;
    beforeAll(async () => {
      const production = awsModel({
        name: "shop",
        environment: "production",
        network: { loadBalancer: { domain: "shop.example.com" } },
        services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true, deployment: { strategy: "blue-green" } } },
        database: {},
        monitoring: { alerts: { critical: [{ slack: "https://hooks.slack.com/services/T/B/critical" }], warning: [{ slack: "https://hooks.slack.com/services/T/B/warning" }] } },
      });
      [preview, update] = [await build(production, { preview: true }), await build(production)];
    }, 60_000);

    it("registers the same resources in a preview as in an update when the spec is production with blue-green and Slack routes", () => {
      const tree = (plan: Plan) => plan.resources().map((r) => `${r.urn} < ${r.parent ?? ""}`).sort();
      expect(tree(preview)).toEqual(tree(update));
      // What a preview must not lose: blue and green target groups, the production listener rule, the Slack forwarder, the audit trail.
      preview.resourceCountIs(aws.lb.TargetGroup, 2);
      preview.resourceCountIs("aws:lb/listenerRule:ListenerRule", 1);
      preview.resourceCountIs(aws.lambda.Function, 1);
      preview.resourceCountIs(aws.cloudtrail.Trail, 1);
    });

    it("protects stateful resources when the spec is production", () => {
      const plan = update;
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
  });

  it("copies backups to the region in stack config polycloud:aws.backupRegion when backup.crossRegion is true", async () => {
    const model = awsModel(lean("shop", { api: { public: true } }, { buckets: { assets: {} }, backup: { crossRegion: true } }), { "polycloud:aws.backupRegion": "us-west-2" });
    const plan = await build(model);
    const copy = plan.find("aws:backup/vault:Vault", "shop-backup-copy-vault");
    expect(copy.inputs.region).toBe("us-west-2");
    expect(plan.find(T.plan).inputs.rules[0].copyActions).toEqual([{ destinationVaultArn: copy.outputs.arn, lifecycle: { deleteAfter: 7 } }]);
  });

  it("creates the certificates' validation records and the alias records in the hosted zone of stack config polycloud:aws.hostedZoneId", async () => {
    // A public service on the spec's domain and a private one on a subdomain of it (as in stacks/prod.yaml).
    const model = awsModel(lean("shop", { api: { public: true }, worker: {} }), { "polycloud:aws.hostedZoneId": "Z123" });
    const plan = await build(model);
    for (const [service, host] of [["api", "shop.example.com"], ["worker", "worker.shop.example.com"]] as const) {
      const certificate = plan.find(aws.acm.Certificate, `shop-${service}-certificate`);
      expect(certificate.inputs.domainName).toBe(host);
      const validation = plan.find(T.record, `shop-${service}-certificate-validation`);
      expect(validation.inputs).toMatchObject({ zoneId: "Z123", name: certificate.outputs.domainValidationOptions![0]!.resourceRecordName, type: "CNAME" });
      const lb = plan.find(aws.lb.LoadBalancer, `shop-${service}-lb`);
      expect(plan.find(T.record, `shop-${service}-dns`).inputs).toMatchObject({ zoneId: "Z123", name: host, type: "A", aliases: [{ name: lb.outputs.dnsName, zoneId: lb.outputs.zoneId, evaluateTargetHealth: true }] });
      expect(plan.find(aws.acm.CertificateValidation, `shop-${service}-certificate-validation`).inputs.validationRecordFqdns).toEqual([validation.outputs.fqdn]);
    }
    expect(plan.logs.filter((l) => l.message.includes("polycloud:aws.hostedZoneId"))).toEqual([]);
    expect(plan.outputs["dns"]).toEqual([]);
  });

  it("takes each secret's value where the model says: stack config, generated once, or none (the model warned)", async () => {
    const spec = lean("shop", { api: { public: true, secrets: ["stripe-key", "session-key", "webhook-key"] } }, {
      secrets: { "stripe-key": {}, "session-key": { generate: true }, "webhook-key": {} },
    });
    const model = awsModel(spec, { "polycloud:secrets.stripe-key": "sk_test_from_config" });
    expect(Object.values(model.secrets).map((s) => [s.spec.name, s.value])).toEqual([
      ["stripe-key", "config"],
      ["session-key", "generated"],
      ["webhook-key", "missing"],
    ]);
    // The platform passes the config values it read; nothing else.
    const plan = await build(model, { secretValues: { "stripe-key": "sk_test_from_config" } });
    const versionOf = (name: string) => plan.resources(T.secretVersion).filter((v) => v.inputs.secretId === plan.find(aws.secretsmanager.Secret, `shop-secrets-${name}`).id);
    // config: the value given, as a Pulumi secret.
    expect(versionOf("stripe-key").map((v) => [v.inputs.secretString, v.secretInputs.includes("secretString")])).toEqual([["sk_test_from_config", true]]);
    // generated: 32 random letters and digits, made once by @pulumi/random, kept as a Pulumi secret.
    const generated = plan.find(random.RandomPassword, "shop-secrets-session-key-generated");
    expect(generated.inputs).toMatchObject({ length: 32, special: false });
    expect(generated.outputs.result).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(versionOf("session-key").map((v) => [v.inputs.secretString, v.secretInputs.includes("secretString")])).toEqual([[generated.outputs.result, true]]);
    plan.resourceCountIs(random.RandomPassword, 1);
    // missing: the secret exists, without a version, until someone sets one.
    expect(versionOf("webhook-key")).toEqual([]);
    expect(model.warnings.map((w) => w.fix)).toEqual([expect.stringContaining("pulumi config set --secret polycloud:secrets.webhook-key <value>")]);
  });

  it("warns once per service and lists its DNS records, creating none and waiting for none, when no hosted zone is given", async () => {
    const plan = await build(awsModel(lean("shop", { api: { public: true }, worker: {} })));
    plan.resourceCountIs(T.record, 0);
    plan.resourceCountIs(aws.acm.CertificateValidation, 0);
    const warnings = plan.logs.filter((l) => l.severity === "warning" && l.message.includes("polycloud:aws.hostedZoneId"));
    expect(warnings.map((w) => w.message.split(":")[0])).toEqual(["shop-api", "shop-worker"]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("shop.example.com"), expect.stringContaining("worker.shop.example.com")]);
    // Every service's records, in one list for the Platform's stack output: each domain's CNAME to its load balancer.
    const dns = plan.outputs["dns"] as { name: string; type: string; value: string; purpose: string }[];
    for (const [service, host] of [["api", "shop.example.com"], ["worker", "worker.shop.example.com"]] as const) {
      expect(dns).toContainEqual(expect.objectContaining({ name: host, type: "CNAME", value: plan.find(aws.lb.LoadBalancer, `shop-${service}-lb`).outputs.dnsName }));
    }
    expect(dns.every((r) => r.purpose !== "")).toBe(true);
  });

  it("fails with the zones path when the region has fewer zones than requested", async () => {
    const error = await build(awsModel(lean("shop", { api: { public: true } }, { network: { zones: 4, loadBalancer: { domain: "shop.example.com" } } }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolycloudError);
    expect((error as Error).message).toContain("network.zones: 4 zones requested but region us-east-1 has 3 available");
  });
});

/**
 * Alerts that notify, per part: a service's SLO alerts (3 availability and 3 latency burn-rate composites, 2
 * latency, error rate, CPU, memory), its deployment rollback, and the escalations of its 6 warnings (slow
 * burns x2, latency warning, error rate, CPU, memory) and of the rollback; the database's 3 warnings and
 * their escalations; a cache node's 2 warnings and their escalations.
 */
const ALERTS = { service: 11 + 1 + 7, database: 3 + 3, cacheNode: 2 + 2 };
