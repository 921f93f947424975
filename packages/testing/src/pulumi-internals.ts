/**
 * The one door to @pulumi/pulumi's internals: everything the harness uses that is not the SDK's
 * public API goes through this module, typed locally, and is checked when the module loads. A
 * version of @pulumi/pulumi that lacks a piece fails at once, naming the piece and the versions the
 * harness supports, instead of failing later in some run.
 *
 * What it covers: the runtime's per-run store (`runtime/state`: config, stack, monitor, leak
 * candidates, the RPC queue), the protobuf responses a monitor sends (`proto/resource_pb`), the
 * MockMonitor's registry, `Output.prototype.apply` and `pulumi.log` (patched per run), the labels
 * the runtime puts on its promises, Outputs and resources (for hang reports and late rejections),
 * the work the SDK does per resource only for a real engine (stack traces, API-version aliases:
 * skipped in runs), and the
 * process-wide `unhandledRejection` listener that keeps a failed run's leftovers quiet.
 *
 * Nothing here touches a run's store once the run is over: a test runner that clears globals
 * between test files (Jest's globalsCleanup) sees no access, and prints no warning.
 */
import * as pulumi from "@pulumi/pulumi";
import * as resprotoModule from "@pulumi/pulumi/proto/resource_pb";
import * as stateModule from "@pulumi/pulumi/runtime/state";

/** The @pulumi/pulumi versions this harness is tested with (its peer dependency range). */
export const SUPPORTED_PULUMI_VERSIONS = ">=3.248.0 <3.249.0";

/** The parts of the runtime's per-run store the harness reads. */
export interface RuntimeStore {
  /** Promises still running, each labelled by the runtime (`resource:name[type]`, ...). */
  leakCandidates: Set<Promise<unknown> & { _debugCtx?: string }>;
  /** The RPC queue: the runtime chains every registration onto `settings.rpcDone`. */
  settings: { rpcDone: Promise<unknown> };
  /** Errors logged; `pulumi.log.hasErrors()` reads it. */
  logErrorCount: number;
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

/** The protobuf response classes a monitor answers with. */
export interface ResponseClasses {
  RegisterResourceResponse: new () => {
    setUrn(urn: string): void;
    setId(id: string): void;
    setObject(object: never): void;
  };
  ReadResourceResponse: new () => {
    setUrn(urn: string): void;
    setProperties(properties: never): void;
  };
}

type Callback = (err: unknown, response: unknown) => void;

/** The methods of Pulumi's MockMonitor the recorder takes over. */
export interface MonitorLike {
  /** MockMonitor's own registry, read by the `pulumi:pulumi:getResource` invoke. */
  readonly resources?: Map<string, unknown>;
  registerResource(req: unknown, callback: Callback): unknown;
  readResource(req: unknown, callback: Callback): unknown;
  registerResourceOutputs(req: unknown, callback: Callback): unknown;
}

/** The modules the adapter reads, as loaded; a parameter so that the load check can be tested. */
export interface PulumiModules {
  readonly version: string | undefined;
  readonly sdk: unknown;
  readonly state: unknown;
  readonly resproto: unknown;
  readonly debuggable: unknown;
}

const isFunction = (value: unknown): boolean => typeof value === "function";
const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, key) => (typeof v === "object" || typeof v === "function") && v !== null ? (v as Record<string, unknown>)[key] : undefined, value);

/**
 * What the harness needs of @pulumi/pulumi, checked; returns the names of the missing pieces
 * (empty when everything is there).
 */
export function missingInternals(modules: PulumiModules): string[] {
  const missing: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) missing.push(what);
  };
  const { sdk, state, resproto, debuggable } = modules;
  for (const name of ["setMocks", "getMonitor", "setAllConfig", "runInPulumiStack", "registerStackTransformation", "serializeProperties"]) {
    need(isFunction(get(sdk, "runtime", name)), `runtime.${name}`);
  }
  for (const name of ["info", "warn", "error"]) need(isFunction(get(sdk, "log", name)), `log.${name}`);
  const output = isFunction(get(sdk, "output")) ? (get(sdk, "output") as (v: unknown) => unknown)(0) : undefined;
  need(output !== undefined && isFunction(get(Object.getPrototypeOf(output) as unknown, "apply")), "Output.prototype.apply");
  for (const name of ["getStore", "getLocalStore", "withLocalStorage"]) need(isFunction(get(state, name)), `runtime/state ${name}`);
  const LocalStore = get(state, "LocalStore");
  need(isFunction(LocalStore), "runtime/state LocalStore");
  if (isFunction(LocalStore)) {
    const store = new (LocalStore as new () => unknown)();
    need(get(store, "settings", "rpcDone") instanceof Promise, "LocalStore settings.rpcDone");
    need(get(store, "leakCandidates") instanceof Set, "LocalStore leakCandidates");
    need(typeof get(store, "logErrorCount") === "number", "LocalStore logErrorCount");
  }
  for (const name of ["RegisterResourceResponse", "ReadResourceResponse"]) need(isFunction(get(resproto, name)), `proto/resource_pb ${name}`);
  need(isFunction(get(sdk, "Resource", "callsites")), "Resource.callsites");
  need(isFunction(get(debuggable, "debuggablePromise")), "runtime/debuggable debuggablePromise");
  need(isFunction(get(sdk, "mergeOptions")), "mergeOptions");
  return missing;
}

/**
 * Throws, naming the supported versions, when @pulumi/pulumi lacks something the harness needs.
 * @throws Error listing the missing pieces, the installed version and the supported ones.
 */
export function assertSupported(modules: PulumiModules): void {
  const missing = missingInternals(modules);
  if (missing.length === 0) return;
  throw new Error(
    `@polycloud/testing supports @pulumi/pulumi ${SUPPORTED_PULUMI_VERSIONS}, but the installed ${modules.version ?? "version"} lacks what the harness uses: ` +
      `${missing.join(", ")}. Install a supported version, e.g. \`pnpm add -D @pulumi/pulumi@3.248.0\` (or npm install -D @pulumi/pulumi@3.248.0).`,
  );
}

function installedVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json is not an ES module
    return (require("@pulumi/pulumi/package.json") as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/*
 * The modules whose exports the harness replaces during runs, as CommonJS exports objects: the
 * objects the SDK's own modules and the provider SDKs read at each call. (An import namespace can
 * be a read-only copy, as under tsx.)
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const debuggableModule: unknown = require("@pulumi/pulumi/runtime/debuggable");
const pulumiExports: unknown = require("@pulumi/pulumi");
/* eslint-enable @typescript-eslint/no-require-imports */

assertSupported({ version: installedVersion(), sdk: pulumiExports, state: stateModule, resproto: resprotoModule, debuggable: debuggableModule });

const state = stateModule as unknown as StateInternals;
/** The protobuf responses a monitor answers with. */
export const responses = resprotoModule as unknown as ResponseClasses;
const globals = globalThis as unknown as { globalStore: RuntimeStore | undefined; stackResource: unknown };

let tail: Promise<unknown> = Promise.resolve();

/** One run of a program: its store, and whether it is still going. */
export interface RuntimeRun {
  readonly store: RuntimeStore;
  /** False once the run is over: then nothing of the adapter reads its store again. */
  readonly live: boolean;
}

/**
 * Runs `callback` with a runtime store of its own: config, stack, monitor, leaks are per run.
 *
 * Runs take turns with the process-wide store swapped for a fresh one, and the previous store put
 * back afterwards. (Pulumi's Automation API isolates runs with AsyncLocalStorage instead; on
 * Node 20 that turns on promise hooks for every promise and costs about 15% of a run.) Inside
 * another AsyncLocalStorage runtime context, the harness uses one too.
 */
export function withFreshRuntime<T>(callback: (run: RuntimeRun) => Promise<T>): Promise<T> {
  const start = async (): Promise<T> => {
    const run = { store: state.getStore(), live: true };
    try {
      return await callback(run);
    } finally {
      run.live = false;
    }
  };
  if (state.getLocalStore() !== undefined) return state.withLocalStorage(start);
  const next = tail.then(async () => {
    const previous = globals.globalStore;
    const previousStack = globals.stackResource;
    const fresh = new state.LocalStore();
    if (previous?.resourcePackages !== undefined) fresh.resourcePackages = previous.resourcePackages;
    if (previous?.resourceModules !== undefined) fresh.resourceModules = previous.resourceModules;
    globals.globalStore = fresh;
    try {
      return await start();
    } finally {
      globals.globalStore = previous;
      globals.stackResource = previousStack;
    }
  });
  tail = next.catch(() => undefined);
  return next;
}

/**
 * Resolves when every registration and output registration of the run has finished, as the
 * runtime's own `waitForRPCs` does, but stops looking (and stays pending) once the run is over, so
 * that a registration finishing after a failed run ends never reaches into its store.
 */
export async function waitForRegistrations(run: RuntimeRun): Promise<void> {
  let seen: Promise<unknown> | undefined;
  for (;;) {
    if (!run.live) return new Promise<never>(() => undefined);
    const current = run.store.settings.rpcDone;
    if (current === seen) return;
    seen = current;
    await current;
  }
}

type ApplyFn = (this: unknown, func: (value: unknown) => unknown, runWithUnknowns?: boolean) => unknown;
const applyRoutes = new WeakMap<object, (err: unknown) => void>();
let applyPatched = false;

/**
 * Reports errors thrown inside `apply` callbacks of the current run to `fail`, instead of letting
 * them reject the Output: a rejected Output leaves a trail of unhandled rejections in the runtime
 * (every derived promise), which Jest reports against whatever test is running. Outside harness
 * runs `apply` behaves as before. Returns a function that ends the routing.
 */
export function routeApplyErrors(run: RuntimeRun, fail: (err: unknown) => void): () => void {
  if (!applyPatched) {
    applyPatched = true;
    const proto = Object.getPrototypeOf(pulumi.output(0)) as { apply: ApplyFn };
    const original = proto.apply;
    proto.apply = function (this: unknown, func, runWithUnknowns) {
      const report = applyRoutes.get(state.getStore());
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
  applyRoutes.set(run.store, fail);
  return () => applyRoutes.delete(run.store);
}

const quietRuns = new WeakSet<object>();
/** The runtime's label of a registration's promise: `resource:name[type]` while it is prepared, then `resolveURN(resource:name[type])`. */
const REGISTRATION_LABEL = /^(resolveURN\()?resource:(.*)\[([^\]]*)\]\)?$/;
let engineOnlyWorkPatched = false;

/**
 * A type alias the SDK adds for each former API version of a type (azure-native lists up to 60 per
 * resource, `azure-native:network/v20150501preview:SecurityRule`, ...; Kubernetes a few): only the
 * engine's state of a stack created under an old version ever matches one.
 */
const API_VERSION_ALIAS = /^[\w-]+:[\w.-]+\/v\d[\w]*:\w+$/;
const isApiVersionAlias = (alias: unknown): boolean =>
  typeof alias === "object" && alias !== null && Object.keys(alias).length === 1 && API_VERSION_ALIAS.test(String((alias as { type?: unknown }).type));

/**
 * Skips, in the current run, the work the SDK does for every resource only for a real engine:
 * - the stack traces it formats for each resource (its call sites, a trace of unlimited depth sent
 *   as its source position, which mocks ignore) and for each promise it tracks (printed only by the
 *   leak report at process exit); more so under source maps (Jest, tsx), where formatting is slow;
 *   a tracked promise keeps its label and its place among the leak candidates, which the harness
 *   reads, and loses the rest of the SDK's bookkeeping (most of the garbage of a big plan);
 * - the API-version aliases a provider SDK merges into each resource's options: each becomes
 *   Outputs and promises of its own, most of an Azure plan's time and memory, and they never
 *   match anything under mocks. The program's own aliases are kept and recorded.
 * Errors a program throws keep their stacks. Outside harness runs the SDK behaves as before.
 * Returns a function that ends the skipping.
 */
export function skipEngineOnlyWork(run: RuntimeRun): () => void {
  if (!engineOnlyWorkPatched) {
    engineOnlyWorkPatched = true;
    const quiet = () => quietRuns.has(state.getStore());
    const resourceClass = pulumi.Resource as unknown as { callsites(): unknown[] };
    const callsites = resourceClass.callsites;
    resourceClass.callsites = function (this: unknown) {
      return quiet() ? [] : callsites.call(this);
    };
    // What the SDK's tracking of a promise amounts to in a run: for a registration, its label and its
    // place among the run's leak candidates until it settles, which hang reports read; without the
    // stack trace, the two other properties and the second promise the SDK adds. The SDK tracks four
    // more promises for every output property of every resource (labelled with the property's value):
    // nothing reads those, and they were a third of a big plan's memory.
    const debuggable = debuggableModule as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
    const debuggablePromise = debuggable.debuggablePromise;
    debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
      if (!quiet()) return debuggablePromise(p, ctx);
      if (typeof ctx !== "string" || !REGISTRATION_LABEL.test(ctx)) return p;
      const candidates = state.getStore().leakCandidates;
      (p as Promise<T> & { _debugCtx?: unknown })._debugCtx = ctx;
      candidates.add(p);
      return p.then(
        (value) => {
          candidates.delete(p);
          return value;
        },
        (err: unknown) => {
          candidates.delete(p);
          throw err;
        },
      );
    };
    // Provider SDKs merge their aliases in through the package's exported mergeOptions (a copy of the
    // resource module's; the SDK's own modules call theirs, which stays as it is).
    const resourceModule = pulumiExports as { mergeOptions<T extends { aliases?: unknown[] }>(a: T | undefined, b: T | undefined): T };
    const mergeOptions = resourceModule.mergeOptions;
    resourceModule.mergeOptions = (a, b) => {
      if (!quiet() || b?.aliases === undefined || b.aliases.length === 0 || !b.aliases.every(isApiVersionAlias)) return mergeOptions(a, b);
      const { aliases: _sdkAliases, ...rest } = b;
      return mergeOptions(a, rest as typeof b);
    };
  }
  quietRuns.add(run.store);
  return () => quietRuns.delete(run.store);
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
export function routeLogs(run: RuntimeRun, sink: (message: LogMessage) => void, print: boolean): () => void {
  if (!logPatched) {
    logPatched = true;
    // `pulumi.log` is the log module's exports object, which the SDK's own modules also call through.
    const log = pulumi.log as unknown as LogModule;
    const severities = { info: "info", warn: "warning", error: "error" } as const;
    for (const name of ["info", "warn", "error"] as const) {
      const original = log[name];
      log[name] = (msg, resource, streamId, ephemeral) => {
        const store = state.getStore();
        const route = logSinks.get(store);
        if (route === undefined) return original(msg, resource, streamId, ephemeral);
        route.sink({ severity: severities[name], message: msg, resource });
        // Printing without an engine is what the SDK does; it also counts errors (log.hasErrors()).
        if (route.print) return original(msg, resource, streamId, ephemeral);
        if (name === "error") store.logErrorCount++;
        return Promise.resolve();
      };
    }
  }
  logSinks.set(run.store, { sink, print });
  return () => logSinks.delete(run.store);
}

/** Installs Pulumi's mocks for a run and returns its MockMonitor, whose methods the recorder takes over. */
export async function installMocks(mocks: pulumi.runtime.Mocks, project: string, stack: string, preview: boolean): Promise<MonitorLike> {
  await pulumi.runtime.setMocks(mocks, project, stack, preview);
  return pulumi.runtime.getMonitor() as unknown as MonitorLike;
}

/** The URN a resource is registered with (resolves once the engine, here the recorder, answers). */
export function urnOf(resource: pulumi.Resource): Promise<string> {
  return (resource.urn as unknown as { promise(): Promise<string> }).promise();
}

/** A registration the runtime is still working on, by the labels it puts on its promises. */
export interface PendingRegistration {
  readonly type: string;
  readonly name: string;
  /** Still preparing its inputs (`resource:name[type]`), or waiting for its URN (`resolveURN(...)`). */
  readonly stage: "preparing" | "unregistered";
}

/** The registrations of a run the runtime is still working on. */
export function pendingRegistrations(run: RuntimeRun): PendingRegistration[] {
  const pending: PendingRegistration[] = [];
  for (const p of run.store.leakCandidates) {
    const m = REGISTRATION_LABEL.exec(p._debugCtx ?? "");
    if (m !== null) pending.push({ type: m[3] ?? "", name: m[2] ?? "", stage: m[1] === undefined ? "preparing" : "unregistered" });
  }
  return pending;
}

/** An Output's promise and the resources it depends on, or undefined for anything else. */
export function outputParts(value: unknown): { promise: Promise<unknown>; resources: unknown[] } | undefined {
  if (typeof value !== "object" || value === null || (value as { __pulumiOutput?: unknown }).__pulumiOutput !== true) return undefined;
  const output = value as { promise(): Promise<unknown>; resources(): Set<unknown> };
  return { promise: output.promise(), resources: [...output.resources()] };
}

/** A resource's type token and logical name, read from the SDK's own fields. */
export function resourceIdentity(resource: unknown): { type: string | undefined; name: string | undefined } {
  const r = resource as { __pulumiType?: string; __name?: string } | null | undefined;
  return { type: r?.__pulumiType, name: r?.__name };
}

/** True when a rejection went through the Pulumi runtime's promises (it labels them with `_debugCtx`). */
function fromPulumiRuntime(reason: unknown): boolean {
  const labelled = (reason as { promise?: { _debugCtx?: unknown } } | null)?.promise;
  return typeof labelled?._debugCtx === "string" || (reason instanceof Error && /^failed to register new resource /.test(reason.message));
}

const activeRuns = new Set<(err: unknown) => void>();
/** Errors runs have already reported; their late echoes are not news. */
const settledErrors = new WeakSet<object>();
let rejectionListener = false;

/** Marks an error as reported by a run, so that its late echoes are dropped. */
export function settled(err: unknown): void {
  if (typeof err === "object" && err !== null) settledErrors.add(err);
}

/**
 * Routes unhandled rejections to the running programs. A failed program leaves rejected runtime
 * promises behind (outputs of resources that never registered); once no run is active, those are
 * dropped instead of crashing the test worker. Any other rejection is rethrown as Node would.
 * Returns a function that ends the routing to `fail`.
 */
export function listenForRejections(fail: (err: unknown) => void): () => void {
  if (!rejectionListener) {
    rejectionListener = true;
    process.on("unhandledRejection", (reason) => {
      if (activeRuns.size > 0) {
        for (const f of activeRuns) f(reason);
        return;
      }
      if (fromPulumiRuntime(reason) || settledErrors.has(reason as object)) return;
      throw reason;
    });
  }
  activeRuns.add(fail);
  return () => activeRuns.delete(fail);
}

export { pulumi };
