import { PolycloudError } from "../errors";
import { parseSpec, type SpecInput } from "../spec";
import { buildModel, checkModel, serviceHost } from "./build";
import { escalationOf } from "./escalation";

const minimal = (extra: Partial<SpecInput> = {}): SpecInput => ({ name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true } }, ...extra });

const shop = (): SpecInput => ({
  name: "shop",
  network: { loadBalancer: { domain: "shop.example.com" } },
  services: {
    api: { image: "ghcr.io/acme/api:1.0.0", public: true, secrets: ["stripe-key"], access: { buckets: { assets: "readwrite" } } },
    worker: { image: "ghcr.io/acme/worker:1.0.0", port: 9090, access: { cache: false, services: [] } },
  },
  database: {},
  cache: {},
  buckets: { assets: {}, archive: { versioning: false } },
  secrets: { "stripe-key": {} },
});

/** The problem lines of the PolycloudError that `fn` throws. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof PolycloudError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error("expected a PolycloudError");
}

describe("buildModel", () => {
  it("grants each service exactly its access: stores by default, buckets and secrets only when listed", () => {
    const model = buildModel(parseSpec(shop()), "aws");
    expect(model.grants).toEqual([
      { service: "api", resource: { kind: "database" }, access: "connect" },
      { service: "api", resource: { kind: "cache" }, access: "connect" },
      { service: "api", resource: { kind: "bucket", name: "assets" }, access: "readwrite" },
      { service: "api", resource: { kind: "secret", name: "stripe-key" }, access: "read" },
      { service: "worker", resource: { kind: "database" }, access: "connect" },
    ]);
    expect(model.database?.clients).toEqual(["api", "worker"]);
    expect(model.cache?.clients).toEqual(["api"]);
    expect(model.buckets["assets"]?.clients).toEqual({ api: "readwrite" });
    expect(model.buckets["archive"]?.clients).toEqual({});
    expect(model.secrets["stripe-key"]).toMatchObject({ envName: "STRIPE_KEY", readers: ["api"] });
  });

  it("binds secrets as typed references: spec secrets in order, then the stores' connection secrets", () => {
    const model = buildModel(parseSpec(shop()), "kubernetes");
    expect(model.services["api"]?.secrets).toEqual([
      { envName: "STRIPE_KEY", source: { kind: "secret", name: "stripe-key" } },
      { envName: "DATABASE_URL", source: { kind: "database" } },
      { envName: "REDIS_URL", source: { kind: "cache" } },
    ]);
    expect(model.services["worker"]?.secrets).toEqual([{ envName: "DATABASE_URL", source: { kind: "database" } }]);
  });

  it("lets every service call every other by default; access.services narrows it; public services are reached from the load balancer", () => {
    const model = buildModel(parseSpec(shop()), "aws");
    expect(model.services["api"]?.calls).toEqual(["worker"]);
    expect(model.services["worker"]?.calls).toEqual([]);
    expect(model.services["worker"]?.callers).toEqual([{ kind: "service", name: "api" }]);
    expect(model.services["api"]?.callers).toEqual([{ kind: "loadBalancer" }]);
  });

  it.each([
    [["api"], "api", "shop.example.com"],
    [["api"], "worker", "worker.shop.example.com"],
    [["api", "worker"], "api", "api.shop.example.com"],
    [[], "api", "api.shop.example.com"],
  ])("gives hosts by one rule: public %j, service %s -> %s", (publicServices, service, host) => {
    const spec = parseSpec({
      ...shop(),
      services: Object.fromEntries(["api", "worker"].map((name) => [name, { image: "ghcr.io/acme/x:1.0.0", public: publicServices.includes(name) }])),
      secrets: {},
      buckets: {},
    });
    expect(serviceHost(spec, spec.network, spec.services.find((s) => s.name === service)!)).toBe(host);
    expect(buildModel(spec, "gcp").services[service]?.host).toBe(host);
  });

  it("backs up the database and versioned buckets, and warns in production about a bucket that cannot be", () => {
    const model = buildModel(parseSpec(shop()), "aws");
    expect(model.backup.targets).toEqual([{ kind: "database" }, { kind: "bucket", name: "assets" }]);
    expect(model.buckets["archive"]?.backedUp).toBe(false);
    const production = parseSpec({ ...shop(), environment: "production", services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true, replicas: { min: 2 } } }, secrets: {} });
    expect(buildModel(production, "aws").warnings.map((w) => w.path)).toEqual(["buckets.archive.versioning"]);
  });

  it("takes a secret's value from stack config, else generates it when asked, else warns with the command that sets it", () => {
    const spec = parseSpec({ ...shop(), secrets: { "stripe-key": {}, "session-key": { generate: true }, "webhook-key": {} } });
    const model = buildModel(spec, "aws", { "polycloud:secrets.stripe-key": "sk_test" });
    expect(Object.values(model.secrets).map((s) => [s.spec.name, s.value])).toEqual([["stripe-key", "config"], ["session-key", "generated"], ["webhook-key", "missing"]]);
    expect(model.warnings).toEqual([
      {
        path: "secrets.webhook-key",
        message: "has no value (stack config polycloud:secrets.webhook-key is not set): the secret is created empty, and no service reads it yet",
        fix: "pulumi config set --secret polycloud:secrets.webhook-key <value>, or set generate: true",
      },
    ]);
  });

  it("states one escalation policy, whose meaning escalationOf gives: warnings page after the delay (in whole periods), nothing else escalates", () => {
    const model = buildModel(parseSpec({ ...shop(), monitoring: { escalateAfterMinutes: 30 } }), "aws");
    expect(model.alerts.escalation).toEqual({ from: "warning", to: "critical", afterMinutes: 30 });
    expect(escalationOf({ severity: "warning", pendingMinutes: 15 }, model.alerts.escalation)).toEqual({ severity: "critical", pendingMinutes: 45, periodMinutes: 1 });
    expect(escalationOf({ severity: "warning", pendingMinutes: 15, periodMinutes: 15 }, model.alerts.escalation)).toEqual({ severity: "critical", pendingMinutes: 45, periodMinutes: 15 });
    expect(escalationOf({ severity: "warning", pendingMinutes: 60, periodMinutes: 60 }, model.alerts.escalation)).toEqual({ severity: "critical", pendingMinutes: 120, periodMinutes: 60 });
    expect(escalationOf({ severity: "critical", pendingMinutes: 5 }, model.alerts.escalation)).toBeUndefined();
    expect(escalationOf({ severity: "info", pendingMinutes: 5 }, model.alerts.escalation)).toBeUndefined();
  });

  describe("a minimal spec (a name and one service)", () => {
    it.each(["aws", "azure", "gcp", "kubernetes"] as const)("builds on %s", (provider) => {
      expect(() => buildModel(parseSpec(minimal()), provider)).not.toThrow();
    });

    it("turns the TLS default off with a warning where certificates need a domain, outside production", () => {
      const model = buildModel(parseSpec(minimal()), "aws");
      expect(model.network.loadBalancer.tls).toBe(false);
      expect(model.services["api"]?.tls).toBe(false);
      expect(model.warnings).toEqual([
        {
          path: "network.loadBalancer.tls",
          message: "is off (its default is on): aws issues load balancer certificates only for a domain you control, and network.loadBalancer.domain is not set; services are served over plain HTTP",
          fix: "set network.loadBalancer.domain to get HTTPS (production requires it)",
        },
      ]);
    });

    it("turns the TLS default off on Azure too, whose managed certificates need a domain", () => {
      const model = buildModel(parseSpec(minimal()), "azure");
      expect(model.network.loadBalancer.tls).toBe(false);
      expect(model.warnings.map((w) => w.path)).toEqual(["network.loadBalancer.tls"]);
    });

    it("refuses an explicit tls: true without a domain, and production without one, naming the domain", () => {
      expect(problems(() => buildModel(parseSpec(minimal({ network: { loadBalancer: { tls: true } } })), "kubernetes"))).toEqual([
        "network.loadBalancer.domain: is required for tls: kubernetes issues load balancer certificates only for a domain you control, and network.loadBalancer.domain is not set",
      ]);
      const production = minimal({ environment: "production", services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true, replicas: { min: 2 } } } });
      expect(problems(() => buildModel(parseSpec(production), "aws"))).toEqual([
        "network.loadBalancer.domain: is required for tls: aws issues load balancer certificates only for a domain you control, and network.loadBalancer.domain is not set",
      ]);
    });
  });

  describe("backend options", () => {
    it("reads them from the spec's providers section, with stack config winning, defaults applied", () => {
      const spec = parseSpec({ ...shop(), providers: { kubernetes: { ingressClassName: "traefik", selectorLabels: { release: "kps" } } } });
      const model = buildModel(spec, "kubernetes", { "polycloud:kubernetes.argoRollouts": "true", "polycloud:kubernetes.selectorLabels.team": "web", "polycloud:kubernetes.ingressController": '{"namespace":"traefik"}' });
      expect(model.options).toMatchObject({
        ingressClassName: "traefik",
        argoRollouts: true,
        selectorLabels: { release: "kps", team: "web" },
        ingressController: { namespace: "traefik", podLabels: {} },
        clusterIssuer: "letsencrypt",
        monitoringNamespace: "monitoring",
      });
      expect(buildModel(spec, "aws", { "polycloud:aws.hostedZoneId": "Z123" }).options).toEqual({ hostedZoneId: "Z123" });
    });

    it("names where a bad option was set: the config key or the spec path", () => {
      expect(problems(() => buildModel(parseSpec(shop()), "aws", { "polycloud:aws.hostedZoneId": "zone-1" }))).toEqual([
        'polycloud:aws.hostedZoneId: "zone-1" is not valid; allowed: a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
      ]);
      expect(problems(() => buildModel(parseSpec({ ...shop(), providers: { kubernetes: { argoRollouts: "yes" as unknown as boolean } } }), "kubernetes"))).toEqual([
        'providers.kubernetes.argoRollouts: "yes" is not a boolean; allowed: true or false',
      ]);
    });

    it("makes backup.crossRegion possible on AWS only with a backup region, and says which option", () => {
      const spec = parseSpec({ ...shop(), backup: { crossRegion: true } });
      expect(problems(() => buildModel(spec, "aws"))).toEqual(["backup.crossRegion: true needs a second region for the copies on AWS, and providers.aws.backupRegion is not set"]);
      expect(buildModel(spec, "aws", { "polycloud:aws.backupRegion": "us-west-2" }).options).toEqual({ backupRegion: "us-west-2" });
    });

    it("refuses a blue/green wait beyond ECS's bake time on AWS only, before anything is built", () => {
      const spec = parseSpec({ ...minimal(), services: { api: { image: "ghcr.io/acme/api:1.0.0", deployment: { strategy: "blue-green", blueGreen: { terminationWaitMinutes: 1441 } } } } });
      expect(problems(() => buildModel(spec, "aws"))).toEqual(["services.api.deployment.blueGreen.terminationWaitMinutes: 1441 is longer than ECS's bake time allows (0 to 1440 minutes)"]);
      expect(checkModel(spec, "kubernetes").problems).toEqual([]);
    });

    it("refuses email routes on Kubernetes without SMTP settings, naming the option, and accepts them with it", () => {
      const routes = { alerts: { critical: [{ webhook: "https://hooks.example.com/page" }, { email: "oncall@example.com" }], info: [{ email: "team@example.com" }] } };
      const spec = parseSpec({ ...shop(), monitoring: routes });
      const refused = checkModel(spec, "kubernetes").problems;
      expect(refused.map((p) => p.path)).toEqual(["monitoring.alerts.critical[1].email", "monitoring.alerts.info[0].email"]);
      expect(refused[0]!.message).toMatch(/^"oncall@example\.com" cannot be sent on Kubernetes without SMTP settings/);
      expect(refused[0]!.fix).toContain("polycloud:kubernetes.smtp");
      // Other backends send email themselves.
      expect(checkModel(spec, "aws").problems).toEqual([]);
      const smtp = { smarthost: "smtp.example.com:587", from: "Alerts <alerts@example.com>" };
      expect(buildModel(spec, "kubernetes", { "polycloud:kubernetes.smtp": JSON.stringify(smtp) }).options.smtp).toEqual({ ...smtp, requireTLS: true });
      expect(buildModel(parseSpec({ ...shop(), monitoring: routes, providers: { kubernetes: { smtp } } }), "kubernetes").options.smtp).toEqual({ ...smtp, requireTLS: true });
    });

    it.each([
      ["a smarthost without a port", { smarthost: "smtp.example.com", from: "alerts@example.com" }, 'providers.kubernetes.smtp.smarthost: "smtp.example.com" is not valid; allowed: host:port, e.g. smtp.example.com:587'],
      ["a sender that is not an address", { smarthost: "smtp.example.com:587", from: "alerts" }, 'providers.kubernetes.smtp.from: "alerts" is not valid; allowed: an email address, e.g. alerts@example.com'],
    ])("refuses SMTP settings with %s", (_, smtp, line) => {
      expect(problems(() => buildModel(parseSpec({ ...shop(), providers: { kubernetes: { smtp } } }), "kubernetes"))).toEqual([line]);
    });

    it("refuses names that the Kubernetes objects of stores and services already take", () => {
      const spec = parseSpec({
        ...shop(),
        services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true }, "api-metrics": { image: "ghcr.io/acme/m:1.0.0" }, "postgres-init": { image: "ghcr.io/acme/i:1.0.0" } },
        secrets: { "postgres-superuser": {} },
      });
      expect(problems(() => buildModel(spec, "kubernetes"))).toEqual([
        'services.api-metrics: "api-metrics" is also the name of service api\'s metrics Ingress on Kubernetes',
        'services.postgres-init: "postgres-init" is also the name of the database\'s objects on Kubernetes',
        'secrets.postgres-superuser: "postgres-superuser" is also the name of the database\'s Secret on Kubernetes',
      ]);
      expect(checkModel(spec, "aws").problems).toEqual([]);
    });
  });

  it("reports every problem of a provider at once, before anything is built", () => {
    const spec = parseSpec({ ...shop(), network: { cdn: true, loadBalancer: { domain: "shop.example.com" } }, services: { api: { image: "ghcr.io/acme/api:1.0.0", cpu: 0.75 } }, secrets: {}, buckets: {} });
    expect(checkModel(spec, "aws", { "polycloud:aws.anything": "1" }).problems.map((p) => p.path)).toEqual(["polycloud:aws.anything", "network.cdn", "services.api.cpu"]);
  });
});
