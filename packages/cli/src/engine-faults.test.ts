import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, writeFiles } from "./__tests__/capture";
import { blogProject, captureIo, filesUnder, type StandIn } from "./__tests__/stand-in";
import { engineCommand, type EngineFlags, type EngineOperation } from "./engine";
import { reportError } from "./errors";

// Every fault against the stand-in pulumi: what the user sees, the exit code, and what is left in .polycloud/.
let dir: string;
let pulumi: StandIn;
beforeEach(() => {
  ({ dir, pulumi } = blogProject());
});
afterEach(() => cleanup(dir));

const state = () => join(dir, ".polycloud");
const stackFile = () => join(state(), ".pulumi", "stacks", "blog", "blog.json");
const resourcesInState = () => (JSON.parse(readFileSync(stackFile(), "utf8")) as { checkpoint: { latest: { resources: { urn: string }[] } } }).checkpoint.latest.resources.map((r) => r.urn.split("::").at(-1));
const STEPS = JSON.stringify(["blog", "blog-web", "blog-db", "blog-cache"].map((name) => ({ op: "create", type: "kubernetes:core/v1:Namespace", name })));

/** Runs a command as the CLI does (errors reported on stderr) and returns the exit code with the output. */
async function run(operation: EngineOperation, flags: EngineFlags, env: Record<string, string>, options: Omit<Parameters<typeof captureIo>[0], "cwd" | "env"> = {}) {
  const captured = captureIo({ cwd: dir, env: pulumi.env(env), ...options });
  const code = await engineCommand(operation, "blog.yaml", flags, captured.io).catch((error: unknown) => reportError(error, captured.io, false));
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe("engineCommand faults", () => {
  it("names the lock, who holds it and when clearing it is safe, and leaves the state as it was, when another update holds the stack", async () => {
    expect((await run("up", {}, {})).code).toBe(0);
    const lock = join(state(), ".pulumi", "locks", "blog", "blog", "9f2c.json");
    writeFiles(dir, { [join(".polycloud", ".pulumi", "locks", "blog", "blog", "9f2c.json")]: JSON.stringify({ pid: 4242, username: "ci", hostname: "runner-7", timestamp: "2026-12-07T19:00:00Z" }) });
    const before = filesUnder(state()).map((f) => [f, readFileSync(join(state(), f), "utf8")]);

    const result = await run("up", {}, {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: the stack is currently locked by 1 lock(s).");
    expect(result.stderr).toContain(
      [
        `polycloud: stack blog is locked by file://${lock} (created by ci@runner-7, pid 4242, at 2026-12-07T19:00:00Z).`,
        "Wait for that update to finish, then run this again; nothing was changed.",
        `Only if pid 4242 on runner-7 is no longer running (a crashed or killed run), clear the lock with \`PULUMI_BACKEND_URL=file://${state()} pulumi cancel --yes --stack blog\`,`,
        "then check what the interrupted update left with `pulumi stack export --stack blog`",
      ].join("\n"),
    );
    expect(filesUnder(state()).map((f) => [f, readFileSync(join(state(), f), "utf8")])).toEqual(before);
  });

  it("says how many operations were done and that the state records them, and releases the lock, when up fails halfway", async () => {
    const result = await run("up", {}, { FAKE_PULUMI_STEPS: STEPS, FAKE_PULUMI_SCENARIO: "fail-halfway" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("kubernetes:core/v1:Namespace (blog-db):\n    error: creating blog-db: InvalidParameterCombination");
    expect(result.stderr).toMatch(/polycloud: pulumi up failed \(exit code 255\) after 2 resource operations \(2 created\); the state records what was done, so fix the cause and run up again to finish; the engine's messages are above\n$/);
    expect(resourcesInState()).toEqual(["blog", "blog-web"]);
    expect(filesUnder(state())).toEqual([".pulumi/meta.yaml", ".pulumi/stacks/blog/blog.json"]);
  });

  it("cancels the update through the engine on Ctrl-C, says what state it left, and exits 130", async () => {
    const ready = join(dir, "ready");
    let press: () => void = () => undefined;
    const running = run("up", {}, { FAKE_PULUMI_STEPS: STEPS, FAKE_PULUMI_SCENARIO: "interrupt", FAKE_PULUMI_READY: ready }, { interrupt: (p) => (press = p) });
    while (!existsSync(ready)) await new Promise((r) => setTimeout(r, 50));
    press();
    const result = await running;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("polycloud: interrupt received; asking the engine to cancel the up (resource operations in flight finish first)...\n");
    expect(result.stderr).toContain("^C received; cancelling.");
    expect(result.stderr).toMatch(
      /polycloud: interrupted: the engine cancelled the up of stack blog after 1 resource operation \(1 created\)\. The state records what was done and the lock is released\. Run `polycloud preview .*blog\.yaml` to see what is left, and up again to finish\.\n$/,
    );
    expect(resourcesInState()).toEqual(["blog"]);
    expect(filesUnder(state())).toEqual([".pulumi/meta.yaml", ".pulumi/stacks/blog/blog.json"]);
  });

  it("sends no second interrupt when pulumi got the terminal's Ctrl-C itself and is cancelling", async () => {
    const ready = join(dir, "ready");
    let press: () => void = () => undefined;
    const running = run("up", {}, { FAKE_PULUMI_STEPS: STEPS, FAKE_PULUMI_SCENARIO: "interrupt", FAKE_PULUMI_READY: ready }, { interrupt: (p) => (press = p) });
    while (!existsSync(ready) || readFileSync(ready, "utf8") === "") await new Promise((r) => setTimeout(r, 50));
    // A terminal's Ctrl-C reaches the whole process group: pulumi and polycloud both get it.
    process.kill(Number(readFileSync(ready, "utf8")), "SIGINT");
    press();
    const result = await running;
    expect(result.code).toBe(130);
    expect(result.stderr).not.toContain("terminated immediately");
    expect(resourcesInState()).toEqual(["blog"]);
  });

  it.each([
    ["an expired credential", "up", {}, { FAKE_PULUMI_SCENARIO: "expired-credential" }, "polycloud: the AWS credentials have expired. Fix: renew them (`aws sso login`, or new temporary keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN) and run again\n"],
    [
      "a wrong passphrase",
      "preview",
      {},
      { FAKE_PULUMI_FAIL: "stack", FAKE_PULUMI_STDERR: "error: getting stack configuration: get stack secrets manager: incorrect passphrase" },
      "polycloud: the passphrase does not decrypt this stack's secrets. Fix: export PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) with the passphrase the stack was created with and run again\n",
    ],
    [
      "a backend URL naming a bucket that does not exist",
      "up",
      { backendUrl: "s3://acme-pulumi-stat" },
      { FAKE_PULUMI_SCENARIO: "missing-bucket" },
      "polycloud: the state backend s3://acme-pulumi-stat could not be opened (NoSuchBucket: The specified bucket does not exist). Fix: check --backend-url or PULUMI_BACKEND_URL (s3://<bucket>, azblob://<container>, gs://<bucket>, https://api.pulumi.com or file://<dir>), that the bucket exists and that these credentials can read it\n",
    ],
  ] as const)("exits 1 with one line of cause and fix, and leaves no .polycloud/, on %s", async (_, operation, flags, env, message) => {
    const result = await run(operation, flags, env);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("polycloud:"))).toEqual([message.trimEnd()]);
    expect(result.stderr.endsWith(message)).toBe(true);
    expect(existsSync(state())).toBe(false);
  });
});

describe("engineCommand backend URL", () => {
  it.each([
    [{ backendUrl: "acme-pulumi-state" }, {}, '--backend-url: "acme-pulumi-state" is not a Pulumi backend URL; allowed: https://api.pulumi.com'],
    [{}, { PULUMI_BACKEND_URL: "s3:/acme-pulumi-state" }, 'PULUMI_BACKEND_URL: "s3:/acme-pulumi-state" is not a Pulumi backend URL;'],
  ])("exits 2 before running pulumi, naming where the bad URL came from (%j %j)", async (flags, env, message) => {
    const result = await run("preview", flags, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Invalid backend URL (1 problem):\n  - ${message}`);
    expect(pulumi.calls()).toEqual([]);
    expect(existsSync(state())).toBe(false);
  });

  it("takes an empty PULUMI_BACKEND_URL as unset, as Pulumi does, and uses ./.polycloud", async () => {
    const result = await run("preview", {}, { PULUMI_BACKEND_URL: "" });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`state in file://${state()}\n`);
  });
});

describe("engineCommand progress", () => {
  it("shows resource counts and elapsed time on a terminal's stderr, and what was done at the end", async () => {
    const result = await run("up", {}, {}, { tty: "stderr" });
    expect(result.code).toBe(0);
    // Each redraw starts with a carriage return and an erase-line escape.
    const lines = result.stderr.split("\r\u001b[K");
    expect(lines.slice(1, -1)).toEqual(expect.arrayContaining([expect.stringMatching(/^up: 1 done \(1 created\)(, 1 in progress)?, \d+s$/)]));
    expect(lines.at(-1)).toMatch(/^up: 2 done \(2 created\), \d+s\nup done: 2 created\n$/);
  });

  it("streams the engine's events as JSON lines on stdout with --json, the engine's text on stderr", async () => {
    const result = await run("up", { json: true }, {});
    expect(result.code).toBe(0);
    const events = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(events.filter((e) => e.resOutputsEvent).map((e) => e.resOutputsEvent.metadata.urn)).toEqual(["urn:pulumi:blog::blog::kubernetes:core/v1:Namespace::blog", "urn:pulumi:blog::blog::kubernetes:apps/v1:Deployment::blog-web"]);
    expect(events.at(-1).summaryEvent.resourceChanges).toEqual({ create: 2 });
    expect(result.stderr).toContain("stand-in pulumi: up of stack blog\n");
  });
});
