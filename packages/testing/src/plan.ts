/**
 * `Plan`: what a run recorded, with queries (`resources`, `find`, `children`), CDK-style
 * assertions (`hasResource`, `resourceCountIs`) and a stable `toJSON()` snapshot.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PolycloudError } from "@polycloud/core";
import { AssertionError } from "./errors";
import { Matcher, matchValue, show } from "./match";
import type { Mismatch, Pattern } from "./match";
import type { PropertyBag, RecordedInvoke, RecordedLog, RecordedResource } from "./types";
import { redact, REDACTED, secretStrings } from "./values";

/** A resource class such as `aws.ec2.Vpc`; selects its type token and types inputs and outputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ResourceClass = abstract new (name: string, args?: any, opts?: any) => pulumi.Resource;

/** Selects resources by type token (`"aws:ec2/vpc:Vpc"`) or by class (`aws.ec2.Vpc`). */
export type TypeSelector = string | ResourceClass;

/** Plain-value inputs of a resource class (its args with Outputs unwrapped). */
export type InputsOf<S> = S extends ResourceClass ? pulumi.Unwrap<NonNullable<ConstructorParameters<S>[1]>> : PropertyBag;

/** Plain-value outputs of a resource class (its Output properties unwrapped). */
export type OutputsOf<S> = S extends ResourceClass
  ? {
      readonly [K in keyof InstanceType<S> as InstanceType<S>[K] extends pulumi.Output<unknown> ? K : never]?: InstanceType<S>[K] extends pulumi.Output<infer T>
        ? pulumi.Unwrap<T>
        : never;
    }
  : PropertyBag;

/** The resource a selector finds. */
export type ResourceOf<S> = RecordedResource<InputsOf<S> & object, OutputsOf<S> & object>;

/**
 * Which resources of a type a query means: a logical name, a pattern over the inputs (plain objects
 * match partially, see `Match`), or a predicate over the whole record.
 */
export type ResourceQuery<S = string> = string | Pattern<InputsOf<S>> | ((resource: ResourceOf<S>) => boolean);

/** Metadata of a run. */
export interface PlanInfo {
  readonly project: string;
  readonly stack: string;
  readonly preview: boolean;
}

/** The recorded state a Plan is built from. @internal */
export interface PlanSource {
  list(): RecordedResource[];
  readonly invokes: readonly RecordedInvoke[];
  readonly logs: readonly RecordedLog[];
  readonly stackOutputs: PropertyBag;
  readonly stackSecretOutputs: readonly string[];
  /** Values of the secret config keys. */
  readonly secretConfig: readonly string[];
}

/**
 * A resource as `toJSON()` shows it: the recorded resource with sorted keys, secrets as `"[secret]"`
 * (so no secret paths), unknowns as `"[unknown]"`, and `read` only when true.
 */
export type PlanResourceJson = Omit<RecordedResource, "read" | "options" | "inputs" | "outputs" | "secretInputs" | "secretOutputs"> & {
  readonly read?: true;
  readonly options: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, unknown>>;
};

/** The `toJSON()` snapshot. */
export interface PlanJson {
  readonly project: string;
  readonly stack: string;
  readonly preview: boolean;
  readonly resources: readonly PlanResourceJson[];
  readonly outputs: Readonly<Record<string, unknown>>;
  /** What the program logged, sorted by URN, severity and message; secret values read `"[secret]"`. */
  readonly logs: readonly RecordedLog[];
}

const CANDIDATES_SHOWN = 3;
/** Shorter secrets (`"app"`, `"on"`) would mangle every message that happens to contain them. */
const MIN_REDACTED_LENGTH = 4;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The type token of a selector. */
export function tokenOf(selector: TypeSelector): string {
  if (typeof selector === "string") return selector;
  const token = (selector as unknown as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string") {
    throw new PolycloudError(
      [
        {
          path: "type",
          message: `${selector.name || "the class"} has no static __pulumiType (only provider SDK classes do)`,
          fix: 'pass the type token instead, e.g. "polycloud:aws:Network"',
        },
      ],
      "Plan: cannot tell the type token of a class",
    );
  }
  return token;
}

interface Evaluated {
  readonly resource: RecordedResource;
  readonly mismatches: readonly Mismatch[];
  commit(): void;
}

function describeQuery(query: unknown): string {
  if (query === undefined) return "";
  if (typeof query === "string") return ` named "${query}"`;
  if (typeof query === "function") return ` satisfying ${query.name === "" ? "the predicate" : query.name}`;
  return ` with inputs matching ${Matcher.isMatcher(query) ? query.describe() : show(query)}`;
}

/** What a run recorded. */
export class Plan {
  readonly project: string;
  readonly stack: string;
  readonly preview: boolean;
  /** The invokes the program made, in order. */
  readonly invokes: readonly RecordedInvoke[];
  /**
   * What the program (and the SDK) logged with `pulumi.log.info/warn/error`, in the order logged,
   * as the engine would receive it. Messages are as logged: a secret a program puts in a message
   * is in it here, and redacted only in `toJSON()`.
   */
  readonly logs: readonly RecordedLog[];
  private readonly all: readonly RecordedResource[];
  private readonly byUrn: ReadonlyMap<string, RecordedResource>;
  private readonly stackOutputs: PropertyBag;
  private readonly stackSecretOutputs: ReadonlySet<string>;
  private readonly secretConfig: readonly string[];

  /** @internal */
  constructor(source: PlanSource, info: PlanInfo) {
    this.project = info.project;
    this.stack = info.stack;
    this.preview = info.preview;
    this.all = source.list();
    this.byUrn = new Map(this.all.map((r) => [r.urn, r]));
    this.invokes = [...source.invokes];
    this.logs = [...source.logs];
    this.stackOutputs = source.stackOutputs;
    this.stackSecretOutputs = new Set(source.stackSecretOutputs);
    this.secretConfig = source.secretConfig;
  }

  /** The stack outputs the program returned, as plain values (secrets unwrapped). */
  get outputs(): PropertyBag {
    return this.stackOutputs;
  }

  /** Names of the stack outputs that are secret. */
  get secretOutputs(): readonly string[] {
    return [...this.stackSecretOutputs];
  }

  /** Every resource (components included), in the order the program created them; only those of `type` if given. */
  resources<S extends TypeSelector>(type?: S): ResourceOf<S>[] {
    if (type === undefined) return [...this.all] as ResourceOf<S>[];
    const token = tokenOf(type);
    return this.all.filter((r) => r.type === token) as ResourceOf<S>[];
  }

  /** The resource with this URN, or undefined. */
  get(urn: string): RecordedResource | undefined {
    return this.byUrn.get(urn);
  }

  /** The parent resource, or undefined for a resource parented to the stack. */
  parentOf(resource: RecordedResource | string): RecordedResource | undefined {
    const r = typeof resource === "string" ? this.byUrn.get(resource) : resource;
    return r?.parent === undefined ? undefined : this.byUrn.get(r.parent);
  }

  /** The direct children of a resource (a component's resources), in creation order. */
  children(resource: RecordedResource | string): RecordedResource[] {
    const urn = typeof resource === "string" ? resource : resource.urn;
    return this.all.filter((r) => r.parent === urn);
  }

  /** Every resource below a resource, depth first. */
  descendants(resource: RecordedResource | string): RecordedResource[] {
    const out: RecordedResource[] = [];
    for (const child of this.children(resource)) out.push(child, ...this.descendants(child));
    return out;
  }

  /** All resources of `type` matching `query`. */
  findAll<S extends TypeSelector>(type: S, query?: ResourceQuery<S>): ResourceOf<S>[] {
    const evaluated = this.evaluate(tokenOf(type), query);
    const hits = evaluated.filter((e) => e.mismatches.length === 0);
    for (const h of hits) h.commit();
    return hits.map((h) => h.resource) as ResourceOf<S>[];
  }

  /**
   * The one resource of `type` matching `query`. Throws, listing the closest candidates and how
   * each differs, when none or several match.
   */
  find<S extends TypeSelector>(type: S, query?: ResourceQuery<S>): ResourceOf<S> {
    const token = tokenOf(type);
    const evaluated = this.evaluate(token, query);
    const hits = evaluated.filter((e) => e.mismatches.length === 0);
    if (hits.length === 1) {
      hits[0]!.commit();
      return hits[0]!.resource as ResourceOf<S>;
    }
    if (hits.length > 1) {
      throw new AssertionError(
        `Plan.find: expected exactly one ${token}${describeQuery(query)}, found ${hits.length}:\n` +
          hits.map((h) => `  - ${h.resource.name} (${h.resource.urn})`).join("\n") +
          "\nNarrow the query, or use findAll.",
      );
    }
    throw new AssertionError(this.noMatchMessage("Plan.find: expected exactly one", token, query, evaluated));
  }

  /** Asserts that at least one resource of `type` matches `query` (AWS CDK's `hasResourceProperties`). */
  hasResource<S extends TypeSelector>(type: S, query?: ResourceQuery<S>): void {
    const token = tokenOf(type);
    const evaluated = this.evaluate(token, query);
    const hit = evaluated.find((e) => e.mismatches.length === 0);
    if (hit !== undefined) {
      hit.commit();
      return;
    }
    throw new AssertionError(this.noMatchMessage("Plan.hasResource: expected a", token, query, evaluated));
  }

  /** Asserts that exactly `count` resources of `type` (matching `query`, if given) exist. */
  resourceCountIs<S extends TypeSelector>(type: S, count: number, query?: ResourceQuery<S>): void {
    const token = tokenOf(type);
    const hits = this.evaluate(token, query).filter((e) => e.mismatches.length === 0);
    if (hits.length === count) return;
    const types = [...new Set(this.all.map((r) => r.type))].sort();
    const hint = hits.length === 0 && !types.includes(token) ? `\nTypes in the plan: ${types.join(", ") || "(none)"}` : "";
    throw new AssertionError(
      `Plan.resourceCountIs: expected ${count} ${token}${describeQuery(query)}, found ${hits.length}` +
        (hits.length > 0 ? `:\n${hits.map((h) => `  - ${h.resource.name}`).join("\n")}` : "") +
        hint,
    );
  }

  /**
   * A stable snapshot: resources sorted by URN, keys sorted, secrets `"[secret]"`, unknowns
   * `"[unknown]"`; logs sorted too, with every secret string value the plan knows of (secret inputs,
   * outputs, stack outputs and config) replaced by `"[secret]"` in their messages.
   */
  toJSON(): PlanJson {
    const resources = [...this.all]
      .sort((a, b) => compare(a.urn, b.urn))
      .map((r): PlanResourceJson => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        ...(r.id === undefined ? {} : { id: r.id }),
        ...(r.parent === undefined ? {} : { parent: r.parent }),
        custom: r.custom,
        ...(r.read ? { read: true as const } : {}),
        ...(r.provider === undefined ? {} : { provider: r.provider }),
        dependencies: [...new Set(r.dependencies)].sort(),
        options: redact(r.options, new Set()) as Record<string, unknown>,
        inputs: redact(r.inputs, new Set(r.secretInputs)) as Record<string, unknown>,
        outputs: redact(r.outputs, new Set(r.secretOutputs)) as Record<string, unknown>,
      }));
    return {
      project: this.project,
      stack: this.stack,
      preview: this.preview,
      resources,
      outputs: redact(this.stackOutputs, this.stackSecretOutputs) as Record<string, unknown>,
      logs: this.redactedLogs(),
    };
  }

  private redactedLogs(): RecordedLog[] {
    if (this.logs.length === 0) return [];
    const secrets = new Set(this.secretConfig);
    const collect = (value: unknown, paths: Iterable<string>): void => {
      for (const s of secretStrings(value, paths)) secrets.add(s);
    };
    for (const r of this.all) {
      collect(r.inputs, r.secretInputs);
      collect(r.outputs, r.secretOutputs);
    }
    collect(this.stackOutputs, this.stackSecretOutputs);
    // Longest first, so that a secret containing another is replaced whole.
    const ordered = [...secrets].filter((s) => s.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.length - a.length);
    const rank = { error: 0, warning: 1, info: 2 } as const;
    return this.logs
      .map((l) => ({ ...l, message: ordered.reduce((m, s) => m.split(s).join(REDACTED), l.message) }))
      .sort((a, b) => compare(a.urn ?? "", b.urn ?? "") || rank[a.severity] - rank[b.severity] || compare(a.message, b.message));
  }

  private evaluate(token: string, query: unknown): Evaluated[] {
    const candidates = this.all.filter((r) => r.type === token);
    return candidates.map((resource) => {
      if (query === undefined) return { resource, mismatches: [], commit: () => undefined };
      if (typeof query === "string") {
        return {
          resource,
          mismatches: resource.name === query ? [] : [{ path: "name", message: `is "${resource.name}", expected "${query}"` }],
          commit: () => undefined,
        };
      }
      if (typeof query === "function") {
        const ok = (query as (r: RecordedResource) => boolean)(resource);
        return { resource, mismatches: ok ? [] : [{ path: "", message: "the predicate returned false" }], commit: () => undefined };
      }
      const result = matchValue(resource.inputs, query, new Set(resource.secretInputs), false);
      return {
        resource,
        mismatches: result.mismatches.map((m) => ({ path: m.path === "" ? "inputs" : `inputs.${m.path}`, message: m.message })),
        commit: result.commit,
      };
    });
  }

  private noMatchMessage(heading: string, token: string, query: unknown, evaluated: readonly Evaluated[]): string {
    const lines = [`${heading} ${token}${describeQuery(query)}, found none.`];
    if (evaluated.length === 0) {
      const types = [...new Set(this.all.map((r) => r.type))].sort();
      const similar = types.filter((t) => t.toLowerCase().includes((token.split(":").pop() ?? token).toLowerCase()));
      lines.push(`The plan has no ${token} at all.`);
      if (similar.length > 0) lines.push(`Similar types in the plan: ${similar.join(", ")}`);
      else lines.push(`Types in the plan: ${types.join(", ") || "(none)"}`);
      return lines.join("\n");
    }
    const closest = [...evaluated].sort((a, b) => a.mismatches.length - b.mismatches.length).slice(0, CANDIDATES_SHOWN);
    lines.push(
      `${evaluated.length} candidate${evaluated.length === 1 ? "" : "s"}; ` +
        `${evaluated.length > closest.length ? `the ${closest.length} closest` : closest.length === 1 ? "it" : "each"} differs:`,
    );
    for (const c of closest) {
      lines.push(`  ${c.resource.name} (${c.resource.urn}):`);
      for (const m of c.mismatches) lines.push(`    at ${m.path === "" ? "(resource)" : m.path}: ${m.message}`);
    }
    return lines.join("\n");
  }
}
