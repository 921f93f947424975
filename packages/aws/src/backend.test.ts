import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parseSpec, PolycloudError, type ResolvedSpec } from "@polycloud/core";
import { runProgram, secretConfig } from "@polycloud/testing";
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
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  composite: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
};

const build = (resolved: ResolvedSpec, options: { preview?: boolean } = {}) =>
  runProgram(() => {
    const root = new pulumi.ComponentResource("polycloud:index:Platform", "shop");
    const built = backend.build(resolved, root);
    return { urls: built.services.map((s) => s.url), alerts: built.monitoring.alertCount };
  }, { provider: "aws", config: { "project:stripe-key": secretConfig("sk_live_not_a_real_key") }, ...options });

describe("backend", () => {
  it("wires network, secrets, database, cache, buckets, service and monitoring together when given a full spec", async () => {
    const plan = await build(spec);
    for (const type of ["Network", "SecretStore", "Database", "Cache", "Bucket", "WebService", "Monitoring"]) plan.resourceCountIs(`polycloud:aws:${type}`, 1);
    const taskGroup = plan.find(aws.ec2.SecurityGroup, "api-task-sg").id;

    // The database and cache admit the service's security group and nothing else.
    for (const [name, port] of [["database-sg", 5432], ["cache-sg", 6379]] as const) {
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
      { name: "STRIPE_KEY", valueFrom: arn("secrets-stripe-key") },
      { name: "DATABASE_URL", valueFrom: `${arn("database-credentials")}:url::` },
      { name: "REDIS_URL", valueFrom: `${arn("cache-credentials")}:url::` },
    ]);
    expect(container.environment).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
    for (const password of plan.resources(random.RandomPassword)) expect(definitions).not.toContain(password.outputs.result);
    expect(definitions).not.toContain("sk_live_not_a_real_key");

    // The execution role reads exactly those secrets, with their keys.
    const readSecrets = JSON.parse(plan.find(T.rolePolicy, (r) => r.name === "api-execution-role-policy").inputs.policy as string).Statement[1];
    expect(readSecrets.Resource).toEqual([arn("secrets-stripe-key"), arn("database-credentials"), arn("cache-credentials")]);

    // The spec secret's value comes from stack config, as a secret.
    const version = plan.find(T.secretVersion, { secretId: plan.find(aws.secretsmanager.Secret, "secrets-stripe-key").id });
    expect(version.secretInputs).toContain("secretString");

    // Every alarm targets a topic, or is a window of a composite alarm that does.
    const topics = new Set(plan.resources(aws.sns.Topic).map((t) => t.outputs.arn));
    const members = new Set(plan.resources(T.composite).flatMap((c) => [...(c.inputs.alarmRule as string).matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1])));
    const monitoringAlarms = plan.resources(T.alarm).filter((a) => a.parent === plan.find("polycloud:aws:Monitoring").urn);
    expect(monitoringAlarms.length).toBe(11 + 3 + 2);
    for (const alarm of [...monitoringAlarms, ...plan.resources(T.composite)]) {
      const actions = (alarm.inputs.alarmActions ?? []) as string[];
      expect((actions.length > 0 && actions.every((a) => topics.has(a))) || members.has(alarm.outputs.name)).toBe(true);
    }
    expect(plan.outputs).toMatchObject({ urls: ["https://shop.example.com"], alerts: 8 + 3 + 2 });
  });

  it("registers the same resources in a preview as in an update when given a full spec", async () => {
    const urns = async (preview: boolean) => (await build(spec, { preview })).resources().map((r) => r.urn).sort();
    const [previewed, updated] = [await urns(true), await urns(false)];
    expect(previewed).toEqual(updated);
    expect(updated.length).toBeGreaterThan(100);
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
    ] as [string, ResolvedSpec, string][])("reports the field path when given %s", (_, bad, path) => {
      expect(backend.validate(bad).map((p) => p.path)).toEqual([path]);
    });

    it("makes build throw PolycloudError before creating anything when the spec has problems", async () => {
      const bad = { ...spec, services: [{ ...spec.services[0]!, secrets: ["stripe-kee"] }] };
      const error = await build(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolycloudError);
      expect((error as Error).message).toContain('services.api.secrets[0]: "stripe-kee" is not defined in secrets (defined: stripe-key)');
    });

    it("fails with the zones path when the region has fewer zones than requested", async () => {
      const error = await build({ ...spec, network: { ...spec.network, zones: 4 } }).catch((e: unknown) => e);
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
