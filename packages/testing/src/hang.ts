/**
 * What a hung run is waiting for. The runtime labels its promises (`resource:name[type]` while a
 * registration prepares its inputs, `resolveURN(...)` until it is registered); the stack
 * transformation the harness installs keeps each resource's props, so the report can name the input
 * that never resolves and the pending resource another one waits for.
 */
import type * as pulumi from "@pulumi/pulumi";
import { outputParts, pendingRegistrations, resourceIdentity, type RuntimeRun } from "./pulumi-internals";
import type { Recorder } from "./recorder";

// Captured at load so that a test's fake timers do not stop the hang detector.
const timers = { setImmediate: globalThis.setImmediate };

interface Constructed {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly dependsOn: readonly unknown[];
}

/** Resources as the program constructed them, by `type\0name`. @internal */
export class ConstructionLog {
  private readonly byKey = new Map<string, Constructed>();
  private readonly properties = new Map<string, ReadonlySet<string>>();
  private readonly sequence = new Map<string, number>();

  /** A stack transformation that records each resource's props; it changes nothing. */
  readonly transformation = (args: pulumi.ResourceTransformationArgs): undefined => {
    const key = `${args.type}\0${args.name}`;
    // The properties an SDK class declares are the same for all its resources: one set per type.
    if (!this.properties.has(args.type)) this.properties.set(args.type, new Set(Object.keys(args.props)));
    if (!this.sequence.has(key)) this.sequence.set(key, this.sequence.size);
    const dependsOn = args.opts.dependsOn;
    this.byKey.set(key, {
      type: args.type,
      name: args.name,
      props: args.props as Record<string, unknown>,
      dependsOn: dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn],
    });
    return undefined;
  };

  /** Every property name the SDK class of this type declares. */
  propertiesOf(type: string): ReadonlySet<string> | undefined {
    return this.properties.get(type);
  }

  /** Forgets the props of a resource that has registered: only pending ones matter for a hang. */
  release(type: string, name: string): void {
    this.byKey.delete(`${type}\0${name}`);
  }

  /** The position of a resource in construction order (undefined if not constructed in the program). */
  orderOf(type: string, name: string): number | undefined {
    return this.sequence.get(`${type}\0${name}`);
  }

  get(type: string, name: string): Constructed | undefined {
    return this.byKey.get(`${type}\0${name}`);
  }
}

/** True when `p` has not settled after the current turn of the event loop. */
async function stillPending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const winner = await Promise.race([p.then(() => undefined, () => undefined), new Promise((r) => timers.setImmediate(() => r(marker)))]);
  return winner === marker;
}

function label(type: string | undefined, name: string | undefined): string {
  return `${type ?? "?"} "${name ?? "?"}"`;
}

const labelOf = (resource: unknown) => {
  const { type, name } = resourceIdentity(resource);
  return label(type, name);
};

/** One line per pending registration, naming what it waits for. */
export async function describePending(run: RuntimeRun, recorder: Recorder, log: ConstructionLog, stackDone: boolean): Promise<string[]> {
  const preparing = new Map<string, { type: string; name: string }>();
  const unregistered = new Map<string, { type: string; name: string }>();
  for (const { type, name, stage } of pendingRegistrations(run)) {
    (stage === "preparing" ? preparing : unregistered).set(label(type, name), { type, name });
  }
  const inFlight = new Set(recorder.inFlight.values());
  const lines = new Set<string>();
  for (const [what, { type, name }] of unregistered) {
    if (inFlight.has(what)) {
      lines.add(`${what}: the mock handler has not answered`);
      continue;
    }
    if (!preparing.has(what)) {
      lines.add(`${what}: waiting for its parent or provider to register`);
      continue;
    }
    const constructed = log.get(type, name);
    const reasons: string[] = [];
    if (constructed !== undefined) {
      for (const [key, value] of Object.entries(constructed.props)) {
        const output = outputParts(value);
        const promise = output?.promise ?? (value instanceof Promise ? value : undefined);
        if (promise === undefined || !(await stillPending(promise))) continue;
        const waitsFor = (output?.resources ?? []).map(labelOf).filter((l) => unregistered.has(l) && l !== what);
        reasons.push(waitsFor.length > 0 ? `input "${key}" waits for ${waitsFor.join(", ")}` : `input "${key}" never resolves`);
      }
      for (const dep of constructed.dependsOn) {
        const l = labelOf(dep);
        if (unregistered.has(l)) reasons.push(`dependsOn waits for ${l}`);
      }
    }
    lines.add(`${what}: ${reasons.length > 0 ? reasons.join("; ") : "waiting for its inputs (an Output that never resolves, or a cycle)"}`);
  }
  for (const what of inFlight) if (!unregistered.has(what)) lines.add(`${what}: the mock handler has not answered`);
  for (const r of recorder.resources.values()) {
    if (!r.custom && !recorder.outputsRegistered.has(r.urn)) {
      lines.add(`${label(r.type, r.name)}: registerOutputs is waiting for a value that never resolves`);
    }
  }
  if (!stackDone && lines.size === 0) lines.add("the stack outputs: a returned Output or Promise never resolves");
  return [...lines].sort();
}
