import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateKubernetesObjects } from "@polycloud/kubernetes/validation";
import { runProgram, secretConfig, type Plan, type RecordedResource } from "@polycloud/testing";
import "@polycloud/policy/jest";
import { resourceGraph } from "../resource-graph";
import { multiCloud } from "./program";

let plan: Plan;
beforeAll(async () => {
  plan = await runProgram(multiCloud, { project: "multi-cloud", stack: "staging", config: { "aws:region": "eu-west-1", "gcp:project": "acme-analytics" }, timeoutMs: 30_000 });
});

/** Every provider resource below a component, by the package of its type token (`aws`, `kubernetes`, `random`). */
function packagesUnder(component: RecordedResource): string[] {
  return [...new Set(plan.descendants(component).filter((r) => r.custom).map((r) => r.type.split(":")[0]!))].sort();
}

describe("multiCloud", () => {
  it("builds each platform only from its own cloud's resources", () => {
    expect(packagesUnder(plan.find("polycloud:platform:Platform", "storefront"))).toEqual(["aws", "random"]);
    expect(packagesUnder(plan.find("polycloud:platform:Platform", "reports"))).toEqual(["azure-native", "random"]);
    expect(packagesUnder(plan.find("polycloud:platform:Platform", "analytics"))).toEqual(["gcp", "random"]);
    expect(packagesUnder(plan.find("polycloud:platform:Platform", "back-office"))).toEqual(["kubernetes", "random"]);
  });

  it("exports each platform's URLs, endpoints and the backend it was built on", () => {
    expect(plan.outputs).toMatchObject({
      storefront: { provider: "aws", urls: { web: "https://shop.example.com" }, databaseEndpoint: expect.any(String), bucketNames: { media: expect.any(String) } },
      reports: { provider: "azure", urls: { reports: expect.any(String) }, databaseEndpoint: expect.stringMatching(/\.postgres\.database\.azure\.com$/), bucketNames: { exports: expect.any(String) } },
      analytics: { provider: "gcp", urls: { ingest: "https://events.example.com" }, cacheEndpoint: expect.any(String), bucketNames: { events: expect.any(String) } },
      backOffice: { provider: "kubernetes", urls: { admin: expect.stringMatching(/^http:\/\/admin\..*\.svc\.cluster\.local/) }, cacheEndpoint: expect.any(String) },
    });
    expect(plan.outputs["storefront"].detection.signals[0]).toEqual({ provider: "aws", tier: 1, source: "option", name: "Platform backend option", value: "aws" });
  });

  it("keeps the payment key out of the storefront's container definitions, by reference only", () => {
    const task = plan.find("aws:ecs/taskDefinition:TaskDefinition");
    const containers = JSON.parse(task.inputs["containerDefinitions"]) as { environment?: { name: string }[]; secrets?: { name: string }[] }[];
    expect(containers.flatMap((c) => c.environment ?? []).map((e) => e.name)).not.toContain("PAYMENTS_KEY");
    expect(containers.flatMap((c) => c.secrets ?? []).map((s) => s.name)).toEqual(expect.arrayContaining(["PAYMENTS_KEY", "DATABASE_URL"]));
  });

  it("emits only back-office Kubernetes objects that validate against the Kubernetes and CRD schemas", () => {
    expect(plan.descendants(plan.find("polycloud:platform:Platform", "back-office")).filter((r) => r.type.startsWith("kubernetes:")).length).toBeGreaterThan(20);
    expect(validateKubernetesObjects(plan)).toEqual([]);
  });

  it("plans the same resource graph", () => {
    // Zero mandatory policy findings; accepted ones are suppressions with a reason in the component.
    expect(plan).toPassPolicies();
    expect(resourceGraph(plan)).toMatchSnapshot();
  });

  it("gives each Platform its own backend options and secret values from the one stack config", async () => {
    const configured = await runProgram(multiCloud, {
      project: "multi-cloud",
      stack: "staging",
      config: {
        "aws:region": "eu-west-1",
        "polycloud:aws.hostedZoneId": "Z0123456789ABC",
        "polycloud:kubernetes.monitoringNamespace": "observability",
        // The storefront's secret: not an unknown key to the back office, which has no secrets.
        "polycloud:secrets.payments-key": secretConfig("pk_live_very_secret"),
      },
      timeoutMs: 30_000,
    });
    const storefront = configured.find("polycloud:platform:Platform", "storefront");
    expect(configured.descendants(storefront).filter((r) => r.type === "aws:route53/record:Record").every((r) => r.inputs["zoneId"] === "Z0123456789ABC")).toBe(true);
    expect(configured.descendants(storefront).some((r) => r.type === "aws:route53/record:Record")).toBe(true);
    expect(JSON.stringify(configured.toJSON())).not.toContain("pk_live_very_secret");
  });
});

describe("the repository's Pulumi projects", () => {
  const root = join(__dirname, "..", "..");
  const examples = readdirSync(join(root, "examples"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const projects = [join(root, "stacks"), ...examples.map((entry) => join(root, "examples", entry.name))];

  // A clone has no dist/: `pulumi up` works only when the program runs the TypeScript sources through tsx.
  it.each(projects.map((dir) => [dir.slice(root.length + 1), dir]))("%s runs its TypeScript sources through tsx, as a clone needs", (_, dir) => {
    const text = readFileSync(join(dir, "Pulumi.yaml"), "utf8");
    expect(text).toMatch(/^runtime:\n {2}name: nodejs\n {2}options:\n(?: {4}#.*\n)* {4}typescript: false\n {4}nodeargs: "--conditions=source --require tsx\/cjs"\n/m);
    expect(text).toMatch(/^main: index\.ts$/m);
  });
});
