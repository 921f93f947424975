/**
 * Jest matchers for plans and recorded resources. One import registers them:
 *
 *     import "@polycloud/testing/jest";   // in a test file, or in Jest's setupFilesAfterEnv
 *
 * @example
 * expect(plan).toHaveResource("aws:s3/bucket:Bucket", { versioning: { enabled: true } });
 * expect(plan).toHaveResourceCount(aws.ec2.Subnet, 6);
 * expect(plan.find(aws.rds.Instance, "db")).toHaveOptions({ protect: true });
 */
import { PolycloudError } from "@polycloud/core";
import { AssertionError } from "./errors";
import { Match, matchValue, show } from "./match";
import type { Mismatch } from "./match";
import { Plan } from "./plan";
import type { ResourceQuery, TypeSelector } from "./plan";
import type { RecordedOptions, RecordedResource } from "./types";
import { isSecretPath } from "./values";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> {
      /** The plan has at least one resource of `type` matching `query` (name, inputs pattern or predicate). */
      toHaveResource(type: TypeSelector, query?: ResourceQuery): R;
      /** The plan has exactly `count` resources of `type` (matching `query`, if given). */
      toHaveResourceCount(type: TypeSelector, count: number, query?: ResourceQuery): R;
      /** The plan has a stack output `name` (matching `pattern`, if given). */
      toHaveOutput(name: string, pattern?: unknown): R;
      /** The value matches a pattern (`Match.*`, or a literal object matched partially). */
      toMatchPattern(pattern: unknown): R;
      /** The recorded resource has these options (arrays compared as sets of the given items). */
      toHaveOptions(options: Partial<RecordedOptions>): R;
      /** The recorded resource depends on another (a resource or its URN). */
      toDependOn(resource: RecordedResource | string): R;
      /** The recorded resource's input at `path` (`password`, `spec.env[0].value`) is secret. */
      toHaveSecretInput(path: string): R;
      /** The recorded resource's output at `path` is secret. */
      toHaveSecretOutput(path: string): R;
    }
  }
}

type Result = { pass: boolean; message: () => string };

function isRecorded(value: unknown): value is RecordedResource {
  return typeof value === "object" && value !== null && typeof (value as RecordedResource).urn === "string" && "options" in value && "inputs" in value;
}

function expectPlan(received: unknown, matcher: string): Plan {
  if (!(received instanceof Plan)) {
    throw new PolycloudError([{ path: "received", message: `expected a Plan from runProgram(), got ${show(received)}`, fix: "expect(await runProgram(...))" }], matcher);
  }
  return received;
}

function expectResource(received: unknown, matcher: string): RecordedResource {
  if (!isRecorded(received)) {
    throw new PolycloudError([{ path: "received", message: `expected a recorded resource, got ${show(received)}`, fix: "expect(plan.find(type, query))" }], matcher);
  }
  return received;
}

function describe(mismatches: readonly Mismatch[], root = ""): string {
  return mismatches.map((m) => `  at ${[root, m.path].filter((p) => p !== "").join(".") || "(value)"}: ${m.message}`).join("\n");
}

/** Runs an assertion that throws AssertionError, as a matcher result. */
function fromAssertion(run: () => void, notMessage: string): Result {
  try {
    run();
    return { pass: true, message: () => notMessage };
  } catch (err) {
    if (err instanceof AssertionError) return { pass: false, message: () => err.message };
    throw err;
  }
}

function secretMatcher(kind: "input" | "output") {
  return function (this: unknown, received: unknown, path: string): Result {
    const r = expectResource(received, kind === "input" ? "toHaveSecretInput" : "toHaveSecretOutput");
    const secrets = kind === "input" ? r.secretInputs : r.secretOutputs;
    const pass = isSecretPath(path, secrets);
    return {
      pass,
      message: () =>
        pass
          ? `expected ${kind} "${path}" of ${r.name} not to be secret`
          : `expected ${kind} "${path}" of ${r.name} (${r.type}) to be secret; secret ${kind}s: ${secrets.length === 0 ? "none" : secrets.join(", ")}`,
    };
  };
}

const matchers = {
  toHaveResource(received: unknown, type: TypeSelector, query?: ResourceQuery): Result {
    const plan = expectPlan(received, "toHaveResource");
    return fromAssertion(() => plan.hasResource(type as string, query), `expected the plan to have no ${String(typeof type === "string" ? type : type.name)} matching the query, but one matches`);
  },
  toHaveResourceCount(received: unknown, type: TypeSelector, count: number, query?: ResourceQuery): Result {
    const plan = expectPlan(received, "toHaveResourceCount");
    return fromAssertion(() => plan.resourceCountIs(type as string, count, query), `expected the plan not to have exactly ${count} ${String(typeof type === "string" ? type : type.name)}`);
  },
  toHaveOutput(received: unknown, name: string, pattern?: unknown): Result {
    const plan = expectPlan(received, "toHaveOutput");
    const outputs = plan.outputs;
    if (!(name in outputs)) {
      return { pass: false, message: () => `expected a stack output "${name}"; outputs: ${Object.keys(outputs).sort().join(", ") || "none"}` };
    }
    if (pattern === undefined) return { pass: true, message: () => `expected no stack output "${name}"` };
    const result = matchValue(outputs, Match.objectLike({ [name]: pattern }), new Set(plan.secretOutputs));
    return {
      pass: result.ok,
      message: () => (result.ok ? `expected stack output "${name}" not to match ${show(pattern)}` : `stack output "${name}" does not match:\n${describe(result.mismatches)}`),
    };
  },
  toMatchPattern(received: unknown, pattern: unknown): Result {
    const result = matchValue(received, pattern);
    return {
      pass: result.ok,
      message: () => (result.ok ? `expected ${show(received)} not to match ${show(pattern)}` : `value does not match:\n${describe(result.mismatches)}`),
    };
  },
  toHaveOptions(received: unknown, options: Partial<RecordedOptions>): Result {
    const r = expectResource(received, "toHaveOptions");
    // Array options (ignoreChanges, aliases, ...) are sets: they match when they contain each given item, in any order.
    const entries = Object.entries(options);
    const scalars = Object.fromEntries(entries.filter(([, v]) => !Array.isArray(v)));
    const items = entries.flatMap(([k, v]) => (Array.isArray(v) ? (v as unknown[]).map((item) => ({ [k]: Match.arrayWith([item]) })) : []));
    const results = [scalars, ...items].map((pattern) => matchValue(r.options, pattern));
    const result = { ok: results.every((x) => x.ok), mismatches: results.flatMap((x) => x.mismatches) };
    return {
      pass: result.ok,
      message: () =>
        result.ok
          ? `expected ${r.name} (${r.type}) not to have options ${show(options)}`
          : `options of ${r.name} (${r.type}) differ:\n${describe(result.mismatches, "options")}`,
    };
  },
  toDependOn(received: unknown, resource: RecordedResource | string): Result {
    const r = expectResource(received, "toDependOn");
    const urn = typeof resource === "string" ? resource : resource.urn;
    const pass = r.dependencies.includes(urn);
    return {
      pass,
      message: () => (pass ? `expected ${r.name} not to depend on ${urn}` : `expected ${r.name} (${r.type}) to depend on ${urn}; it depends on: ${r.dependencies.length === 0 ? "nothing" : r.dependencies.join(", ")}`),
    };
  },
  toHaveSecretInput: secretMatcher("input"),
  toHaveSecretOutput: secretMatcher("output"),
};

expect.extend(matchers);
