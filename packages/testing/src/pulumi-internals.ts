/**
 * The few @pulumi/pulumi runtime internals the harness needs, typed locally: the runtime's store
 * (`runtime/state.js`: config, stack, monitor, leak candidates), a fresh one per run, and
 * `waitForRPCs` to know when every registration has settled (as the Automation API does).
 */
import * as pulumi from "@pulumi/pulumi";
import * as settingsModule from "@pulumi/pulumi/runtime/settings";
import * as stateModule from "@pulumi/pulumi/runtime/state";

/** The parts of the runtime's per-run store the harness reads. */
export interface RuntimeStore {
  /** Promises still running, each labelled by the runtime (`resource:name[type]`, ...). */
  leakCandidates: Set<Promise<unknown> & { _debugCtx?: string }>;
  /** Registered at SDK load time (resource references); carried over into each fresh store. */
  resourcePackages?: unknown;
  resourceModules?: unknown;
}

interface StateInternals {
  LocalStore: new () => RuntimeStore;
  withLocalStorage<T>(callback: () => Promise<T>): Promise<T>;
  getLocalStore(): RuntimeStore | undefined;
  getStore(): RuntimeStore;
}
interface SettingsInternals {
  waitForRPCs(): Promise<void>;
}

const state = stateModule as unknown as StateInternals;
const settings = settingsModule as unknown as SettingsInternals;
const globals = globalThis as unknown as { globalStore: RuntimeStore | undefined; stackResource: unknown };

let tail: Promise<unknown> = Promise.resolve();

/**
 * Runs `callback` with a runtime store of its own: config, stack, monitor, leaks are per run.
 *
 * Runs take turns with the process-wide store swapped for a fresh one, and the previous store put
 * back afterwards. (Pulumi's Automation API isolates runs with AsyncLocalStorage instead; on
 * Node 20 that turns on promise hooks for every promise and costs about 15% of a run.) Inside
 * another AsyncLocalStorage runtime context, the harness uses one too.
 */
export function withFreshRuntime<T>(callback: () => Promise<T>): Promise<T> {
  if (state.getLocalStore() !== undefined) return state.withLocalStorage(callback);
  const run = tail.then(async () => {
    const previous = globals.globalStore;
    const previousStack = globals.stackResource;
    const fresh = new state.LocalStore();
    if (previous?.resourcePackages !== undefined) fresh.resourcePackages = previous.resourcePackages;
    if (previous?.resourceModules !== undefined) fresh.resourceModules = previous.resourceModules;
    globals.globalStore = fresh;
    try {
      return await callback();
    } finally {
      globals.globalStore = previous;
      globals.stackResource = previousStack;
    }
  });
  tail = run.catch(() => undefined);
  return run;
}

/** The current run's store. */
export function currentStore(): RuntimeStore {
  return state.getStore();
}

type ApplyFn = (this: unknown, func: (value: unknown) => unknown, runWithUnknowns?: boolean) => unknown;
const runs = new WeakMap<object, (err: unknown) => void>();
let applyPatched = false;

/**
 * Reports errors thrown inside `apply` callbacks of the current run to `fail`, instead of letting
 * them reject the Output: a rejected Output leaves a trail of unhandled rejections in the runtime
 * (every derived promise), which Jest reports against whatever test is running. Outside harness
 * runs `apply` behaves as before. Returns a function that ends the routing.
 */
export function routeApplyErrors(fail: (err: unknown) => void): () => void {
  if (!applyPatched) {
    applyPatched = true;
    const proto = Object.getPrototypeOf(pulumi.output(0)) as { apply: ApplyFn };
    const original = proto.apply;
    proto.apply = function (this: unknown, func, runWithUnknowns) {
      const report = runs.get(state.getStore() as object);
      if (report === undefined) return original.call(this, func, runWithUnknowns);
      const never = (err: unknown): Promise<never> => {
        report(err);
        return new Promise<never>(() => undefined);
      };
      const guarded = (value: unknown): unknown => {
        try {
          const result = func(value);
          return result instanceof Promise ? result.catch(never) : result;
        } catch (err) {
          return never(err);
        }
      };
      return original.call(this, guarded, runWithUnknowns);
    };
  }
  const store = state.getStore() as object;
  runs.set(store, fail);
  return () => runs.delete(store);
}

/** What a program logs with `pulumi.log.info/warn/error`, as the engine would receive it. */
export interface LogMessage {
  readonly severity: "info" | "warning" | "error";
  readonly message: string;
  /** The resource the message is about, when the program named one. */
  readonly resource: pulumi.Resource | undefined;
}

type LogFn = (msg: string, resource?: pulumi.Resource, streamId?: number, ephemeral?: boolean) => Promise<void>;
type LogModule = Record<"info" | "warn" | "error", LogFn>;
const logSinks = new WeakMap<object, { readonly sink: (message: LogMessage) => void; readonly print: boolean }>();
let logPatched = false;

/**
 * Sends what the current run logs to `sink` instead of the console, where the SDK prints it when
 * there is no engine (mocks). The SDK's own path to an engine (`settings.getEngine()`) is not
 * used: it sends messages one after another through a single process-wide chain that first waits
 * for each message's resource URN, so one resource left unregistered by a failed or hung run would
 * hold back every later run's messages (and, through their keep-alives, fail those runs as hung).
 * With `print`, messages also go to the console as before. `debug` messages (the SDK's own chatter)
 * keep the SDK's behaviour. Returns a function that ends the routing.
 */
export function routeLogs(sink: (message: LogMessage) => void, print: boolean): () => void {
  if (!logPatched) {
    logPatched = true;
    // `pulumi.log` is the log module's exports object, which the SDK's own modules also call through.
    const log = pulumi.log as unknown as LogModule;
    const severities = { info: "info", warn: "warning", error: "error" } as const;
    for (const name of ["info", "warn", "error"] as const) {
      const original = log[name];
      log[name] = (msg, resource, streamId, ephemeral) => {
        const route = logSinks.get(state.getStore() as object);
        if (route === undefined) return original(msg, resource, streamId, ephemeral);
        route.sink({ severity: severities[name], message: msg, resource });
        // Printing without an engine is what the SDK does; it also counts errors (log.hasErrors()).
        if (route.print) return original(msg, resource, streamId, ephemeral);
        if (name === "error") (state.getStore() as unknown as { logErrorCount: number }).logErrorCount++;
        return Promise.resolve();
      };
    }
  }
  const store = state.getStore() as object;
  logSinks.set(store, { sink, print });
  return () => logSinks.delete(store);
}

/** The URN a resource is registered with (resolves once the engine, here the recorder, answers). */
export function urnOf(resource: pulumi.Resource): Promise<string> {
  return (resource.urn as unknown as { promise(): Promise<string> }).promise();
}

/** Resolves when every registration and output registration of the current run has finished. */
export function waitForRegistrations(): Promise<void> {
  return settings.waitForRPCs();
}

export { pulumi };
