/** Small readers over recorded inputs, shared by the rules of every cloud. */
import type { Cloud, PolicyContext, PolicyResource, ResourceRule, RuleInfo, StackRule } from "./types";

/** The value at a dotted path (`a.b.c`), or undefined when any step is missing. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A list input as a list: absent reads as empty, a single value as a list of one. */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** An object input as a record (absent, or not an object, reads as empty). */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A JSON document input (IAM policies, ECS container definitions): parsed when a string, as is otherwise. */
export function json(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** Shows a value in a message. */
export function show(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}

/** CIDR ranges that mean "the whole internet". */
export const ANYWHERE = new Set(["0.0.0.0/0", "::/0", "*", "Internet", "Any", "any", "internet"]);

/** True when a list of source ranges is given and none of them is the whole internet. */
export function limitedRanges(ranges: unknown): boolean {
  const all = list(ranges);
  return all.length > 0 && !all.some((c) => ANYWHERE.has(String(c)));
}

/** True when a port range (inclusive; -1 or absent means all) includes `port`. */
export function rangeIncludes(from: unknown, to: unknown, port: number): boolean {
  const lo = typeof from === "number" && from >= 0 ? from : 0;
  const hi = typeof to === "number" && to >= 0 ? to : 65535;
  return lo <= port && port <= hi;
}

/** Parses Azure/Kubernetes style port ranges (`"22"`, `"20-25"`, `"*"`) and tells whether `port` is in one. */
export function portSpecIncludes(spec: unknown, port: number): boolean {
  if (spec === undefined || spec === null) return false;
  const text = String(spec).trim();
  if (text === "*") return true;
  const [lo, hi] = text.split("-").map((s) => Number(s.trim()));
  if (lo === undefined || Number.isNaN(lo)) return false;
  return hi === undefined || Number.isNaN(hi) ? lo === port : lo <= port && port <= hi;
}

/** Env var names that carry credentials. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|CONN(ECTION)?_?STR)/i;

/** Names of the plain (`name`/`value`) environment variables whose name looks like a credential. */
export function plainSecretEnv(env: unknown, nameKey = "name", valueKey = "value"): string[] {
  return list(env)
    .map(record)
    .filter((e) => typeof e[nameKey] === "string" && SECRET_NAME.test(e[nameKey] as string) && typeof e[valueKey] === "string" && e[valueKey] !== "")
    .map((e) => e[nameKey] as string);
}

type Definition = Omit<RuleInfo, "cloud">;

/** Declares the rules of one cloud. */
export function ruleBook(cloud: Cloud) {
  return {
    /** A rule over one resource's own inputs. */
    resource(def: Definition, check: (r: PolicyResource) => string | undefined): ResourceRule {
      return { ...def, cloud, scope: "resource", check };
    },
    /** A rule over one resource and the rest of the plan. */
    stack(def: Definition, check: (r: PolicyResource, context: PolicyContext) => string | undefined): StackRule {
      return { ...def, cloud, scope: "stack", check };
    },
  };
}
