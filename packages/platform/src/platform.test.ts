import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, PolycloudError, type Backend, type BackendOptions, type Provider, type ResolvedSpec } from "@polycloud/core";
import { runProgram } from "@polycloud/testing";
import { BACKEND_PACKAGES, loadBackend, type ModuleLoader } from "./backends";
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

/** A backend that builds a fake resource per concern, named after the provider and spec, and records what it was given. */
function fakeBackend(provider: Provider, calls: { spec?: ResolvedSpec; options?: BackendOptions; parent?: pulumi.ComponentResource } = {}): Backend {
  const resource = (type: string, name: string, parent: pulumi.Resource, props: Record<string, unknown> = {}) => new FakeResource(type, name, props, { parent });
  return {
    provider,
    packageName: BACKEND_PACKAGES[provider],
    validate: (spec) => (spec.cache === undefined ? [] : [{ path: "cache", message: "the fake backend has no cache", fix: "remove cache" }]),
    build(spec, parent, options) {
      Object.assign(calls, { spec, parent, options });
      const network = resource("Network", `${provider}-${spec.name}-network`, parent, { cidr: spec.network.cidr });
      const db = spec.database === undefined ? undefined : resource("Database", `${provider}-${spec.name}-db`, parent);
      return {
        network: { networkId: network.id },
        services: spec.services.map((s) => {
          resource("Service", `${provider}-${spec.name}-${s.name}`, parent, { image: s.image });
          return { serviceName: `${spec.name}-${s.name}`, url: pulumi.output(`https://${s.name}.${provider}.example.com`) };
        }),
        ...(db === undefined ? {} : { database: { endpoint: pulumi.output("db.internal"), port: pulumi.output(5432), connectionSecret: { envName: "DATABASE_URL", ref: "db-url" } } }),
        buckets: spec.buckets.map((b) => ({ bucketName: pulumi.output(`${spec.name}-${b.name}-bucket`) })),
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
    const calls = {};
    const plan = await runProgram(() => new Platform("shop", spec, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws", calls)]) }).stackOutputs());
    const platform = plan.find("polycloud:platform:Platform", "shop");
    expect(plan.children(platform).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "fake:index:Database aws-shop-db",
      "fake:index:Network aws-shop-network",
      "fake:index:Service aws-shop-api",
      "fake:index:Service aws-shop-worker",
    ]);
    expect(calls).toMatchObject({ spec: { name: "shop", services: [{ name: "api" }, { name: "worker" }] }, options: {} });
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
      detection: {
        provider: "kubernetes",
        tier: 1,
        signals: [{ provider: "kubernetes", tier: 1, source: "option", name: "Platform backend option", value: "kubernetes" }],
      },
    });
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
    const calls: { options?: BackendOptions } = {};
    await runProgram(() => {
      const provider = new FakeProvider("cluster");
      new Platform("shop", spec, { backend: "aws", detection: {}, provider, loadModule: loader([fakeBackend("aws", calls)]) });
    });
    expect(calls.options?.provider).toBeInstanceOf(pulumi.ProviderResource);
  });

  // These throw before the component is registered: outside a Pulumi program, reaching `super` would fail differently.
  it.each<[string, () => Platform, RegExp]>([
    ["the backend package is missing", () => new Platform("shop", spec, { backend: "azure", detection: {}, loadModule: loader([]) }), /Backend not available .*"azure" was chosen but @polycloud\/azure is not installed \(the Azure backend is not released yet\); available backends: aws, kubernetes; choose one of aws, kubernetes/s],
    ["the backend cannot honour the spec", () => new Platform("shop", { ...SPEC, cache: {} }, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws")]) }), /Spec shop cannot be built on aws \(1 problem\):\n {2}- cache: the fake backend has no cache; remove cache/],
    ["the spec is invalid", () => new Platform("shop", { ...SPEC, name: "Shop!" }, { backend: "aws", detection: {}, loadModule: loader([fakeBackend("aws")]) }), /Invalid spec .*name: "Shop!" is not valid/s],
    ["providers tie", () => new Platform("shop", spec, { detection: { env: { AWS_PROFILE: "p", KUBECONFIG: "/k" } }, loadModule: loader([]) }), /Cannot detect the provider .*tier 3 \(environment\) points at 2 providers/s],
    ["the named backend is unknown", () => new Platform("shop", spec, { backend: "openstack" as Provider, detection: {}, loadModule: loader([]) }), /Platform backend option: "openstack" is not a provider/],
  ])("throws a PolycloudError before creating anything when %s", (_, create, message) => {
    expect(create).toThrow(PolycloudError);
    expect(create).toThrow(message);
  });
});

describe("loadBackend", () => {
  it("says a backend is not released yet, and which are, when the real require cannot find an unreleased one", () => {
    expect(() => loadBackend("gcp")).toThrow(/@polycloud\/gcp is not installed \(the GCP backend is not released yet\); available backends: aws, kubernetes/);
    expect(() => loadBackend("gcp")).not.toThrow(/pnpm add/);
  });

  it("names the package to install when a released backend is not installed", () => {
    expect(() => loadBackend("kubernetes", loader([]))).toThrow(/the kubernetes backend @polycloud\/kubernetes is not installed; install it: pnpm add @polycloud\/kubernetes/);
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
