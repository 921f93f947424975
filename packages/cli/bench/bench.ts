/**
 * `pnpm bench`: what polycloud costs on this machine, as one table, also written as JSON.
 *
 *   pnpm bench                 everything: start-up per command, each stack on each backend,
 *                              1/10/40/100 generated services per backend, harness against bare
 *                              mocks, and the test suite's own times (typecheck, lint, Jest)
 *   pnpm bench --quick         one run of each, small sizes, no suite run (CI runs this so it
 *                              cannot rot; it asserts nothing about times)
 *   pnpm bench --out f.json    where the JSON goes (default bench-results.json, at the repository root)
 *
 * Every figure comes from a fresh Node process on the compiled packages, as users run them; times
 * are medians. Start-up is timed from outside the process; plans from inside, after the imports.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { stringify } from "yaml";
import type { Provider } from "@polycloud/core";
import { BACKENDS } from "@polycloud/platform/detection";

const ROOT = join(__dirname, "..", "..", "..");
const CHILD = join(__dirname, "child.cjs");
const BIN = join(ROOT, "packages", "cli", "bin", "polycloud.js");

interface Row {
  readonly group: "start-up" | "stack" | "generated" | "mocks" | "suite";
  readonly case: string;
  readonly backend?: Provider;
  readonly resources?: number;
  readonly ms: number;
  readonly msPerResource?: number;
  readonly peakRssMb?: number;
  readonly mbPerResource?: number;
  readonly note?: string;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall time of a whole process, in ms, median of `runs` after one warm-up. */
function wallMs(args: readonly string[], runs: number): number {
  const once = () => {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "ignore" });
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${result.status}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

function child<T>(args: readonly string[]): T {
  const result = spawnSync(process.execPath, ["--expose-gc", CHILD, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`bench child ${args.join(" ")} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as T;
}

interface PlanSample {
  readonly resources: number;
  readonly importMs: number;
  readonly planMs: number;
  readonly peakRssMb: number;
}

function planRow(group: "stack" | "generated", name: string, specPath: string, backend: Provider, runs: number): Row {
  const samples = Array.from({ length: runs }, () => child<PlanSample>(["plan", specPath, backend]));
  const ms = median(samples.map((s) => s.planMs));
  const peakRssMb = median(samples.map((s) => s.peakRssMb));
  const resources = samples[0]!.resources;
  return { group, case: name, backend, resources, ms, msPerResource: ms / resources, peakRssMb, mbPerResource: peakRssMb / resources, note: `imports ${median(samples.map((s) => s.importMs)).toFixed(0)} ms` };
}

/**
 * A spec with `count` services that use every store, so each service brings its grants, alerts and
 * routes; each calls the next one (the default, every service calling every other, would grow the
 * network rules with the square of the count, which no application of a hundred services wants).
 */
export function generatedSpec(count: number): Record<string, unknown> {
  const name = (i: number) => `svc${i + 1}`;
  const services = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      name(i),
      {
        image: `ghcr.io/acme/${name(i)}:1.0.0`,
        port: 8080,
        public: i % 4 === 0,
        secrets: ["api-key"],
        access: { buckets: { assets: i % 2 === 0 ? "readwrite" : "read" }, services: i + 1 < count ? [name(i + 1)] : [] },
      },
    ]),
  );
  return {
    name: "bench",
    environment: "staging",
    network: { loadBalancer: { domain: "bench.example.com" } },
    services,
    database: { version: "16" },
    cache: { version: "7" },
    buckets: { assets: { versioning: true } },
    secrets: { "api-key": { description: "API key" } },
    providers: { kubernetes: { smtp: { smarthost: "smtp.example.com:587", from: "alerts@example.com" } } },
    monitoring: { alerts: { critical: [{ email: "oncall@example.com" }], warning: [{ email: "team@example.com" }] } },
  };
}

/** A suite step's wall time; a step that fails is still timed, and the row says it failed. */
function timed(name: string, args: readonly string[]): Row {
  const started = process.hrtime.bigint();
  const { status } = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "ignore", env: { ...process.env, CI: "true" } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { group: "suite", case: name, ms, ...(status === 0 ? {} : { note: `failed (exit ${status})` }) };
}

interface JestResults {
  readonly startTime: number;
  readonly numTotalTests: number;
  readonly numFailedTests: number;
  readonly testResults: readonly unknown[];
}

/**
 * What jest-results.json says of a run: its test count, failures, and wall time, from the run's start
 * (in the file) to when Jest wrote the file. (The files' own end times are worker clocks under our runner.)
 */
function jestRun(): { readonly ms: number; readonly note: string } | undefined {
  try {
    const file = join(ROOT, "jest-results.json");
    const results = JSON.parse(readFileSync(file, "utf8")) as JestResults;
    const ms = statSync(file).mtimeMs - results.startTime;
    return { ms, note: `${results.numTotalTests} tests, ${results.numFailedTests} failed, ${results.testResults.length} files` };
  } catch {
    return undefined;
  }
}

function suiteRows(quick: boolean): Row[] {
  if (quick) {
    // The Jest run CI has just made, if any.
    const last = jestRun();
    return last === undefined ? [] : [{ group: "suite", case: "jest (the last run, from jest-results.json)", ...last }];
  }
  const bin = (...path: string[]) => join(ROOT, "node_modules", ...path);
  const jest = timed("jest", [bin("jest", "bin", "jest.js"), "--ci", "--json", "--outputFile=jest-results.json"]);
  return [
    timed("typecheck", [bin("tsgo", "bin", "tsc"), "-p", "tsconfig.json"]),
    timed("lint", [bin("eslint", "bin", "eslint.js"), "--max-warnings", "0", "."]),
    { ...jest, note: [jest.note, jestRun()?.note].filter((n) => n !== undefined).join("; ") },
  ];
}

function table(rows: readonly Row[]): string {
  const cells = (r: Row) => [
    r.group,
    r.case,
    r.backend ?? "",
    r.resources?.toString() ?? "",
    r.ms >= 10_000 ? `${(r.ms / 1000).toFixed(1)} s` : `${r.ms.toFixed(0)} ms`,
    r.msPerResource === undefined ? "" : `${r.msPerResource.toFixed(2)} ms`,
    r.peakRssMb === undefined ? "" : `${r.peakRssMb.toFixed(0)} MB`,
    r.mbPerResource === undefined ? "" : `${(r.mbPerResource * 1024).toFixed(0)} KB`,
    r.note ?? "",
  ];
  return [
    "| what | case | backend | resources | time | per resource | peak RSS | RSS per resource | note |",
    "|---|---|---|---:|---:|---:|---:|---:|---|",
    ...rows.map((r) => `| ${cells(r).join(" | ")} |`),
  ].join("\n");
}

function main(): void {
  const options = new Command("bench")
    .option("--quick", "one run each, small sizes, no suite run")
    .option("--out <file>", "where to write the JSON (relative to the repository root)", "bench-results.json")
    .parse()
    .opts<{ quick?: boolean; out: string }>();
  const quick = options.quick === true;
  const runs = quick ? 1 : 3;
  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push(row);
    process.stderr.write(`  ${row.group} ${row.case}${row.backend === undefined ? "" : ` on ${row.backend}`}: ${row.ms.toFixed(0)} ms\n`);
  };

  // Compile what changed (as `pnpm polycloud` does), so every figure is of the compiled packages.
  execFileSync(process.execPath, [join(ROOT, "scripts", "polycloud.cjs"), "--version"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });

  const floor = wallMs(["-e", "0"], runs * 3);
  add({ group: "start-up", case: "node -e 0 (the floor)", ms: floor });
  for (const command of [["--help"], ["validate", "stacks/prod.yaml"], ["detect", "stacks", "--stack", "staging"], ["plan", "stacks/prod.yaml", "--provider", "aws"]]) {
    const ms = wallMs([BIN, ...command], runs * 3);
    add({ group: "start-up", case: `polycloud ${command.join(" ")}`, ms, note: `${(ms - floor).toFixed(0)} ms above the floor` });
  }

  const stacks = readdirSync(join(ROOT, "stacks")).filter((f) => f.endsWith(".yaml") && !f.startsWith("Pulumi.")).sort();
  for (const stack of quick ? stacks.slice(0, 1) : stacks) {
    for (const backend of BACKENDS) add(planRow("stack", `stacks/${stack}`, join("stacks", stack), backend, runs));
  }

  const dir = mkdtempSync(join(tmpdir(), "polycloud-bench-"));
  try {
    for (const count of quick ? [1, 10] : [1, 10, 40, 100]) {
      const specPath = join(dir, `services-${count}.yaml`);
      writeFileSync(specPath, stringify(generatedSpec(count)));
      for (const backend of BACKENDS) add(planRow("generated", `${count} service${count === 1 ? "" : "s"}`, specPath, backend, count >= 40 ? 1 : runs));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  for (const resources of quick ? [300] : [300, 3000]) {
    const samples = child<{ bare: { ms: number; heapMb: number }[]; harness: { ms: number; heapMb: number }[] }>(["mocks", String(resources), String(quick ? 1 : resources >= 1000 ? 2 : 5)]);
    const bare = { ms: median(samples.bare.map((s) => s.ms)), heapMb: median(samples.bare.map((s) => s.heapMb)) };
    const harness = { ms: median(samples.harness.map((s) => s.ms)), heapMb: median(samples.harness.map((s) => s.heapMb)) };
    add({ group: "mocks", case: "bare setMocks", resources, ms: bare.ms, msPerResource: bare.ms / resources, note: `heap +${bare.heapMb.toFixed(0)} MB` });
    add({ group: "mocks", case: "runProgram (harness)", resources, ms: harness.ms, msPerResource: harness.ms / resources, note: `heap +${harness.heapMb.toFixed(0)} MB; ${(harness.ms / bare.ms).toFixed(2)}x bare time` });
  }

  for (const row of suiteRows(quick)) add(row);

  const machine = `Node ${process.version}, ${availableParallelism()} cores; ${quick ? "quick mode: one run each" : "medians of 3 runs (9 for start-up)"}`;
  writeFileSync(resolve(ROOT, options.out), `${JSON.stringify({ machine, quick, rows }, null, 2)}\n`);
  process.stdout.write(`${machine}\n\n${table(rows)}\n\nJSON: ${options.out}\n`);
}

main();
