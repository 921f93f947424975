import { readFileSync } from "node:fs";
import { join } from "node:path";
import { physicalName } from "@polycloud/core";
import { cleanup, SMALL_SPEC, tmpProject, writeFiles } from "./__tests__/capture";
import { captureIo, installStandIn, type StandIn } from "./__tests__/stand-in";
import { engineCommand } from "./engine";
import { reportError } from "./errors";
import { rolloutCommand, type RolloutAction, type RolloutFlags } from "./rollout";

// A canary on Azure Container Apps, deployed once to the stand-in's state with its latest revision.
const CANARY_SPEC = SMALL_SPEC.replace("secrets: [api-token] }", "secrets: [api-token], deployment: { strategy: canary } }\n  worker: { image: 'ghcr.io/acme/blog-worker:2.0.1' }");
const AZURE = "config:\n  polycloud:provider: azure\n  azure-native:location: westeurope\n";
const WEB = { op: "create", type: "polycloud:azure:WebService", name: "blog-web", outputs: { url: "https://blog.example.com", latestRevision: "blog-web--r2" } };

let dir: string;
let pulumi: StandIn;
beforeAll(async () => {
  dir = tmpProject({ "blog.yaml": CANARY_SPEC, "Pulumi.blog.yaml": AZURE, "prod.yaml": `${CANARY_SPEC}environment: production\n`, "k8s.yaml": CANARY_SPEC, "Pulumi.k8s.yaml": "config:\n  polycloud:provider: kubernetes\n" });
  pulumi = installStandIn(dir);
  const { io, stderr } = captureIo({ cwd: dir, env: pulumi.env({ FAKE_PULUMI_STEPS: JSON.stringify([WEB]) }) });
  const code = await engineCommand("up", "blog.yaml", {}, io).catch((error: unknown) => reportError(error, io, false));
  expect([code, stderr()]).toEqual([0, expect.any(String)]);
});
afterAll(() => cleanup(dir));

async function rollout(action: RolloutAction, spec: string, flags: RolloutFlags) {
  pulumi.reset();
  const captured = captureIo({ cwd: dir, env: pulumi.env({ FAKE_PULUMI_STEPS: "[]" }) });
  const code = await rolloutCommand(action, spec, flags, captured.io).catch((error: unknown) => reportError(error, captured.io, false));
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe("rolloutCommand", () => {
  it("promotes the latest revision on Azure: it becomes the stable revision in the stack config, and up moves all traffic to it", async () => {
    writeFiles(dir, { "Pulumi.blog.yaml": `${AZURE}  # the revision serving before the canary\n  polycloud:azure.stableRevisions.web: blog-web--r1\n` });
    const result = await rollout("promote", "blog.yaml", { service: "web" });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("promote web: revision blog-web--r2 takes all traffic, blog-web--r1 stops serving (polycloud:azure.stableRevisions.web: blog-web--r1 -> blog-web--r2)\n");
    const calls = pulumi.calls().map((c) => c.args.join(" "));
    const at = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
    // The candidate is read from the state, set in the stack config, then up runs with it.
    expect(at("stack export")).toBeGreaterThan(0);
    expect(calls[at("config set polycloud:azure.stableRevisions.web")]).toMatch(/ blog-web--r2( |$)/);
    expect(at("up --yes")).toBeGreaterThan(at("config set polycloud:azure.stableRevisions.web"));
    expect(result.stdout).toBe("stand-in pulumi: up of stack blog\npromoted revision blog-web--r2 of service web on stack blog: it takes all traffic (stable was blog-web--r1); polycloud:azure.stableRevisions.web records it\n");
    expect(readFileSync(join(dir, "Pulumi.blog.yaml"), "utf8")).toBe(`${AZURE}  # the revision serving before the canary\n  polycloud:azure.stableRevisions.web: blog-web--r2\n`);

    const again = await rollout("promote", "blog.yaml", { service: "web" });
    expect(again).toMatchObject({ code: 0, stdout: "nothing to promote: blog-web--r2 already is the stable revision\n" });
  });

  it("promotes the candidate revision on Google Cloud Run through polycloud:gcp.stableRevisions", async () => {
    const runName = physicalName("gcp", "cloudRunService", { app: "blog", environment: "development", name: "web" });
    writeFiles(dir, { "gcp.yaml": CANARY_SPEC, "Pulumi.gcp.yaml": `config:\n  polycloud:provider: gcp\n  gcp:project: acme-blog\n  gcp:region: europe-west1\n  polycloud:gcp.stableRevisions.web: ${runName}-0a1b2c3d\n` });
    const candidate = { op: "create", type: "polycloud:gcp:WebService", name: "blog-web", outputs: { revision: `${runName}-9f8e7d6c` } };
    const { io } = captureIo({ cwd: dir, env: pulumi.env({ FAKE_PULUMI_STEPS: JSON.stringify([candidate]) }) });
    expect(await engineCommand("up", "gcp.yaml", {}, io)).toBe(0);
    const result = await rollout("promote", "gcp.yaml", { service: "web" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`promoted revision ${runName}-9f8e7d6c of service web on stack gcp: it takes all traffic (stable was ${runName}-0a1b2c3d)`);
    expect(readFileSync(join(dir, "Pulumi.gcp.yaml"), "utf8")).toContain(`polycloud:gcp.stableRevisions.web: ${runName}-9f8e7d6c\n`);
  });

  it("asks before promoting in production: without a terminal it needs --yes, and changes nothing", async () => {
    writeFiles(dir, { "Pulumi.blog.yaml": `${AZURE}  polycloud:azure.stableRevisions.web: blog-web--r1\n` });
    const result = await rollout("promote", "prod.yaml", { service: "web", stack: "blog" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("- --yes: promote of service web on production stack blog moves all traffic to blog-web--r2; pass --yes to confirm, or run on a terminal");
    expect(pulumi.calls().some((c) => c.args[0] === "up" || c.args.includes("set"))).toBe(false);
    expect(readFileSync(join(dir, "Pulumi.blog.yaml"), "utf8")).toContain("stableRevisions.web: blog-web--r1");
  });

  it("aborts the rollout on Azure: the abort is set in the stack config, up sends all traffic back to the stable revision, and promote lifts it", async () => {
    writeFiles(dir, { "Pulumi.blog.yaml": `${AZURE}  polycloud:azure.stableRevisions.web: blog-web--r1\n` });
    const result = await rollout("abort", "blog.yaml", { service: "web" });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("abort web: revision blog-web--r1 takes all traffic back, blog-web--r2 stops serving and keeps its tag (polycloud:azure.abortedRollouts.web: true)\n");
    const calls = pulumi.calls().map((c) => c.args.join(" "));
    const at = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
    expect(at("stack export")).toBeGreaterThan(0);
    expect(calls[at("config set polycloud:azure.abortedRollouts.web")]).toMatch(/ true( |$)/);
    expect(at("up --yes")).toBeGreaterThan(at("config set polycloud:azure.abortedRollouts.web"));
    expect(result.stdout).toBe(
      "stand-in pulumi: up of stack blog\naborted the rollout of revision blog-web--r2 of service web on stack blog: blog-web--r1 takes all traffic, blog-web--r2 none (still reachable at its tag) and the rollback alerts stand down; " +
        "polycloud:azure.abortedRollouts.web records it, and holds for new revisions until `polycloud promote`\n",
    );
    expect(readFileSync(join(dir, "Pulumi.blog.yaml"), "utf8")).toBe(`${AZURE}  polycloud:azure.stableRevisions.web: blog-web--r1\n  polycloud:azure.abortedRollouts.web: "true"\n`);

    // Promote of the candidate: the rollout goes on, so the abort goes.
    const promoted = await rollout("promote", "blog.yaml", { service: "web" });
    expect(promoted.code).toBe(0);
    expect(promoted.stderr).toContain("(polycloud:azure.stableRevisions.web: blog-web--r1 -> blog-web--r2); the abort is lifted (polycloud:azure.abortedRollouts.web removed)\n");
    const promoteCalls = pulumi.calls().map((c) => c.args.join(" "));
    const rm = promoteCalls.findIndex((c) => c.startsWith("config rm polycloud:azure.abortedRollouts.web"));
    expect(rm).toBeGreaterThan(0);
    expect(promoteCalls.findIndex((c) => c.startsWith("up --yes"))).toBeGreaterThan(rm);
    expect(readFileSync(join(dir, "Pulumi.blog.yaml"), "utf8")).toBe(`${AZURE}  polycloud:azure.stableRevisions.web: blog-web--r2\n`);
  });

  it("aborts the rollout of the candidate revision on Google Cloud Run through polycloud:gcp.abortedRollouts", async () => {
    const runName = physicalName("gcp", "cloudRunService", { app: "blog", environment: "development", name: "web" });
    writeFiles(dir, { "gcp.yaml": CANARY_SPEC, "Pulumi.gcp.yaml": `config:\n  polycloud:provider: gcp\n  gcp:project: acme-blog\n  gcp:region: europe-west1\n  polycloud:gcp.stableRevisions.web: ${runName}-0a1b2c3d\n` });
    const candidate = { op: "create", type: "polycloud:gcp:WebService", name: "blog-web", outputs: { revision: `${runName}-9f8e7d6c` } };
    const { io } = captureIo({ cwd: dir, env: pulumi.env({ FAKE_PULUMI_STEPS: JSON.stringify([candidate]) }) });
    expect(await engineCommand("up", "gcp.yaml", {}, io)).toBe(0);
    const result = await rollout("abort", "gcp.yaml", { service: "web" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`aborted the rollout of revision ${runName}-9f8e7d6c of service web on stack gcp: ${runName}-0a1b2c3d takes all traffic`);
    expect(pulumi.calls().some((c) => c.args[0] === "up")).toBe(true);
    expect(readFileSync(join(dir, "Pulumi.gcp.yaml"), "utf8")).toContain(`polycloud:gcp.stableRevisions.web: ${runName}-0a1b2c3d\n  polycloud:gcp.abortedRollouts.web: "true"\n`);
  });

  it("says there is nothing to abort once the candidate is the stable revision, and refuses an abort with no stable revision to go back to, running nothing", async () => {
    writeFiles(dir, { "Pulumi.blog.yaml": `${AZURE}  polycloud:azure.stableRevisions.web: blog-web--r2\n` });
    const promoted = await rollout("abort", "blog.yaml", { service: "web" });
    expect(promoted).toMatchObject({ code: 0, stdout: "nothing to abort: blog-web--r2 is the stable revision (promoted, polycloud:azure.stableRevisions.web), it takes all traffic; to go back, put the previous release back in the spec and run up\n" });
    expect(pulumi.calls().some((c) => c.args[0] === "up" || c.args.includes("set"))).toBe(false);

    writeFiles(dir, { "Pulumi.blog.yaml": AZURE });
    const first = await rollout("abort", "blog.yaml", { service: "web" });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("abort of service web: no stable revision is set (polycloud:azure.stableRevisions.web), so blog-web--r2 is the only revision serving and there is none to go back to;");
    expect(pulumi.calls().some((c) => c.args[0] === "up" || c.args.includes("set"))).toBe(false);
    expect(readFileSync(join(dir, "Pulumi.blog.yaml"), "utf8")).toBe(AZURE);
  });

  it("asks before aborting in production: without a terminal it needs --yes, and changes nothing", async () => {
    writeFiles(dir, { "Pulumi.blog.yaml": `${AZURE}  polycloud:azure.stableRevisions.web: blog-web--r1\n` });
    const result = await rollout("abort", "prod.yaml", { service: "web", stack: "blog" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("- --yes: abort of service web on production stack blog moves all traffic back to blog-web--r1; pass --yes to confirm, or run on a terminal");
    expect(pulumi.calls().some((c) => c.args[0] === "up" || c.args.includes("set"))).toBe(false);
    expect(readFileSync(join(dir, "Pulumi.blog.yaml"), "utf8")).not.toContain("abortedRollouts");
  });

  it("refuses abort on Kubernetes, naming Argo Rollouts' own command and what rolls back by itself", async () => {
    const result = await rollout("abort", "k8s.yaml", { service: "web" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^polycloud: abort of service web on kubernetes: `kubectl argo rollouts abort <rollout> -n <namespace>`.* What rolls back by itself: Argo Rollouts' analysis/);
    expect(pulumi.calls()).toEqual([]);
  });

  it("refuses promote on Kubernetes, naming Argo Rollouts' own command", async () => {
    const result = await rollout("promote", "k8s.yaml", { service: "web" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("by hand `kubectl argo rollouts promote <rollout> -n <namespace>`");
  });

  it.each([
    [{}, "--service: is required; pass --service <web|worker>"],
    [{ service: "wbe" }, '--service: "wbe" is not a service of blog; allowed: web, worker; did you mean --service web?'],
    [{ service: "worker" }, "--service: worker deploys by rolling update: there is no canary or blue-green to promote or abort; set services.worker.deployment.strategy to canary or blue-green in the spec"],
  ] as [RolloutFlags, string][])("exits 2 for %j, naming the flag and the fix", async (flags, message) => {
    const result = await rollout("promote", "blog.yaml", flags);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
