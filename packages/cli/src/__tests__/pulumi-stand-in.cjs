/* global require, process, console, setInterval, setTimeout */
/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * A stand-in for the `pulumi` executable, for tests of the CLI's real path (no cloud is reached, no
 * resource exists). It answers what the Automation API asks (version, stack select/init, config,
 * preview, up, destroy, refresh --preview-only, stack output/history/export, cancel), writes the engine
 * events the Automation API reads from `--event-log`, and keeps a file backend's state the way the real
 * one lays it out under `<backend>/.pulumi/` (stacks, locks), so tests can check what is left there.
 *
 * It runs behind a shell launcher (stand-in.ts) that answers `version`, `stack output` and `stack history`
 * itself and names the log, FAKE_PULUMI_CALLS, where every invocation is a JSON line ({ args, backend,
 * cwd, project }).
 *
 * The tests drive it by environment variables (the Automation API passes the CLI's environment on):
 *
 * - FAKE_PULUMI_STEPS: JSON [{ op, type, name, diffs?, protect?, outputs? }], the resource steps of preview/up
 *   (default: a namespace and a deployment created); destroy deletes what the state holds.
 * - FAKE_PULUMI_DRIFT: JSON [{ op: "update" | "delete", type, name, diffs? }], what `refresh --preview-only` finds.
 * - FAKE_PULUMI_SCENARIO: one of
 *     fail-halfway        up fails after half of its steps (the state keeps what was done)
 *     interrupt           up does its first step, writes its pid to FAKE_PULUMI_READY, then waits for SIGINT
 *                         and cancels (a second SIGINT terminates it at once, as the real CLI does)
 *     expired-credential  every engine operation fails with AWS's expired-token error
 *     missing-bucket      opening an s3:// backend fails with NoSuchBucket
 * - FAKE_PULUMI_FAIL=<command>: that command fails with FAKE_PULUMI_STDERR (default: an AccessDenied error).
 * - FAKE_PULUMI_SAY: a line the operation prints.
 * A lock file under `.pulumi/locks/<project>/<stack>/` (another update holding the stack) makes every
 * update fail with the real CLI's message; the stand-in takes and releases its own lock around an update.
 */
const fs = require("node:fs");
const path = require("node:path");

const args = process.argv.slice(2);
const env = process.env;
const project = fs.existsSync("Pulumi.yaml") ? /^name: *(\S+)/m.exec(fs.readFileSync("Pulumi.yaml", "utf8"))?.[1] : undefined;
fs.appendFileSync(env.FAKE_PULUMI_CALLS, JSON.stringify({ args, backend: env.PULUMI_BACKEND_URL, cwd: process.cwd(), project }) + "\n");

const [command, sub] = args;
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const stack = flag("--stack") ?? (command === "stack" && sub === "init" ? args[2] : undefined);
const backend = env.PULUMI_BACKEND_URL ?? "";
const stateRoot = backend.startsWith("file://") ? path.join(backend.slice("file://".length), ".pulumi") : undefined;
const stackFile = stateRoot && project && stack ? path.join(stateRoot, "stacks", project, `${stack}.json`) : undefined;
const lockDir = stateRoot && project && stack ? path.join(stateRoot, "locks", project, stack) : undefined;
const scenario = env.FAKE_PULUMI_SCENARIO;

function fail(message) {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(255);
}

function readState() {
  return stackFile && fs.existsSync(stackFile) ? JSON.parse(fs.readFileSync(stackFile, "utf8")).checkpoint.latest.resources : [];
}

function writeState(resources) {
  if (!stackFile) return;
  fs.mkdirSync(path.dirname(stackFile), { recursive: true });
  fs.writeFileSync(stackFile, JSON.stringify({ version: 3, checkpoint: { stack, latest: { resources } } }, null, 2));
}

const urnOf = (type, name) => `urn:pulumi:${stack}::${project}::${type}::${name}`;

if (command === "version") {
  console.log("v3.190.0");
  process.exit(0);
}
if (env.FAKE_PULUMI_FAIL === command) {
  fail(env.FAKE_PULUMI_STDERR ?? `error: ${command} failed: aws:ec2/vpc:Vpc (blog-vpc): AccessDenied: not authorized to perform ec2:CreateVpc`);
}
if (scenario === "missing-bucket" && backend.startsWith("s3://")) {
  fail(`error: problem logging in: unable to open bucket ${backend}: blob (code=NotFound): NoSuchBucket: The specified bucket does not exist`);
}
if (stateRoot && !fs.existsSync(path.join(stateRoot, "meta.yaml"))) {
  fs.mkdirSync(stateRoot, { recursive: true });
  fs.writeFileSync(path.join(stateRoot, "meta.yaml"), "version: 1\n");
}

if (command === "stack" && sub === "select") {
  if (env.FAKE_PULUMI_NEW_STACK === "1" || (stackFile && !fs.existsSync(stackFile))) fail(`error: no stack named '${stack}' found`);
  process.exit(0);
}
if (command === "stack" && sub === "init") {
  writeState([]);
  process.exit(0);
}
if (command === "config") process.exit(0);
if (command === "stack" && sub === "output") {
  console.log("{}");
  process.exit(0);
}
if (command === "stack" && sub === "history") {
  console.log(JSON.stringify([{ version: 1, kind: "update", startTime: "2025-01-01T00:00:00Z", endTime: "2025-01-01T00:01:00Z", result: "succeeded", message: "", environment: {}, config: {} }]));
  process.exit(0);
}
if (command === "stack" && sub === "export") {
  console.log(JSON.stringify({ version: 3, deployment: { manifest: {}, resources: readState() } }));
  process.exit(0);
}
if (command === "cancel") {
  if (lockDir) fs.rmSync(lockDir, { recursive: true, force: true });
  process.exit(0);
}
if (!["preview", "up", "destroy", "refresh"].includes(command)) fail(`error: the stand-in does not know \`pulumi ${args.join(" ")}\``);

// An engine operation.
const dryRun = command === "preview" || args.includes("--preview-only");
if (scenario === "expired-credential") {
  fail("error: preview failed: unable to validate AWS credentials.\nDetails: validating provider credentials: retrieving caller identity from STS: operation error STS: GetCallerIdentity, https response error StatusCode: 403, RequestID: 5f1c, api error ExpiredToken: The security token included in the request is expired");
}
if (lockDir && fs.existsSync(lockDir) && fs.readdirSync(lockDir).length > 0 && !(command === "refresh" && dryRun)) {
  const locks = fs.readdirSync(lockDir).map((file) => {
    const lock = JSON.parse(fs.readFileSync(path.join(lockDir, file), "utf8"));
    return `  ${backend}/.pulumi/locks/${project}/${stack}/${file}: created by ${lock.username}@${lock.hostname} (pid ${lock.pid}) at ${lock.timestamp}`;
  });
  fail(`error: the stack is currently locked by ${locks.length} lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.\n${locks.join("\n")}`);
}

let sequence = 0;
const eventLog = flag("--event-log");
const emit = (event) => eventLog && fs.appendFileSync(eventLog, JSON.stringify({ sequence: sequence++, timestamp: Math.floor(Date.now() / 1000), ...event }) + "\n");
const metadata = (step, old) => ({
  op: step.op,
  urn: urnOf(step.type, step.name),
  type: step.type,
  provider: "",
  ...(old === undefined ? {} : { old }),
  ...(step.op === "delete" ? {} : { new: { type: step.type, urn: urnOf(step.type, step.name), id: "", parent: "", inputs: {}, outputs: {}, provider: "" } }),
  ...(step.diffs ? { diffs: step.diffs, detailedDiff: Object.fromEntries(step.diffs.map((d) => [d, { diffKind: "update", inputDiff: false }])) } : {}),
});
const summary = (changes) => emit({ summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: changes, policyPacks: {} } });
const count = (steps) => steps.reduce((counts, s) => ({ ...counts, [s.op]: (counts[s.op] ?? 0) + 1 }), {});

console.log(`stand-in pulumi: ${command}${dryRun && command !== "preview" ? " --preview-only" : ""} of stack ${stack}`);
if (env.FAKE_PULUMI_SAY) console.log(env.FAKE_PULUMI_SAY);
const state = readState();
const stored = (step) => state.find((r) => r.urn === urnOf(step.type, step.name));

if (command === "refresh") {
  const drift = JSON.parse(env.FAKE_PULUMI_DRIFT ?? "[]");
  for (const r of state) {
    const found = drift.find((d) => urnOf(d.type, d.name) === r.urn);
    emit({ resOutputsEvent: { metadata: found ? metadata(found, r) : { op: "refresh", urn: r.urn, type: r.type, provider: "", old: r, new: r }, planning: true } });
  }
  summary({ ...count(drift), same: state.length - drift.length });
  process.exit(0);
}

const steps =
  command === "destroy"
    ? state.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => ({ op: "delete", type: r.type, name: r.urn.split("::").at(-1), protect: r.protect }))
    : JSON.parse(env.FAKE_PULUMI_STEPS ?? JSON.stringify([{ op: "create", type: "kubernetes:core/v1:Namespace", name: "blog" }, { op: "create", type: "kubernetes:apps/v1:Deployment", name: "blog-web" }]));
if (dryRun) {
  for (const step of steps) emit({ resourcePreEvent: { metadata: metadata(step, stored(step)), planning: true } });
  summary(count(steps));
  process.exit(0);
}

// up or destroy: take the lock, apply the steps one by one, save the state, release the lock.
const lockFile = lockDir && path.join(lockDir, `stand-in-${process.pid}.json`);
if (lockFile) {
  fs.mkdirSync(lockDir, { recursive: true });
  fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, username: "stand-in", hostname: "localhost", timestamp: new Date().toISOString() }));
}
const resources = [...state];
const apply = (step) => {
  emit({ resourcePreEvent: { metadata: metadata(step, stored(step)) } });
  const at = resources.findIndex((r) => r.urn === urnOf(step.type, step.name));
  if (at !== -1) resources.splice(at, 1);
  if (step.op !== "delete") resources.push({ urn: urnOf(step.type, step.name), type: step.type, ...(step.outputs ? { outputs: step.outputs } : {}), ...(step.protect ? { protect: true } : {}) });
  emit({ resOutputsEvent: { metadata: metadata(step, stored(step)) } });
};
const finish = (code, done) => {
  writeState(resources);
  if (lockFile) fs.rmSync(lockDir, { recursive: true, force: true });
  summary(count(done));
  process.exit(code);
};

if (scenario === "interrupt") {
  apply(steps[0]);
  let signals = 0;
  process.on("SIGINT", () => {
    // As the real CLI: a second SIGINT terminates at once, leaving the state without what was done.
    if (++signals > 1) {
      process.stderr.write("error: terminated immediately on a second interrupt\n");
      process.exit(1);
    }
    emit({ cancelEvent: {} });
    process.stderr.write("^C received; cancelling. If you would like to terminate immediately, press ^C again.\nNote that terminating immediately may lead to orphaned resources and other inconsistencies.\n");
    process.stderr.write("error: update canceled\n");
    // Cancelling takes a moment (operations in flight finish), long enough for a second signal to land.
    setTimeout(() => finish(255, steps.slice(0, 1)), 800);
  });
  if (env.FAKE_PULUMI_READY) fs.writeFileSync(env.FAKE_PULUMI_READY, String(process.pid));
  setInterval(() => undefined, 1000);
} else {
  const upTo = scenario === "fail-halfway" ? Math.ceil(steps.length / 2) : steps.length;
  steps.slice(0, upTo).forEach(apply);
  if (upTo < steps.length) {
    const failed = steps[upTo];
    emit({ resOpFailedEvent: { metadata: metadata(failed, stored(failed)), status: 1, steps: upTo } });
    process.stderr.write(`  ${failed.type} (${failed.name}):\n    error: creating ${failed.name}: InvalidParameterCombination: the requested instance class is not available in this zone\n`);
    process.stderr.write("error: update failed\n");
    finish(255, steps.slice(0, upTo));
  }
  finish(0, steps);
}
