import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { PolycloudError } from "../errors";
import { PRESETS } from "../presets";
import { loadSpec, parseSpec, parseSpecText, type SpecInput } from ".";

const FULL_SPEC_PATH = join(__dirname, "..", "__fixtures__", "full-spec.yaml");
const fullSpec = (): SpecInput & Record<string, unknown> => parse(readFileSync(FULL_SPEC_PATH, "utf8"));

/** The problem lines of the PolycloudError that `fn` throws (without the heading). */
function problemLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof PolycloudError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}${p.fix === undefined ? "" : `; ${p.fix}`}`);
  }
  throw new Error("expected a PolycloudError, but nothing was thrown");
}

describe("parseSpec", () => {
  it("accepts the full spec of SPEC.md and keeps every value it sets", () => {
    const spec = loadSpec(FULL_SPEC_PATH);
    expect(spec.name).toBe("shop");
    expect(spec.environment).toBe("production");
    expect(spec.network).toEqual({
      cidr: "10.0.0.0/16",
      zones: 3,
      nat: "perZone",
      loadBalancer: { public: true, tls: true, explicitTls: true, domain: "shop.example.com", waf: true },
      cdn: false,
    });
    const api = spec.services[0]!;
    expect(api.name).toBe("api");
    expect(api.replicas).toEqual({ min: 3, max: 10 });
    expect(api.healthCheck).toEqual({ path: "/healthz", intervalSeconds: 15, timeoutSeconds: 5, gracePeriodSeconds: 60 });
    expect(api.secrets).toEqual(["stripe-key", "DATABASE_URL", "REDIS_URL"]);
    expect(api.deployment.strategy).toBe("canary");
    expect(spec.database).toMatchObject({ majorVersion: 16, name: "shop", deletionProtection: true, backup: { retentionDays: 30 } });
    expect(spec.cache).toMatchObject({ majorVersion: 7, highAvailability: true });
    expect(spec.buckets).toEqual([
      { name: "assets", versioning: true, publicRead: false, lifecycle: { expireNoncurrentAfterDays: 30 } },
    ]);
    expect(spec.monitoring.alerts.critical).toHaveLength(2);
    expect(spec.protectStateful).toBe(true);
  });

  it.each(["development", "staging", "production"] as const)("resolves the %s preset's defaults for a minimal spec", (environment) => {
    const preset = PRESETS[environment];
    const spec = parseSpec({
      name: "shop",
      environment,
      services: { api: { image: "ghcr.io/acme/api:1.0.0" } },
      database: {},
      cache: {},
    });
    expect(spec.network).toMatchObject({ cidr: "10.0.0.0/16", zones: preset.zones, nat: preset.nat, cdn: false });
    expect(spec.network.loadBalancer).toEqual({ public: true, tls: true, explicitTls: false, waf: preset.waf });
    expect(spec.services[0]).toMatchObject({
      port: 8080,
      cpu: 0.5,
      memory: 1024,
      public: false,
      replicas: preset.replicas,
      autoscaling: { cpuPercent: 70, memoryPercent: 80 },
      deployment: { strategy: "rolling", rollback: { onHealthCheckFailure: true, onAlarm: true } },
    });
    expect(spec.slo).toEqual(preset.slo);
    expect(spec.database).toMatchObject({
      engine: "postgres",
      version: "16",
      highAvailability: preset.highAvailability,
      deletionProtection: preset.deletionProtection,
      backup: { retentionDays: preset.backupRetentionDays, window: "03:00-04:00" },
    });
    expect(spec.cache).toMatchObject({ engine: "redis", version: "7", highAvailability: preset.highAvailability });
    expect(spec.logging).toEqual({ retentionDays: preset.logRetentionDays, audit: preset.audit });
    expect(spec.backup).toEqual({ schedule: "daily", retentionDays: preset.backupRetentionDays, crossRegion: false });
    expect(spec.protectStateful).toBe(preset.protectStateful);
  });

  it("defaults the environment to development and the provider to auto", () => {
    const spec = parseSpec({ name: "shop", services: { api: { image: "nginx:1.27" } } });
    expect(spec.environment).toBe("development");
    expect(spec.provider).toBe("auto");
  });

  it("raises log and backup retention and turns audit on when compliance tags are set", () => {
    const spec = parseSpec({ name: "shop", compliance: ["hipaa"], services: { api: { image: "nginx:1.27" } } });
    expect(spec.logging).toEqual({ retentionDays: 365, audit: true });
    expect(spec.backup.retentionDays).toBe(35);
  });

  it("turns WAF on by default under PCI", () => {
    const spec = parseSpec({ name: "shop", compliance: ["pci"], services: { api: { image: "nginx:1.27", public: true } } });
    expect(spec.network.loadBalancer.waf).toBe(true);
  });

  it("turns env numbers and booleans into strings", () => {
    const spec = parseSpec({ name: "shop", services: { api: { image: "nginx:1.27", env: { WORKERS: 4, DEBUG: false } } } });
    expect(spec.services[0]!.env).toEqual({ WORKERS: "4", DEBUG: "false" });
  });

  type Mutation = (spec: Record<string, any>) => void;
  const rules: [string, Mutation, string][] = [
    [
      "replicas.min > replicas.max",
      (s) => (s.services.api.replicas = { min: 5, max: 3 }),
      "services.api.replicas.min: 5 is greater than replicas.max 3; make min <= max",
    ],
    [
      "production with one replica",
      (s) => (s.services.api.replicas = { min: 1, max: 3 }),
      "services.api.replicas.min: 1 is below 2, the production minimum (one replica is one failure from an outage); set replicas.min to 2 or more",
    ],
    [
      "autoscaling above 95%",
      (s) => (s.services.api.autoscaling = { cpuPercent: 99 }),
      "services.api.autoscaling.cpuPercent: 99 is out of range; allowed: a number 10-95; set cpuPercent to 95 or less",
    ],
    [
      "autoscaling below 10%",
      (s) => (s.services.api.autoscaling = { memoryPercent: 5 }),
      "services.api.autoscaling.memoryPercent: 5 is out of range; allowed: a number 10-95; set memoryPercent to 10 or more",
    ],
    [
      "an undefined secret",
      (s) => (s.services.api.secrets = ["stripe-key", "github-token"]),
      'services.api.secrets[1]: "github-token" is not defined in secrets (defined: stripe-key); add "github-token" under secrets or fix the name',
    ],
    [
      "DATABASE_URL without a database",
      (s) => {
        delete s.database;
        s.services.api.secrets = ["DATABASE_URL"];
      },
      'services.api.secrets[0]: "DATABASE_URL" is generated only when the spec has a database; add a database section or remove "DATABASE_URL"',
    ],
    [
      "PostgreSQL older than 14",
      (s) => (s.database.version = "13"),
      'database.version: "13" is not supported; allowed: PostgreSQL 14 or newer; set version to "16"',
    ],
    [
      "Redis older than 6",
      (s) => (s.cache.version = "5"),
      'cache.version: "5" is not supported; allowed: Redis 6 or newer; set version to "7"',
    ],
    [
      "a public CIDR",
      (s) => (s.network.cidr = "8.8.0.0/16"),
      'network.cidr: "8.8.0.0/16" is not a private range; allowed: RFC 1918 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); use a private range such as "10.0.0.0/16"',
    ],
    [
      "a CIDR too small for the zones",
      (s) => {
        s.network.cidr = "10.0.0.0/24";
        s.network.zones = 6;
      },
      "network.cidr: network 10.0.0.0/24 fits at most",
    ],
    [
      "canary steps not increasing",
      (s) => (s.services.api.deployment.canary.steps = [50, 10, 100]),
      "services.api.deployment.canary.steps: [50, 10, 100] must be strictly increasing percentages ending at 100; for example [10, 50, 100]",
    ],
    [
      "canary steps not ending at 100",
      (s) => (s.services.api.deployment.canary.steps = [10, 50]),
      "services.api.deployment.canary.steps: [10, 50] must be strictly increasing percentages ending at 100; for example [10, 50, 100]",
    ],
    [
      "a secret-looking env name",
      (s) => (s.services.api.env = { DB_PASSWORD: "hunter2" }),
      "services.api.env.DB_PASSWORD: looks like a secret (value not shown); plain environment values are visible to anyone who can read the service definition; move it to secrets and list its name in services.api.secrets",
    ],
    [
      "a secret-looking env value",
      (s) => (s.services.api.env = { UPSTREAM: "https://admin:s3cr3t@db.example.com" }),
      "services.api.env.UPSTREAM: looks like a secret (value not shown); plain environment values are visible to anyone who can read the service definition; move it to secrets and list its name in services.api.secrets",
    ],
    [
      "the latest tag in production",
      (s) => (s.services.api.image = "ghcr.io/acme/shop-api:latest"),
      'services.api.image: "ghcr.io/acme/shop-api:latest" uses the mutable tag "latest"; production needs an immutable tag or digest; pin a version tag such as :1.4.2 or a digest @sha256:...',
    ],
    [
      "no tag in production",
      (s) => (s.services.api.image = "ghcr.io/acme/shop-api"),
      'services.api.image: "ghcr.io/acme/shop-api" has no tag; production needs an immutable tag or digest; pin a version tag such as :1.4.2 or a digest @sha256:...',
    ],
    [
      "an unknown field",
      (s) => (s.services.api.replica = { min: 3 }),
      'services.api.replica: unknown field "replica"; allowed fields: image, command, args, port, cpu, memory, replicas, autoscaling, healthCheck, public, env, secrets, access, deployment; did you mean "replicas"?',
    ],
    [
      "an unknown top-level field",
      (s) => (s.databse = {}),
      'databse: unknown field "databse"; allowed fields: name, environment, provider, region, compliance, tags, slo, network, services, database, cache, buckets, secrets, monitoring, logging, backup, providers; did you mean "database"?',
    ],
    [
      "a variable that is both a plain value and a secret",
      (s) => (s.services.api.env.STRIPE_KEY = "x"),
      "services.api.env.STRIPE_KEY: is also injected as a secret; a variable cannot be both; remove it from env",
    ],
    [
      "access to a bucket that does not exist",
      (s) => (s.services.api.access = { buckets: { asets: "read" } }),
      'services.api.access.buckets.asets: "asets" is not defined in buckets (defined: assets); add "asets" under buckets or fix the name',
    ],
    [
      "a service that may call itself",
      (s) => (s.services.api.access = { services: ["api"] }),
      'services.api.access.services[0]: "api" is this service itself; a service always reaches its own replicas; remove "api"',
    ],
    [
      "DATABASE_URL listed while access.database is false",
      (s) => (s.services.api.access = { database: false }, s.services.api.secrets = ["DATABASE_URL"]),
      'services.api.secrets[0]: "DATABASE_URL" is listed, but access.database is false; remove "DATABASE_URL" or set access.database to true',
    ],
    [
      "an invalid name",
      (s) => (s.name = "Shop_1"),
      'name: "Shop_1" is not valid; allowed: 2-24 characters: lowercase letters, digits and hyphens, starting with a letter; did you mean "shop-1"?',
    ],
    [
      "an unknown environment",
      (s) => (s.environment = "prod"),
      'environment: "prod" is not allowed; allowed: development | staging | production; did you mean "production"?',
    ],
    [
      "availability out of range",
      (s) => (s.slo.availability = 100),
      "slo.availability: 100 is out of range; allowed: a number 90-99.999; set availability to 99.999 or less",
    ],
    [
      "a missing image",
      (s) => delete s.services.api.image,
      "services.api.image: is required; allowed: text (container image from any registry: a tag or a digest); add services.api.image",
    ],
    [
      "log retention below the compliance floor",
      (s) => (s.logging.retentionDays = 30),
      "logging.retentionDays: 30 is below the 365 days that compliance soc2 requires; set it to 365 or more",
    ],
    [
      "a backup window shorter than 30 minutes",
      (s) => (s.database.backup.window = "03:00-03:15"),
      'database.backup.window: "03:00-03:15" is 15 minutes long; allowed: at least 30 minutes; widen it, e.g. "03:00-04:00"',
    ],
    [
      "an alert route of an unknown kind",
      (s) => (s.monitoring.alerts.critical = [{ pager: "x" }]),
      "monitoring.alerts.critical[0]: an object matches none of the allowed forms; allowed: { email: <address> }, { webhook: <https URL> } or { slack: <https URL> }; write one form per entry, e.g. - email: oncall@example.com",
    ],
    [
      "an http webhook",
      (s) => (s.monitoring.alerts.critical = [{ webhook: "http://hooks.example.com" }]),
      'monitoring.alerts.critical[0].webhook: "http://hooks.example.com" is not valid; allowed: an https:// URL; did you mean "https://hooks.example.com"?',
    ],
  ];

  it.each(rules)("reports %s with its path and fix", (_, mutate, expected) => {
    const spec = fullSpec();
    mutate(spec);
    const lines = problemLines(() => parseSpec(spec));
    if (expected.endsWith("at most")) {
      // The CIDR planner words this one; the spec only places it at its path.
      expect(lines).toEqual([expect.stringContaining(expected)]);
    } else {
      expect(lines).toEqual([expected]);
    }
  });

  it("reports every problem at once", () => {
    const spec = fullSpec() as Record<string, any>;
    spec.services.api.replicas = { min: 5, max: 3 };
    spec.database.version = "12";
    spec.services.api.secrets = ["nope"];
    const lines = problemLines(() => parseSpec(spec));
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(":")[0])).toEqual(["services.api.replicas.min", "services.api.secrets[0]", "database.version"]);
  });

  it("never echoes the value of a secret-looking field", () => {
    const spec = fullSpec() as Record<string, any>;
    spec.services.api.env = { API_TOKEN: "tok-very-secret-123", OTHER: "sk_live_abcdef0123456789" };
    let message = "";
    try {
      parseSpec(spec);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("services.api.env.API_TOKEN");
    expect(message).toContain("services.api.env.OTHER");
    expect(message).not.toContain("tok-very-secret-123");
    expect(message).not.toContain("sk_live_abcdef0123456789");
  });

  it("rejects a spec without services", () => {
    expect(problemLines(() => parseSpec({ name: "shop", services: {} }))).toEqual([
      "services: has no service; allowed: at least one; add a service under services",
    ]);
  });
});

describe("parseSpecText", () => {
  it("gives each problem the line of the offending field", () => {
    const text = ["name: shop", "services:", "  api:", "    image: nginx:1.27", "    replicas: { min: 5, max: 3 }", "    prot: 80"].join("\n");
    let error: PolycloudError | undefined;
    try {
      parseSpecText(text, "dev.yaml");
    } catch (e) {
      error = e as PolycloudError;
    }
    expect(error).toBeInstanceOf(PolycloudError);
    // The unknown field does not hide the rule problem: both, in the file's order.
    expect(error!.problems.map((p) => [p.path, p.line])).toEqual([
      ["services.api.replicas.min", 5],
      ["services.api.prot", 6],
    ]);
    expect(error!.message).toContain("Invalid spec dev.yaml (2 problems):");
    expect(error!.message).toContain('services.api.prot (line 6): unknown field "prot"');
  });

  it("gives rule problems the line of the field too", () => {
    const text = ["name: shop", "services:", "  api:", "    image: nginx:1.27", "    replicas: { min: 5, max: 3 }"].join("\n");
    let error: PolycloudError | undefined;
    try {
      parseSpecText(text);
    } catch (e) {
      error = e as PolycloudError;
    }
    expect(error!.problems).toEqual([
      { path: "services.api.replicas.min", line: 5, message: "5 is greater than replicas.max 3", fix: "make min <= max" },
    ]);
  });

  it("reports a YAML syntax error as one problem with its line and column", () => {
    // The parser reports three errors for this text; the later ones follow from the first.
    const text = ["name: shop", "services:", "  api: { image: nginx:1.27", "  web: [x", "buckets: {"].join("\n");
    let error: PolycloudError | undefined;
    try {
      parseSpecText(text, "bad.yaml");
    } catch (e) {
      error = e as PolycloudError;
    }
    expect(error).toBeInstanceOf(PolycloudError);
    expect(error!.problems).toHaveLength(1);
    expect(error!.problems[0]).toMatchObject({ path: "", line: 4, column: 3, message: expect.stringMatching(/^YAML syntax error: /) });
    expect(error!.message).toMatch(/\(document\) \(line 4, column 3\): YAML syntax error: .*; fix the syntax there/);
  });

  it("says an empty file is empty", () => {
    for (const text of ["", "  \n\n", "# only a comment\n"]) {
      expect(problemLines(() => parseSpecText(text, "empty.yaml"))).toEqual([
        expect.stringMatching(/^: the file (is empty|has only comments); allowed: a spec with at least name: and services:; start from an example such as stacks\/dev.yaml/),
      ]);
    }
    expect(problemLines(() => parseSpec(null))).toEqual([expect.stringMatching(/^: the spec is empty/)]);
  });

  it("rejects duplicate keys instead of silently keeping the last", () => {
    expect(() => parseSpecText("name: shop\nname: other\nservices: { api: { image: nginx:1.27 } }")).toThrow(PolycloudError);
  });
});

describe("loadSpec", () => {
  it("loads JSON spec files too", () => {
    const dir = mkdtempSync(join(tmpdir(), "polycloud-spec-"));
    const file = join(dir, "spec.json");
    writeFileSync(file, JSON.stringify({ name: "shop", services: { api: { image: "nginx:1.27" } } }));
    expect(loadSpec(file).services[0]!.image).toBe("nginx:1.27");
  });

  it("names the file when it does not exist", () => {
    expect(problemLines(() => loadSpec("/nonexistent/spec.yaml"))).toEqual([
      ": cannot read /nonexistent/spec.yaml: no such file; pass the path of a spec file (YAML or JSON)",
    ]);
  });
});

describe("parseSpec tags", () => {
  it("reports tags the chosen provider cannot take", () => {
    const lines = problemLines(() =>
      parseSpec({ name: "shop", provider: "aws", tags: { "aws:owner": "me" }, services: { api: { image: "nginx:1.27" } } }),
    );
    expect(lines).toEqual([expect.stringMatching(/^tags: .*aws:/)]);
  });

  it("leaves tags to the backend when the provider is detected later", () => {
    expect(() => parseSpec({ name: "shop", tags: { "aws:owner": "me" }, services: { api: { image: "nginx:1.27" } } })).not.toThrow();
  });
});

describe("parseSpec names", () => {
  it("reports a service or secret name that breaks the DNS label rule", () => {
    expect(problemLines(() => parseSpec({ name: "shop", services: { API_1: { image: "nginx:1.27" } } }))).toEqual([
      'services.API_1: name "API_1" is not allowed; allowed: 1-20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen; rename it, e.g. "api-1"',
    ]);
  });
});

describe("parseSpec reports every problem in one run", () => {
  it("reports type errors and the rules on the rest of the spec together", () => {
    const text = [
      "name: shop",
      "environment: production",
      "services:",
      "  api:",
      "    image: ghcr.io/acme/api:latest",
      "    port: eighty",
      "    replicas: { min: 5, max: 2 }",
    ].join("\n");
    expect(problemLines(() => parseSpecText(text))).toEqual([
      'services.api.image: "ghcr.io/acme/api:latest" uses the mutable tag "latest"; production needs an immutable tag or digest; pin a version tag such as :1.4.2 or a digest @sha256:...',
      'services.api.port: "eighty" is not a number; allowed: a whole number 1-65535; write port as a number, without quotes or units, e.g. port: 8080',
      "services.api.replicas.min: 5 is greater than replicas.max 2; make min <= max",
    ]);
  });

  it("reports nothing about a default standing in for a rejected value", () => {
    // replicas.min is rejected: the preset's minimum (1) stands in for it, and is not "below 2 in production".
    const spec = fullSpec() as Record<string, any>;
    spec.services.api.replicas = { min: "three", max: 10 };
    spec.database.version = "12";
    expect(problemLines(() => parseSpec(spec)).map((l) => l.split(":")[0])).toEqual(["services.api.replicas.min", "database.version"]);
  });

  it("leaves out what depends on a rejected environment, and keeps the rest", () => {
    const spec = fullSpec() as Record<string, any>;
    spec.environment = "prod";
    spec.services.api.image = "ghcr.io/acme/api:latest"; // a production rule: not decided without the environment
    spec.services.api.replicas = { min: 5, max: 3 }; // decided by the two values alone
    expect(problemLines(() => parseSpec(spec))).toEqual([
      'environment: "prod" is not allowed; allowed: development | staging | production; did you mean "production"?',
      "services.api.replicas.min: 5 is greater than replicas.max 3; make min <= max",
    ]);
  });

  it("drops an entry whose required field is missing, and what refers to it", () => {
    const spec = fullSpec() as Record<string, any>;
    spec.services.web = { port: 80 }; // no image: the whole service is left out of the rules
    spec.services.api.access = { services: ["web"] };
    spec.services.api.replicas = { min: 5, max: 3 };
    expect(problemLines(() => parseSpec(spec)).map((l) => l.split(":")[0])).toEqual(["services.web.image", "services.api.replicas.min"]);
  });

  it("checks the rules with a rejected name or services section stood in for", () => {
    expect(problemLines(() => parseSpec({ name: "Shop_1", environment: "production", services: { api: { image: "nginx", replicas: { min: 1, max: 3 } } } })).map((l) => l.split(":")[0])).toEqual([
      "name",
      "services.api.replicas.min",
      "services.api.image",
    ]);
    expect(problemLines(() => parseSpec({ name: "shop", services: ["api"] }))).toEqual([
      "services: a list of 1 is not a mapping; allowed: a mapping of names to a mapping with the fields image, command, args, port, cpu, memory, replicas, autoscaling, healthCheck, public, env, secrets, access, deployment; write services as a mapping (indented key: value lines)",
    ]);
  });

  it("gives type errors what is allowed and a fix, like the rules' problems", () => {
    const lines = problemLines(() =>
      parseSpec({ name: "shop", services: { api: { image: "nginx:1.27", public: "yes", port: "8080", cpu: 64, command: "serve" } }, network: { cidr: 10 } }),
    );
    expect(lines).toEqual([
      'network.cidr: 10 is not a string; allowed: text (private (RFC 1918) IPv4 range, /16 to /24); quote the value, e.g. cidr: "10"',
      "services.api.command: \"serve\" is not a list; allowed: a list of text; write command as a list, e.g. [a, b] or one \"- item\" per line",
      'services.api.port: "8080" is not a number; allowed: a whole number 1-65535; write 8080 without quotes',
      "services.api.cpu: 64 is out of range; allowed: a number 0.25-16; set cpu to 16 or less",
      'services.api.public: "yes" is not a boolean; allowed: true or false; write true or false, without quotes, e.g. public: false',
    ]);
  });

  it("says where a secret's value goes when the spec holds one", () => {
    const lines = problemLines(() => parseSpec({ name: "shop", services: { api: { image: "nginx:1.27" } }, secrets: { "stripe-key": { value: "sk_live_0123456789abcdef" }, github: "ghp_0123456789abcdefghijklmnopqrstuv" } }));
    expect(lines).toEqual([
      'secrets.stripe-key.value: unknown field "value"; allowed fields: description, rotationDays, generate; remove "value": secret values never go in the spec: set it with `pulumi config set --secret polycloud:secrets.stripe-key <value>` in the stack\'s directory, or set generate: true to have one generated',
      "secrets.github: <redacted> is not a secret's settings; allowed: a mapping with the fields description, rotationDays, generate; write secrets.github as a mapping; secret values never go in the spec: set it with `pulumi config set --secret polycloud:secrets.github <value>` in the stack's directory, or set generate: true to have one generated",
    ]);
    expect(lines.join("\n")).not.toMatch(/sk_live_0123|ghp_0123/);
  });
});

describe("spec size limits", () => {
  const services = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, { image: "nginx:1.27" }]));

  it("refuses more than 200 services with the limit and why, before validating them", () => {
    const started = Date.now();
    const lines = problemLines(() => parseSpec({ name: "shop", services: services(5000), environment: "bogus" }));
    expect(lines).toEqual([expect.stringMatching(/^services: has 5000 entries; allowed: at most 200, because every service becomes a dozen resources or more.*; split the spec into several applications/)]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(() => parseSpec({ name: "shop", services: services(200) })).not.toThrow();
  });

  it("refuses any list or mapping of more than 1000 entries", () => {
    const env = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`V${i}`, "x"]));
    expect(problemLines(() => parseSpec({ name: "shop", services: { api: { image: "nginx:1.27", env } } }))).toEqual([
      expect.stringMatching(/^services\.api\.env: has 1001 entries; allowed: at most 1000, because/),
    ]);
  });

  it("refuses a file over 1 MB before reading it", () => {
    const dir = mkdtempSync(join(tmpdir(), "polycloud-spec-"));
    const file = join(dir, "huge.yaml");
    writeFileSync(file, `name: shop\nservices:\n${"  # padding padding padding padding padding padding padding padding\n".repeat(20_000)}`);
    expect(problemLines(() => loadSpec(file))).toEqual([
      expect.stringMatching(/^: the file is 1\.3 MB; allowed: at most 1\.0 MB, because a spec describes one application.*; split it into one spec per application/),
    ]);
    expect(() => parseSpecText("x".repeat(1024 * 1024 + 1))).toThrow(/too big to check/);
  });
});
