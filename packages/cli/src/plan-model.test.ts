// `polycloud plan` and the application model, on a stand-in Kubernetes backend: what the CLI owns
// (backend options and secret values from -c reaching the backend, the model's warnings shown once)
// holds whatever the real backend renders.
import * as pulumi from "@pulumi/pulumi";
import type { AppModel, Backend, BuildOptions } from "@polycloud/core";
import { cleanup, polycloud, SMALL_SPEC, tmpProject } from "./__tests__/capture";

const received: { model?: AppModel; options?: BuildOptions }[] = [];

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super("fake:index:Thing", name, props, opts);
  }
}

/** The stand-in for @polycloud/kubernetes: records what it is given, creates a resource per secret and service. */
const backend: Backend<"kubernetes"> = {
  provider: "kubernetes",
  packageName: "@polycloud/kubernetes",
  build(model, parent, options) {
    received.push({ model, ...(options === undefined ? {} : { options }) });
    for (const name of Object.keys(model.secrets)) {
      new Thing(`${model.app}-${name}`, { value: options?.secretValues?.[name] ?? null }, { parent });
    }
    const services = Object.values(model.services).map((s) => {
      new Thing(`${model.app}-${s.name}`, { ingressClassName: model.options.ingressClassName, host: s.host ?? null, tls: s.tls }, { parent });
      return { serviceName: s.name, url: pulumi.output(`http://${s.name}`) };
    });
    return {
      network: { networkId: pulumi.output("ns") },
      services,
      buckets: Object.keys(model.buckets).map((b) => ({ bucketName: pulumi.output(b) })),
      secrets: { references: {} },
      monitoring: { dashboardUrl: pulumi.output(undefined), alertCount: 0 },
    };
  },
};

/** Where the CLI loads the Kubernetes backend from in these tests. */
const loadModule = (id: string) => (id === "@polycloud/kubernetes" ? { backend } : undefined);

const MINIMAL = "name: min\nservices:\n  web: { image: 'nginx:1.27', public: true }\n";

let dir: string;
beforeEach(() => {
  received.length = 0;
});
afterEach(() => cleanup(dir));

describe("polycloud plan and the application model", () => {
  it("shows the model's warning once, under Warnings, when a minimal spec plans without a domain", async () => {
    dir = tmpProject({ "min.yaml": MINIMAL });
    const result = await polycloud(["plan", "min.yaml", "--provider", "kubernetes"], { cwd: dir, loadModule });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const warnings = result.stdout.slice(result.stdout.indexOf("\nWarnings:\n")).split("\n").slice(2);
    expect(warnings.filter((w) => w !== "")).toEqual([expect.stringMatching(/^ {2}- network\.loadBalancer\.tls: is off \(its default is on\): kubernetes issues load balancer certificates only for a domain you control/)]);
    expect(received[0]?.model?.services["web"]).toMatchObject({ tls: false, public: true });

    const json = JSON.parse((await polycloud(["plan", "min.yaml", "--provider", "kubernetes", "--json"], { cwd: dir, loadModule })).stdout) as { warnings: string[] };
    expect(json.warnings).toEqual([expect.stringMatching(/^network\.loadBalancer\.tls: is off/)]);
  });

  it("hands the backend its options from -c over the spec's providers section", async () => {
    dir = tmpProject({ "blog.yaml": `${SMALL_SPEC}providers:\n  kubernetes: { ingressClassName: nginx, monitoringNamespace: observability }\n` });
    const result = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--json", "-c", "polycloud:kubernetes.ingressClassName=traefik", "-c", "polycloud:kubernetes.selectorLabels.release=kps"], { cwd: dir, loadModule });
    expect(result.code).toBe(0);
    expect(received[0]?.model?.options).toMatchObject({ ingressClassName: "traefik", monitoringNamespace: "observability", selectorLabels: { release: "kps" } });
    const { resources } = JSON.parse(result.stdout) as { resources: { name: string; inputs: Record<string, unknown> }[] };
    expect(resources.find((r) => r.name === "blog-web")?.inputs).toMatchObject({ ingressClassName: "traefik", host: "blog.example.com", tls: true });
  });

  it("passes a secret value from -c polycloud:secrets.<name> to the backend as a secret, and never prints it", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    const result = await polycloud(["plan", "blog.yaml", "--provider", "kubernetes", "--json", "-c", "polycloud:secrets.api-token=tok-very-secret-123"], { cwd: dir, loadModule });
    expect(result.code).toBe(0);
    expect(Object.keys(received[0]?.options?.secretValues ?? {})).toEqual(["api-token"]);
    expect(result.stdout).not.toContain("tok-very-secret-123");
    const { resources } = JSON.parse(result.stdout) as { resources: { name: string; inputs: Record<string, unknown> }[] };
    expect(resources.find((r) => r.name === "blog-api-token")?.inputs).toEqual({ value: "[secret]" });
  });

  it("passes no secret value when none is given", async () => {
    dir = tmpProject({ "blog.yaml": SMALL_SPEC });
    expect((await polycloud(["plan", "blog.yaml", "--provider", "kubernetes"], { cwd: dir, loadModule })).code).toBe(0);
    expect(received[0]?.options?.secretValues).toEqual({});
  });
});
