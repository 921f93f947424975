import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, SMALL_SPEC, tmpProject, writeFiles } from "./__tests__/capture";
import { captureIo, installStandIn, type StandIn } from "./__tests__/stand-in";
import { engineCommand, type EngineFlags, type EngineOperation } from "./engine";
import { reportError } from "./errors";

// Confirmation of up and destroy against the stand-in pulumi: one project, the stand-in's state reset per test.
let dir: string;
let pulumi: StandIn;
beforeAll(() => {
  dir = tmpProject({
    "blog.yaml": `${SMALL_SPEC}environment: production\n`,
    "Pulumi.blog.yaml": "config:\n  polycloud:provider: kubernetes\n  kubernetes:context: kind-blog\n",
    "staging.yaml": SMALL_SPEC,
    "Pulumi.staging.yaml": "config:\n  polycloud:provider: kubernetes\n",
  });
  pulumi = installStandIn(dir);
});
afterAll(() => cleanup(dir));
beforeEach(() => {
  for (const file of ["changes.json", "destroy.json"]) if (existsSync(join(dir, file))) writeFileSync(join(dir, file), "");
});

const step = (op: string, type: string, name: string) => ({ op, type, name });
const REVIEWED = [
  step("create", "kubernetes:apps/v1:Deployment", "blog-web"),
  step("replace", "kubernetes:postgresql.cnpg.io/v1:Cluster", "blog-db"),
  step("delete", "kubernetes:core/v1:PersistentVolumeClaim", "blog-media"),
  step("update", "kubernetes:core/v1:Service", "blog-web"),
];
const steps = (list: object[]) => ({ FAKE_PULUMI_STEPS: JSON.stringify(list) });

/** Runs a command as the CLI does; `operations` are the engine operations of this run only. */
async function run(operation: EngineOperation, spec: string, flags: EngineFlags, env: Record<string, string> = {}, answers?: string[]) {
  pulumi.reset();
  const captured = captureIo({ cwd: dir, env: pulumi.env({ ...steps(REVIEWED), ...env }), ...(answers === undefined ? {} : { answers }) });
  const code = await engineCommand(operation, spec, flags, captured.io).catch((error: unknown) => reportError(error, captured.io, false));
  return { code, stdout: captured.stdout(), stderr: captured.stderr(), operations: pulumi.calls().map((c) => c.args.filter((a) => ["preview", "up", "destroy", "--preview-only"].includes(a)).join(" ")).filter((a) => a !== "") };
}

describe("production confirmation", () => {
  it("refuses up of a production spec without a terminal or --yes, naming the flag and how to review, before running anything", async () => {
    const result = await run("up", "blog.yaml", {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("polycloud: Confirmation needed (1 problem):\n  - --yes: blog is a production spec, and up of stack blog changes only what was reviewed; review `polycloud preview");
    expect(result.stderr).toContain("--save-changes changes.json` and run `polycloud up ");
    expect(result.operations).toEqual([]);
  });

  it("refuses --yes alone in production: it does not say what was reviewed", async () => {
    const result = await run("up", "blog.yaml", { yes: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("- --expect-changes: blog is a production spec, and up of stack blog changes only what was reviewed; --yes alone does not say what that was;");
  });

  it("saves the preview's change summary, calls out data-losing changes, and applies it with --yes --expect-changes", async () => {
    const saved = await run("preview", "blog.yaml", { saveChanges: "changes.json" });
    expect(saved.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, "changes.json"), "utf8"));
    expect(saved.stdout).toContain(`change summary ${summary.hash} (1 to create, 1 to update, 1 to replace, 1 to delete) saved to ${join(dir, "changes.json")}\n`);
    expect(summary.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(summary.changes.map((c: { op: string; urn: string }) => `${c.op} ${c.urn.split("::").at(-1)}`)).toEqual(["create blog-web", "delete blog-media", "update blog-web", "replace blog-db"]);
    expect(saved.stderr).toContain("warning: deletes volume blog-media, replaces database blog-db: what they hold is lost\n");

    const applied = await run("up", "blog.yaml", { yes: true, expectChanges: "changes.json" });
    expect(applied.code).toBe(0);
    expect(applied.operations).toEqual(["preview", "up"]);
    expect(applied.stderr).toContain("up of production stack blog: 1 to create, 1 to update, 1 to replace, 1 to delete\n");
    expect(applied.stderr).toMatch(/\+- replace kubernetes:postgresql\.cnpg\.io\/v1:Cluster +blog-db {2}<- REPLACES a database: what it holds is lost\n/);
    expect(applied.stderr).toMatch(/- {2}delete {2}kubernetes:core\/v1:PersistentVolumeClaim +blog-media {2}<- DELETES a volume: what it holds is lost\n/);
    expect(applied.stderr).toContain(`2 stateful resources replaced or deleted: volume blog-media, database blog-db\nchange summary ${summary.hash}\n`);
  });

  it("changes nothing and names what differs when the preview is not the reviewed one", async () => {
    expect((await run("preview", "blog.yaml", { saveChanges: "changes.json" })).code).toBe(0);
    const drifted = [...REVIEWED.slice(1), step("delete", "kubernetes:core/v1:Secret", "blog-api-token")];
    const result = await run("up", "blog.yaml", { yes: true, expectChanges: "changes.json" }, steps(drifted));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      [
        `polycloud: the changes differ from the reviewed preview (${join(dir, "changes.json")}); nothing was changed:`,
        "  - not reviewed: delete kubernetes:core/v1:Secret blog-api-token",
        "  - reviewed but no longer planned: create kubernetes:apps/v1:Deployment blog-web",
        "Review the new preview (polycloud preview <spec> --save-changes <file>) and run again with its summary.",
      ].join("\n"),
    );
    expect(result.operations).toEqual(["preview"]);
  });

  it("accepts the printed hash in place of the file, and says both hashes when they differ", async () => {
    const summary = JSON.parse((await run("preview", "blog.yaml", { saveChanges: "changes.json" }), readFileSync(join(dir, "changes.json"), "utf8")));
    expect((await run("up", "blog.yaml", { yes: true, expectChanges: summary.hash })).code).toBe(0);
    const other = await run("up", "blog.yaml", { yes: true, expectChanges: summary.hash }, steps(REVIEWED.slice(0, 1)));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(new RegExp(`  - the reviewed hash is ${summary.hash}; this preview is sha256:[0-9a-f]{64}: 1 to create\\n`));
  });

  it("asks on a terminal for the stack's name and goes on only with it", async () => {
    const declined = await run("up", "blog.yaml", {}, {}, ["yes"]);
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("Type the stack name (blog) to up production stack blog with these changes, anything else to stop: ");
    expect(declined.stderr).toContain('polycloud: up not confirmed (answered "yes"); nothing was changed\n');
    expect(declined.operations).toEqual(["preview"]);

    const confirmed = await run("up", "blog.yaml", {}, {}, ["blog"]);
    expect(confirmed.code).toBe(0);
    expect(confirmed.operations).toEqual(["preview", "up"]);
  });

  it("confirms destroy of production against a saved destroy preview", async () => {
    expect((await run("up", "blog.yaml", {}, {}, ["blog"])).code).toBe(0);
    expect((await run("preview", "blog.yaml", { destroy: true, saveChanges: "destroy.json" })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "destroy.json"), "utf8")).operation).toBe("destroy");
    const refused = await run("destroy", "blog.yaml", { yes: true, expectChanges: "changes.json" });
    expect(refused.code).toBe(2);
    const result = await run("destroy", "blog.yaml", { yes: true, expectChanges: "destroy.json" });
    expect(result.code).toBe(0);
    expect(result.operations).toEqual(["destroy --preview-only", "destroy"]);
    expect(result.stderr).toContain("destroy of production stack blog: 3 to delete\n");
  });
});

describe("confirmation outside production", () => {
  it("runs up at once, with no preview and no prompt", async () => {
    const result = await run("up", "staging.yaml", {});
    expect(result.code).toBe(0);
    expect(result.operations).toEqual(["up"]);
  });

  it("shows the preview and asks when --confirm is given, and needs --yes without a terminal", async () => {
    expect((await run("up", "staging.yaml", { confirm: true }, {}, ["staging"])).operations).toEqual(["preview", "up"]);
    const noTerminal = await run("up", "staging.yaml", { confirm: true });
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain("- --yes: --confirm asks for a confirmation of up on stack staging, and there is no terminal to ask on; pass --yes");
  });

  it("asks on a terminal before destroy when --yes is not given", async () => {
    const result = await run("destroy", "staging.yaml", {}, {}, ["no"]);
    expect(result.code).toBe(1);
    expect(result.operations).toEqual(["destroy --preview-only"]);
  });
});

describe("--expect-changes and --save-changes input", () => {
  it.each([
    ["a missing file", "nope.json", /"nope\.json": no such file \(.*nope\.json\) and not a sha256 hash; pass the file/],
    ["an edited summary", "edited.json", /"edited\.json": its changes do not match its hash sha256:0{64}: the file was edited after the preview wrote it/],
  ])("exits 2 naming the flag, the value and the fix for %s", async (_, value, message) => {
    writeFiles(dir, { "edited.json": JSON.stringify({ version: 1, stack: "blog", operation: "up", hash: `sha256:${"0".repeat(64)}`, changes: [] }) });
    const result = await run("up", "blog.yaml", { yes: true, expectChanges: value });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid --expect-changes \(1 problem\):\n {2}- --expect-changes: /);
    expect(result.stderr).toMatch(message);
    expect(result.operations).toEqual([]);
  });

  it("refuses flags of another command, naming where they belong", async () => {
    const result = await run("up", "staging.yaml", { saveChanges: "x.json" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('- --save-changes: "x.json" is not an option of up; use it with preview');
  });
});
