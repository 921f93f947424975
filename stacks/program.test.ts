import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { buildModel, loadSpec } from "@polycloud/core";
import { detect, directoryProbe, strictSetting } from "@polycloud/platform";
import { validateKubernetesObjects } from "@polycloud/kubernetes/validation";
import { runProgram, type Plan } from "@polycloud/testing";
import "@polycloud/policy/jest";
import { resourceGraph } from "../examples/resource-graph";
import { stackProgram } from "./program";

const STACKS = ["dev", "staging", "prod"] as const;
const BACKENDS = ["aws", "azure", "gcp", "kubernetes"] as const;
/** What a stack on each cloud sets with `pulumi config set` (its SDK's account and region); the specs' regions are AWS's. */
const PROVIDER_CONFIG: Readonly<Record<(typeof BACKENDS)[number], Record<string, string>>> = {
  aws: {},
  azure: { "azure-native:location": "westeurope", "azure-native:subscriptionId": "11111111-2222-3333-4444-555555555555" },
  gcp: { "gcp:project": "acme-shop", "gcp:region": "europe-west1" },
  kubernetes: {},
};

/** The stack's settings file as the engine would apply it. */
function stackConfig(stack: string): Record<string, string> {
  const settings = parse(readFileSync(join(__dirname, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, string> };
  return settings.config;
}

/** Runs the stacks program for a stack; `env: {}` and no home directory keep detection hermetic. */
function plan(stack: string, config: Record<string, string>): Promise<Plan> {
  return runProgram(() => stackProgram({ env: {} }), { project: "polycloud", stack, config, timeoutMs: 30_000 });
}

describe("stackProgram", () => {
  describe.each(BACKENDS)("on %s", (backend) => {
    it.each(STACKS)("plans stacks/%s.yaml completely when the backend is chosen explicitly", async (stack) => {
      const result = await plan(stack, { ...PROVIDER_CONFIG[backend], ...stackConfig(stack), "polycloud:provider": backend });
      expect(result.outputs).toMatchObject({ provider: backend, urls: { api: expect.any(String), worker: expect.any(String) }, databaseEndpoint: expect.any(String) });
      // Stateful resources are protected in production only.
      const protectedCount = result.resources().filter((r) => r.options.protect).length;
      expect(stack === "prod" ? protectedCount > 0 : protectedCount === 0).toBe(true);
      if (backend === "kubernetes") expect(validateKubernetesObjects(result)).toEqual([]);
      // Zero mandatory policy findings; accepted ones are suppressions with a reason in the component.
      expect(result).toPassPolicies();
      expect(resourceGraph(result)).toMatchSnapshot();
    });
  });

  it("builds on the backend its Pulumi.<stack>.yaml picks when nothing else decides", async () => {
    const result = await plan("dev", stackConfig("dev"));
    expect(result.outputs["detection"]).toMatchObject({ provider: "kubernetes", tier: 1 });
  });

  // The AWS stacks are planned above; here only which backend their settings pick (detection itself is tested in platform).
  it.each([
    ["staging", "aws", 2],
    ["prod", "aws", 1],
  ] as const)("has Pulumi.%s.yaml pick %s at tier %d", (stack, provider, tier) => {
    const config = stackConfig(stack);
    expect(detect({ config, strict: strictSetting(config["polycloud:strict"]), files: directoryProbe(__dirname) })).toMatchObject({ provider, tier });
  });

  it("ignores the environment when polycloud:strict is true", async () => {
    const run = (config: Record<string, string>) => runProgram(() => stackProgram({ env: { KUBECONFIG: "/home/me/.kube/config" } }), { project: "polycloud", stack: "dev", config });
    expect((await run({})).outputs["detection"]).toMatchObject({ provider: "kubernetes", tier: 3 });
    await expect(run({ "polycloud:strict": "true" })).rejects.toThrow(/strict mode looks only at/);    await expect(run({ "polycloud:strict": "yes" })).rejects.toThrow('polycloud:strict: "yes" is not a boolean; allowed: true | false');
  });

  it("builds the file named by polycloud:spec instead of the stack's own", async () => {
    const result = await plan("preview-42", { "polycloud:spec": "dev.yaml", "polycloud:provider": "kubernetes" });
    expect(result.find("polycloud:platform:Platform").name).toBe("shop");
  });

  it("fails before creating anything when the stack config has an unknown polycloud: key, naming the closest one", async () => {
    const run = plan("dev", { ...stackConfig("dev"), "polycloud:kubernetes.ingressClass": "traefik" });
    await expect(run).rejects.toThrow(/polycloud:kubernetes\.ingressClass: .*; did you mean polycloud:kubernetes\.ingressClassName\?/);
  });
});

describe("the stacks' specs", () => {
  // Least privilege: only the api may use the assets bucket; both services reach the stores.
  it.each(STACKS.flatMap((stack) => BACKENDS.map((backend) => [stack, backend] as const)))("grant the assets bucket to the api alone in %s.yaml on %s", (stack, backend) => {
    const model = buildModel(loadSpec(join(__dirname, `${stack}.yaml`)), backend, { "polycloud:aws.hostedZoneId": "Z123" });
    expect(model.buckets["assets"]?.clients).toEqual({ api: "readwrite" });
    expect(model.database?.clients).toEqual(["api", "worker"]);
    expect(model.services["worker"]?.buckets).toEqual({});
  });
});
