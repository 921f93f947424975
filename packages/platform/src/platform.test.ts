import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, PolycloudError, type AppModel, type Backend, type BuildOptions, type Provider } from "@polycloud/core";
import { runProgram, secretConfig } from "@polycloud/testing";
import { BACKEND_PACKAGES, BACKENDS, loadBackend, type ModuleLoader } from "./backends";
import { Platform } from "./platform";

const SPEC = {
  name: "shop",
  services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true }, worker: { image: "ghcr.io/acme/worker:1.0.0" } },
  database: {},
  buckets: { assets: {} },
  secrets: { "stripe-key": {} },
};

// Provider resources of a made-up package: the mocks answer any type token.
class FakeResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super(`fake:index:${type}`, name, props, opts);
  }
}

class FakeProvider extends pulumi.ProviderResource {
  constructor(name: string) {
    super("fake", name, {});
  }
}

/** What a fake backend was given. */
interface Calls {
  model?: AppModel;
  options?: BuildOptions;
  parent?: pulumi.ComponentResource;
}

/** A backend that builds a fake resource per concern of the model, named after the provider and app, and records what it was given. */
function fakeBackend(provider: Provider, calls: Calls = {}): Backend {
  const resource = (type: string, name: string, parent: pulumi.Resource, props: Record<string, unknown> = {}) => new FakeResource(type, name, props, { parent });
  return {
    provider,
    packageName: BACKEND_PACKAGES[provider],
    build(model, parent, options) {
      Object.assign(calls, { model, parent, options });
      const network = resource("Network", `${provider}-${model.app}-network`, parent, { cidr: model.network.cidr });
      const db = model.database === undefined ? undefined : resource("Database", `${provider}-${model.app}-db`, parent);
      return {
        network: { networkId: network.id },
        services: Object.values(model.services).map((s) => {
          resource("Service", `${provider}-${model.app}-${s.name}`, parent, { image: s.spec.image });
          return { serviceName: `${model.app}-${s.name}`, url: pulumi.output(`https://${s.name}.${provider}.example.com`) };
        }),
        ...(db === undefined ? {} : { database: { endpoint: pulumi.output("db.internal"), port: pulumi.output(5432), connectionSecret: { envName: "DATABASE_URL", location: "db-url" } } }),
        buckets: Object.keys(model.buckets).map((b) => ({ bucketName: pulumi.output(`${model.app}-${b}-bucket`) })),
        secrets: { references: {} },
        monitoring: { dashboardUrl: pulumi.output("https://dashboards.example.com/shop"), alertCount: 4 },
      };
    },
  };
}

/** A loader that knows only the given backends and fails for other packages like `require` does. */
function loader(backends: readonly Backend[], loaded: string[] = []): ModuleLoader {
  return (id) => {
    loaded.push(id);
    const backend = backends.find((b) => b.packageName === id);
    if (backend === undefined) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
    return { backend };
  };
}

const spec = parseSpec(SPEC);

// Detection sees only what each test passes (`detection: {}` when a backend is named), never the machine running the tests.
describe("Platform", () => {
  it("builds every concern of the spec under one component when the backend is named", async () => {
    const calls: Calls = {};
    const plan = await runProgram(() => new Platform("shop", spec, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws", calls)]) }).stackOutputs());
    const platform = plan.find("polycloud:platform:Platform", "shop");
    expect(plan.children(platform).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "fake:index:Database aws-shop-db",
      "fake:index:Network aws-shop-network",
      "fake:index:Service aws-shop-api",
      "fake:index:Service aws-shop-worker",
    ]);
    expect(calls).toMatchObject({ model: { app: "shop", provider: "aws", services: { api: { public: true }, worker: { public: false } } }, options: { secretValues: {} } });
    expect(calls.options?.provider).toBeUndefined();
  });

  it("hands the backend the application model it exposes, with its grants, and logs the model's warnings once", async () => {
    const calls: Calls = {};
    let platform: Platform | undefined;
    const granted = parseSpec({ ...SPEC, services: { ...SPEC.services, api: { ...SPEC.services.api, access: { buckets: { assets: "readwrite" } } } } });
    const plan = await runProgram(() => {
      platform = new Platform("shop", granted, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws", calls)]) });
    });
    expect(calls.model).toBe(platform?.model);
    expect(platform?.model.buckets["assets"]?.clients).toEqual({ api: "readwrite" });
    expect(platform?.model.grants).toContainEqual({ service: "api", resource: { kind: "bucket", name: "assets" }, access: "readwrite" });
    // A minimal spec plans on AWS: TLS without a domain is turned off outside production, and says so once.
    expect(platform?.model.network.loadBalancer.tls).toBe(false);
    const warnings = plan.logs.filter((l) => l.severity === "warning");
    expect(warnings.map((l) => l.message)).toEqual([
      expect.stringMatching(/^network\.loadBalancer\.tls: is off \(its default is on\): aws issues load balancer certificates only for a domain you control/),
      expect.stringMatching(/^secrets\.stripe-key: has no value \(stack config polycloud:secrets\.stripe-key is not set\)/),
    ]);
    expect(warnings[0]?.urn).toMatch(/polycloud:platform:Platform::shop$/);
  });

  it("reads backend options from the stack config, over the spec's providers section", async () => {
    const calls: Calls = {};
    const withOptions = parseSpec({ ...SPEC, providers: { kubernetes: { ingressClassName: "nginx", monitoringNamespace: "observability" } } });
    await runProgram(() => void new Platform("shop", withOptions, { backend: "kubernetes", loadModule: loader([fakeBackend("kubernetes", calls)]) }), {
      config: { "polycloud:kubernetes.ingressClassName": "traefik", "polycloud:kubernetes.selectorLabels.release": "kube-prometheus-stack" },
    });
    expect(calls.model?.options).toMatchObject({ ingressClassName: "traefik", monitoringNamespace: "observability", selectorLabels: { release: "kube-prometheus-stack" } });
  });

  it("takes backend options from the detection config when one is given", async () => {
    const calls: Calls = {};
    await runProgram(() => void new Platform("shop", spec, { backend: "aws", detection: { config: { "polycloud:aws.hostedZoneId": "Z123" } }, loadModule: loader([fakeBackend("aws", calls)]) }));
    expect(calls.model?.options).toEqual({ hostedZoneId: "Z123" });
  });

  it("passes the spec's secret values from polycloud:secrets.<name> as Pulumi secrets, and none it does not have", async () => {
    const calls: Calls = {};
    const twoSecrets = parseSpec({ ...SPEC, secrets: { "stripe-key": {}, "mail-key": {} } });
    const plan = await runProgram(
      async () => {
        new Platform("shop", twoSecrets, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws", calls)]) });
        const values = calls.options?.secretValues ?? {};
        return { names: Object.keys(values), secret: await pulumi.isSecret(pulumi.output(values["stripe-key"])), value: values["stripe-key"] };
      },
      { config: { "polycloud:secrets.stripe-key": secretConfig("sk_live_123") } },
    );
    expect(plan.outputs).toMatchObject({ names: ["stripe-key"], secret: true });
    expect(JSON.stringify(plan.toJSON())).not.toContain("sk_live_123");
  });

  it("fails before creating anything when the stack config has an unknown polycloud: key, naming the closest one", async () => {
    const run = runProgram(() => void new Platform("shop", spec, { backend: "aws", loadModule: loader([fakeBackend("aws")]) }), {
      config: { "polycloud:aws.hostedZone": "Z123", "polycloud:secrets.stripe-kee": "x" },
    });
    await expect(run).rejects.toThrow(PolycloudError);
    await expect(run).rejects.toThrow(/^Spec shop cannot be built on aws \(2 problems\):\n {2}- polycloud:aws\.hostedZone: .*; did you mean polycloud:aws\.hostedZoneId\?\n {2}- polycloud:secrets\.stripe-kee: "stripe-kee" is not a secret of the spec.*did you mean polycloud:secrets\.stripe-key\?/);
  });

  it("exports service URLs, the database endpoint, bucket names, the dashboard and the decision when built", async () => {
    const plan = await runProgram(() => new Platform("shop", spec, { backend: "kubernetes", detection: {}, loadModule: loader([fakeBackend("kubernetes")]) }).stackOutputs());
    expect(plan.outputs).toEqual({
      provider: "kubernetes",
      urls: { api: "https://api.kubernetes.example.com", worker: "https://worker.kubernetes.example.com" },
      databaseEndpoint: "db.internal",
      bucketNames: { assets: "shop-assets-bucket" },
      dashboardUrl: "https://dashboards.example.com/shop",
      alertCount: 4,
      // The backend lists none.
      dnsRecords: [],
      detection: {
        provider: "kubernetes",
        tier: 1,
        signals: [{ provider: "kubernetes", tier: 1, source: "option", name: "Platform backend option", value: "kubernetes" }],
      },
    });
  });

  it("exports the DNS records the backend lists for the user to create", async () => {
    const record = { name: "shop.example.com", type: "CNAME", value: "shop-lb.elb.amazonaws.com", purpose: "routes shop.example.com to the load balancer" };
    const aws = fakeBackend("aws");
    const listing: Backend = { ...aws, build: (model, parent, options) => ({ ...aws.build(model, parent, options), dnsRecords: pulumi.output([record]) }) };
    const plan = await runProgram(() => new Platform("shop", spec, { backend: "aws", detection: {}, loadModule: loader([listing]) }).stackOutputs());
    expect(plan.outputs["dnsRecords"]).toEqual([record]);
  });

  it("loads the backend that detection picks from the stack config when none is named", async () => {
    const loaded: string[] = [];
    const plan = await runProgram(() =>
      new Platform("shop", spec, {
        detection: { config: { "kubernetes:context": "kind-dev" }, env: { AWS_PROFILE: "prod" } },
        loadModule: loader([fakeBackend("aws"), fakeBackend("kubernetes")], loaded),
      }).stackOutputs(),
    );
    expect(loaded).toEqual(["@polycloud/kubernetes"]);
    expect(plan.outputs["detection"]).toMatchObject({ provider: "kubernetes", tier: 2 });
  });

  it("takes the spec's provider when nothing overrides it, and the named backend over the spec's", async () => {
    const loaded: string[] = [];
    const load = loader([fakeBackend("aws"), fakeBackend("kubernetes")], loaded);
    const pinned = parseSpec({ ...SPEC, provider: "aws" });
    await runProgram(() => {
      new Platform("a", pinned, { detection: {}, loadModule: load });
      new Platform("b", pinned, { backend: "kubernetes", detection: {}, loadModule: load });
    });
    expect(loaded).toEqual(["@polycloud/aws", "@polycloud/kubernetes"]);
  });

  it("uses the decision it is given instead of detecting again", async () => {
    const loaded: string[] = [];
    const decision = { provider: "aws" as const, tier: 2 as const, signals: [] };
    await runProgram(() => {
      new Platform("shop", spec, { decision, detection: { env: { KUBECONFIG: "/k" } }, loadModule: loader([fakeBackend("aws")], loaded) });
    });
    expect(loaded).toEqual(["@polycloud/aws"]);
  });

  describe("in a poisoned environment", () => {
    // A developer's machine: credentials in the environment, a Helm chart in the working directory, a kubeconfig at home.
    const saved = { env: { ...process.env }, cwd: process.cwd() };
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "polycloud-poison-"));
      writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: web\n");
      Object.assign(process.env, { KUBECONFIG: "/home/dev/.kube/secret-cluster", AWS_PROFILE: "dev-admin", HOME: dir });
      process.chdir(dir);
    });
    afterEach(() => {
      process.chdir(saved.cwd);
      for (const key of ["KUBECONFIG", "AWS_PROFILE", "HOME"]) {
        if (saved.env[key] === undefined) delete process.env[key];
        else process.env[key] = saved.env[key];
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it("reads nothing around the program when a backend is named or a decision is given", async () => {
      const decision = { provider: "aws" as const, tier: 2 as const, signals: [{ provider: "aws" as const, tier: 2 as const, source: "stack config" as const, name: "aws:region", value: "us-east-1" }] };
      const load = loader([fakeBackend("aws")]);
      const plan = await runProgram(
        () => ({ named: new Platform("a", spec, { backend: "aws", loadModule: load }).stackOutputs()["detection"], given: new Platform("b", parseSpec({ ...SPEC, name: "blog" }), { decision, loadModule: load }).stackOutputs()["detection"] }),
        { config: { "polycloud:provider": "kubernetes" } },
      );
      expect(plan.outputs).toEqual({
        named: {
          provider: "aws",
          tier: 1,
          signals: [
            { provider: "aws", tier: 1, source: "option", name: "Platform backend option", value: "aws" },
            // The stack's own config is still shown, as overridden.
            { provider: "kubernetes", tier: 1, source: "stack config", name: "polycloud:provider", value: "kubernetes", shadowedBy: "Platform backend option" },
          ],
        },
        given: decision,
      });
      expect(JSON.stringify(plan.toJSON())).not.toMatch(/secret-cluster|dev-admin|Chart\.yaml|\.kube/);
    });

    it("detects from those surroundings when nothing is named (the poison is real)", async () => {
      const run = runProgram(() => new Platform("a", spec, { loadModule: loader([fakeBackend("aws"), fakeBackend("kubernetes")]) }).stackOutputs());
      await expect(run).rejects.toThrow(/tier 3 \(environment\) points at 2 providers: aws \(AWS_PROFILE="dev-admin"\) vs kubernetes \(KUBECONFIG="\/home\/dev\/.kube\/secret-cluster"\)/);
    });
  });

  it("accepts a spec as written or a spec file path when not given a resolved spec", async () => {
    const dir = mkdtempSync(join(tmpdir(), "polycloud-platform-"));
    try {
      writeFileSync(join(dir, "blog.yaml"), "name: blog\nservices:\n  api: { image: 'nginx:1.27' }\n");
      const load = loader([fakeBackend("aws")]);
      const plan = await runProgram(() => ({
        fromObject: new Platform("a", SPEC, { backend: "aws", detection: {}, loadModule: load }).urls,
        fromFile: new Platform("b", join(dir, "blog.yaml"), { backend: "aws", detection: {}, loadModule: load }).urls,
      }));
      expect(plan.outputs).toEqual({
        fromObject: { api: "https://api.aws.example.com", worker: "https://worker.aws.example.com" },
        fromFile: { api: "https://api.aws.example.com" },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes an explicit provider resource to the backend when one is given", async () => {
    const calls: Calls = {};
    await runProgram(() => {
      const provider = new FakeProvider("cluster");
      new Platform("shop", spec, { backend: "aws", detection: {}, provider, loadModule: loader([fakeBackend("aws", calls)]) });
    });
    expect(calls.options?.provider).toBeInstanceOf(pulumi.ProviderResource);
  });

  // These throw before the component is registered: outside a Pulumi program, reaching `super` would fail differently.
  it.each<[string, () => Platform, RegExp]>([
    ["the backend package is missing", () => new Platform("shop", spec, { backend: "azure", detection: {}, loadModule: loader([]) }), /Backend not available .*"azure" was chosen but the azure backend @polycloud\/azure is not installed; install it: pnpm add @polycloud\/azure/s],
    ["the provider cannot build the spec", () => new Platform("shop", { ...SPEC, network: { cdn: true } }, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws")]) }), /Spec shop cannot be built on aws \(1 problem\):\n {2}- network\.cdn: true is not available on AWS/],
    ["production needs a domain for TLS", () => new Platform("shop", { ...SPEC, environment: "production" }, { backend: "kubernetes", detection: {}, loadModule: loader([fakeBackend("kubernetes")]) }), /Spec shop cannot be built on kubernetes .*network\.loadBalancer\.domain: is required for tls/s],
    ["a backend option is invalid", () => new Platform("shop", spec, { backend: "aws", detection: { config: { "polycloud:aws.hostedZoneId": "zone" } }, loadModule: loader([fakeBackend("aws")]) }), /polycloud:aws\.hostedZoneId: .*a Route 53 hosted zone id/s],
    ["the spec is invalid", () => new Platform("shop", { ...SPEC, name: "Shop!" }, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws")]) }), /Invalid spec .*name: "Shop!" is not valid/s],
    ["providers tie", () => new Platform("shop", spec, { detection: { env: { AWS_PROFILE: "p", KUBECONFIG: "/k" } }, loadModule: loader([]) }), /Cannot detect the provider .*tier 3 \(environment\) points at 2 providers/s],
    ["the named backend is unknown", () => new Platform("shop", spec, { backend: "openstack" as Provider, detection: {}, loadModule: loader([]) }), /Platform backend option: "openstack" is not a provider/],
  ])("throws a PolycloudError before creating anything when %s", (_, create, message) => {
    expect(create).toThrow(PolycloudError);
    expect(create).toThrow(message);
  });
});

describe("loadBackend", () => {
  it.each(BACKENDS)("loads the %s backend from its package", (provider) => {
    expect(loadBackend(provider)).toMatchObject({ provider, packageName: `@polycloud/${provider}` });
  });

  it("names the package to install when a backend is not installed", () => {
    expect(() => loadBackend("kubernetes", loader([]))).toThrow(/the kubernetes backend @polycloud\/kubernetes is not installed; install it: pnpm add @polycloud\/kubernetes/);
    expect(() => loadBackend("gcp", loader([]))).toThrow(/the gcp backend @polycloud\/gcp is not installed; install it: pnpm add @polycloud\/gcp/);
  });

  it("names the missing peer dependency when the backend is installed but its SDK is not", () => {
    const load: ModuleLoader = () => {
      throw Object.assign(new Error("Cannot find module '@pulumi/aws/ec2'\nRequire stack: ..."), { code: "MODULE_NOT_FOUND" });
    };
    expect(() => loadBackend("aws", load)).toThrow(/"aws" was chosen but @pulumi\/aws, which @polycloud\/aws needs, is not installed; install it: pnpm add @pulumi\/aws/);
  });

  it.each([
    ["a file inside the backend is missing", Object.assign(new Error("Cannot find module './network'"), { code: "MODULE_NOT_FOUND" })],
    ["the backend throws while loading", new TypeError("boom")],
  ])("rethrows the original error when %s", (_, error) => {
    expect(() =>
      loadBackend("aws", () => {
        throw error;
      }),
    ).toThrow(error);
  });

  it("refuses a package that exports no backend for the provider", () => {
    expect(() => loadBackend("aws", () => ({ backend: fakeBackend("kubernetes") }))).toThrow(/@polycloud\/aws does not export a `backend` for aws/);
    expect(() => loadBackend("aws", () => ({}))).toThrow(/does not export a `backend`/);
  });

  it("loads each provider from its own package", () => {
    const loaded: string[] = [];
    const all = (["aws", "azure", "gcp", "kubernetes"] as const).map((p) => fakeBackend(p));
    expect(all.map((b) => loadBackend(b.provider, loader(all, loaded)).provider)).toEqual(["aws", "azure", "gcp", "kubernetes"]);
    expect(loaded).toEqual(["@polycloud/aws", "@polycloud/azure", "@polycloud/gcp", "@polycloud/kubernetes"]);
  });
});
