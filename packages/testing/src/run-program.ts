/**
 * `runProgram`: runs a Pulumi program on mocks in a runtime of its own, waits until every
 * registration has settled (or reports what hangs), and returns the recorded {@link Plan}.
 */
import type * as pulumiTypes from "@pulumi/pulumi";
import { PolycloudError, type Problem } from "@polycloud/core";
import { defaultInvoke, defaultInvokeTokens, defaultResource, HARNESS_DEFAULTS, providerOfToken } from "./defaults";
import type { DefaultsEnv } from "./defaults";
import { ProgramHangError } from "./errors";
import { ConstructionLog, describePending } from "./hang";
import { Plan } from "./plan";
import { installMocks, listenForRejections, pulumi, routeApplyErrors, routeLogs, settled, skipEngineOnlyWork, urnOf, waitForRegistrations, withFreshRuntime, type RuntimeRun } from "./pulumi-internals";
import { Recorder } from "./recorder";
import type { Answer, Registration } from "./recorder";
import type { PropertyBag, ProviderName, RecordedLog } from "./types";
import { decodeProperties, NotPlain, plainToWire, wireSecret, wrapSecretAt } from "./values";

// Captured at load so that a test's fake timers do not stop the hang detector.
const timers = { setInterval: globalThis.setInterval, clearInterval: globalThis.clearInterval, setTimeout: globalThis.setTimeout, setImmediate: globalThis.setImmediate };

/** A Pulumi program: creates resources and may return stack outputs (plain values, Outputs, Promises). */
export type Program = () => unknown;

/** What a mock handler is told. */
export interface MockArgs {
  /** `resource` for a registration or `.get`, `invoke` for a data source call. */
  readonly kind: "resource" | "invoke";
  /** The type token or invoke token. */
  readonly token: string;
  /** Logical name of the resource; empty for invokes. */
  readonly name: string;
  /** Plain inputs, secrets unwrapped. */
  readonly inputs: PropertyBag;
  /** URN of the explicit provider, if any. */
  readonly provider: string | undefined;
  /** Id being read (`Resource.get`) or imported. */
  readonly id: string | undefined;
  readonly preview: boolean;
  /**
   * What the harness would answer: for a resource, the invented outputs plus `id`; for an invoke,
   * the built-in answer (empty when there is none).
   */
  readonly defaults: PropertyBag;
}

/**
 * Overrides the harness's answer for one type or invoke token. For a resource, return outputs to
 * merge over the defaults (an `id` key sets the resource id); for an invoke, return the result
 * (merged over the built-in answer, if any). Return `undefined` to keep the defaults. Throw to
 * simulate a provider error.
 */
export type MockHandler = (args: MockArgs) => PropertyBag | undefined | Promise<PropertyBag | undefined>;

const SECRET_CONFIG = Symbol.for("@polycloud/testing:secretConfig");

/** A config value to be treated as a secret (`pulumi config set --secret`). */
export interface SecretConfig {
  readonly [SECRET_CONFIG]: true;
  readonly value: ConfigPlainValue;
}

/** A plain config value; objects, numbers and booleans are stored as JSON, like the CLI does. */
export type ConfigPlainValue = string | number | boolean | readonly unknown[] | { readonly [key: string]: unknown };
export type ConfigValue = ConfigPlainValue | SecretConfig;

/** Marks a config value as secret: `config: { "app:dbPassword": secretConfig("hunter2") }`. */
export function secretConfig(value: ConfigPlainValue): SecretConfig {
  return { [SECRET_CONFIG]: true, value };
}

function isSecretConfig(value: unknown): value is SecretConfig {
  return typeof value === "object" && value !== null && SECRET_CONFIG in value;
}

/** Options of {@link runProgram}. */
export interface RunOptions {
  /**
   * The cloud the program targets. Sets that cloud's default config (region, project, location)
   * when the test does not. Each resource's outputs follow its own type token regardless.
   * @default - none; inferred per resource from its type token
   */
  readonly provider?: ProviderName;
  /**
   * Stack config, namespaced (`aws:region`, `myapp:replicas`); a key without a namespace gets the
   * project's. Wrap secrets with `secretConfig(...)`.
   * @default {}
   */
  readonly config?: Readonly<Record<string, ConfigValue>>;
  /** @default "project" */
  readonly project?: string;
  /** @default "stack" */
  readonly stack?: string;
  /**
   * Run as a preview: ids and computed outputs stay `UNKNOWN`, `apply` callbacks on them do not run.
   * @default false
   */
  readonly preview?: boolean;
  /** Handlers that override the defaults, keyed by type token or invoke token. @default {} */
  readonly mocks?: Readonly<Record<string, MockHandler>>;
  /**
   * How long the run may go without any registration settling before it is declared hung and fails,
   * naming what is pending. Kept under Jest's default 5 s test timeout.
   * @default 3000
   */
  readonly timeoutMs?: number;
  /**
   * Also print what the program logs with `pulumi.log.info/warn/error` to the console, as bare mocks
   * do. The messages are recorded on `plan.logs` either way; tests stay quiet unless asked.
   * @default false
   */
  readonly printLogs?: boolean;
}

const OPTION_KEYS = ["provider", "config", "project", "stack", "preview", "mocks", "timeoutMs", "printLogs"] as const;
const PROVIDERS: readonly ProviderName[] = ["aws", "azure", "gcp", "kubernetes"];
const DEFAULT_TIMEOUT_MS = 3000;
const TICK_MS = 50;
/** How long a failed run may take to let its in-flight registrations finish. */
const DRAIN_MS = 200;

/** Default config per provider hint, applied when the test does not set the key. */
const HINT_CONFIG: Record<ProviderName, Record<string, string>> = {
  aws: { "aws:region": HARNESS_DEFAULTS.aws.region },
  azure: { "azure-native:location": HARNESS_DEFAULTS.azure.location },
  gcp: { "gcp:project": HARNESS_DEFAULTS.gcp.project, "gcp:region": HARNESS_DEFAULTS.gcp.region },
  kubernetes: {},
};

interface ResolvedOptions {
  readonly provider: ProviderName | undefined;
  readonly project: string;
  readonly stack: string;
  readonly preview: boolean;
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
  readonly mocks: Readonly<Record<string, MockHandler>>;
  readonly timeoutMs: number;
  readonly printLogs: boolean;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  return candidates.find((c) => c.toLowerCase() === lower || c.toLowerCase().startsWith(lower.slice(0, 4)));
}

function resolveOptions(program: unknown, options: RunOptions): ResolvedOptions {
  const problems: Problem[] = [];
  if (typeof program !== "function") {
    problems.push({
      path: "program",
      message: `expected a function that creates resources, got ${program === null ? "null" : typeof program}`,
      fix: "pass `() => { new aws.s3.Bucket(...); }`",
    });
  }
  if (typeof options !== "object" || options === null) {
    throw new PolycloudError([{ path: "options", message: `expected an object, got ${options === null ? "null" : typeof options}` }], "runProgram: invalid options");
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      const guess = closest(key, OPTION_KEYS);
      problems.push({
        path: `options.${key}`,
        message: "unknown option",
        fix: guess === undefined ? `use one of ${OPTION_KEYS.join(", ")}` : `did you mean "${guess}"?`,
      });
    }
  }
  const { provider, project = "project", stack = "stack", preview = false, timeoutMs = DEFAULT_TIMEOUT_MS, printLogs = false } = options;
  if (provider !== undefined && !PROVIDERS.includes(provider)) {
    problems.push({
      path: "options.provider",
      message: `${JSON.stringify(provider)} is not a provider`,
      fix: `use one of ${PROVIDERS.map((p) => `"${p}"`).join(", ")}`,
    });
  }
  for (const [key, value] of [
    ["project", project],
    ["stack", stack],
  ] as const) {
    if (typeof value !== "string" || !/^[A-Za-z0-9_.-]+$/.test(value)) {
      problems.push({
        path: `options.${key}`,
        message: `${JSON.stringify(value)} is not a valid ${key} name`,
        fix: "use letters, digits, '-', '_' or '.'",
      });
    }
  }
  for (const [key, value] of [
    ["preview", preview],
    ["printLogs", printLogs],
  ] as const) {
    if (typeof value !== "boolean") problems.push({ path: `options.${key}`, message: `expected true or false, got ${typeof value}` });
  }
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    problems.push({ path: "options.timeoutMs", message: `expected a positive number of milliseconds, got ${String(timeoutMs)}` });
  }
  const mocks = options.mocks ?? {};
  if (typeof mocks !== "object" || mocks === null) {
    problems.push({ path: "options.mocks", message: "expected an object of handlers keyed by type or invoke token" });
  } else {
    for (const [token, handler] of Object.entries(mocks)) {
      if (typeof handler !== "function") {
        problems.push({
          path: `options.mocks["${token}"]`,
          message: `expected a function, got ${handler === null ? "null" : typeof handler}`,
          fix: `write \`"${token}": (args) => ({ ... })\``,
        });
      }
      if (!/^[^:\s]+:[^:\s]*:[^:\s]+$/.test(token)) {
        problems.push({
          path: `options.mocks["${token}"]`,
          message: "is not a type or invoke token",
          fix: 'use the full token, e.g. "aws:ec2/vpc:Vpc" or "aws:index/getRegion:getRegion"',
        });
      }
    }
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const given = options.config ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    problems.push({ path: "options.config", message: "expected an object of namespaced keys, e.g. { \"aws:region\": \"eu-west-1\" }" });
  } else {
    for (const [rawKey, rawValue] of Object.entries(given)) {
      const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
      const secret = isSecretConfig(rawValue);
      const value: unknown = secret ? rawValue.value : rawValue;
      if (value === undefined || value === null || typeof value === "function" || typeof value === "symbol") {
        problems.push({
          path: `options.config["${rawKey}"]`,
          message: `expected a string, number, boolean or object, got ${value === null ? "null" : typeof value}`,
          fix: "leave the key out to leave it unset",
        });
        continue;
      }
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
      if (secret) secretKeys.push(key);
    }
  }
  PolycloudError.throwIfAny(problems, "runProgram: invalid arguments");
  if (provider !== undefined) {
    for (const [key, value] of Object.entries(HINT_CONFIG[provider])) {
      if (!(key in config)) config[key] = value;
    }
  }
  return { provider, project, stack, preview, config, secretKeys, mocks, timeoutMs, printLogs };
}

/** Decides what the mocked engine answers: defaults, then the test's handlers. */
class HarnessMocks implements pulumiTypes.runtime.Mocks {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly recorder: Recorder,
    private readonly log: ConstructionLog,
    private readonly env: DefaultsEnv,
    private readonly fail: (err: unknown) => void,
  ) {}

  /** Answers a registration or read (the recorder calls this instead of `newResource`). */
  readonly respond = (registration: Registration): Answer | Promise<Answer> => {
    if (!registration.custom) return { id: undefined, state: {} };
    const generated = defaultResource({
      type: registration.type,
      name: registration.name,
      urn: registration.urn,
      custom: true,
      inputs: registration.inputs,
      provider: registration.provider,
      id: registration.id,
      properties: this.log.propertiesOf(registration.type),
      env: this.env,
    });
    const handler = this.options.mocks[registration.type];
    if (handler === undefined) return this.compose(registration, generated.id, generated.outputs, generated.knownInPreview ?? []);
    const answer = (override: PropertyBag | undefined): Answer | Promise<Answer> => {
      if (override === undefined) return this.compose(registration, generated.id, generated.outputs, generated.knownInPreview ?? []);
      checkAnswer(registration.type, override);
      const { id, ...outputs } = override;
      // A handler's outputs are what the provider answered, in a preview too.
      const merged = { ...(this.options.preview ? {} : generated.outputs), ...outputs };
      return this.compose(registration, typeof id === "string" ? id : generated.id, merged, Object.keys(merged));
    };
    const result = handler({
      kind: "resource",
      token: registration.type,
      name: registration.name,
      inputs: registration.inputs,
      provider: registration.provider,
      id: registration.id,
      preview: this.options.preview,
      defaults: { ...generated.outputs, ...(generated.id === undefined ? {} : { id: generated.id }) },
    });
    return result instanceof Promise ? result.then(answer) : answer(result);
  };

  /**
   * The mocked state in wire form: the inputs as received (secrets and unknowns intact), the
   * invented outputs over them (in a preview only those a preview knows), secrets for
   * `additionalSecretOutputs`.
   */
  private compose(registration: Registration, id: string | undefined, outputs: PropertyBag, knownInPreview: readonly string[]): Answer | Promise<Answer> {
    const state: Record<string, unknown> = { ...registration.wireInputs };
    const secretInputs = new Set(registration.secretInputs);
    const sdkValues: Record<string, unknown> = {};
    for (const key of this.options.preview ? knownInPreview : Object.keys(outputs)) {
      const value = outputs[key];
      if (value === undefined || secretInputs.has(key)) continue;
      try {
        state[key] = plainToWire(value);
        // An invented value echoes the inputs under it (a Service's `spec`, any `metadata`): the
        // secrets among them stay secret.
        for (const path of registration.secretInputs) if (path.startsWith(`${key}.`) || path.startsWith(`${key}[`)) wrapSecretAt(state, path);
      } catch (err) {
        if (!(err instanceof NotPlain)) throw err;
        sdkValues[key] = value;
      }
    }
    const finish = (): Answer => {
      for (const key of registration.additionalSecretOutputs) if (key in state) state[key] = wireSecret(state[key]);
      const known = !this.options.preview || registration.id !== undefined;
      return { id: known ? (registration.id ?? id ?? `${registration.name}_id`) : undefined, state };
    };
    if (Object.keys(sdkValues).length === 0) return finish();
    // A handler returned Outputs, Promises, assets or resources: let the SDK serialize those.
    return pulumi.runtime.serializeProperties(`mock ${registration.type}`, sdkValues).then((serialized) => {
      Object.assign(state, serialized);
      return finish();
    });
  }

  /** Not used: the recorder answers registrations and reads itself (see `respond`). */
  newResource(args: pulumiTypes.runtime.MockResourceArgs): pulumiTypes.runtime.MockResourceResult {
    return { id: args.custom ? `${args.name}_id` : undefined, state: args.inputs };
  }

  call(args: pulumiTypes.runtime.MockCallArgs): pulumiTypes.runtime.MockCallResult | Promise<pulumiTypes.runtime.MockCallResult> {
    const inputs = decodeProperties(args.inputs as Record<string, unknown>).values;
    const provider = args.provider === undefined || args.provider === "" ? undefined : args.provider.slice(0, args.provider.lastIndexOf("::"));
    this.recorder.recordInvoke(args.token, inputs);
    const builtIn = defaultInvoke(args.token);
    const handler = this.options.mocks[args.token];
    const defaults = builtIn === undefined ? undefined : builtIn(inputs, this.env, provider);
    if (handler === undefined) {
      if (defaults !== undefined) return defaults;
      // Fail the run with the message, and leave the invoke unanswered: a rejected invoke would
      // leave unhandled rejections behind in every Output derived from it.
      this.fail(unmockedInvoke(args.token, inputs, this.options.provider));
      return new Promise<never>(() => undefined);
    }
    const result = callHandler(args.token, handler, {
      kind: "invoke",
      token: args.token,
      name: "",
      inputs,
      provider,
      id: undefined,
      preview: this.options.preview,
      defaults: defaults ?? {},
    });
    const answer = (value: PropertyBag | undefined): PropertyBag => {
      if (value !== undefined) checkAnswer(args.token, value);
      return { ...(defaults ?? {}), ...(value ?? {}) };
    };
    return result instanceof Promise ? result.then(answer) : answer(result);
  }
}

/** Calls an invoke handler; its errors keep their message through the SDK (which reads `details`). */
function callHandler(token: string, handler: MockHandler, args: MockArgs): ReturnType<MockHandler> {
  const withDetails = (err: unknown): never => {
    if (err instanceof Error && (err as Error & { details?: string }).details === undefined) {
      (err as Error & { details?: string }).details = `${token}: ${err.message}`;
    }
    throw err;
  };
  try {
    const result = handler(args);
    return result instanceof Promise ? result.catch(withDetails) : result;
  } catch (err) {
    return withDetails(err);
  }
}

function checkAnswer(token: string, value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PolycloudError(
      [
        {
          path: `options.mocks["${token}"]`,
          message: `returned ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}, expected an object of outputs or undefined`,
          fix: "return e.g. `{ arn: \"arn:aws:...\" }`",
        },
      ],
      "runProgram: a mock handler returned a bad answer",
    );
  }
}

/** The error for an invoke nobody answers: its token and how to answer it. */
function unmockedInvoke(token: string, inputs: PropertyBag, hint: ProviderName | undefined): Error {
  const keys = Object.keys(inputs);
  const known = defaultInvokeTokens().filter((t) => hint === undefined || providerOfToken(t) === hint);
  const err = new Error(
    `runProgram: no mock answers the invoke "${token}"` +
      (keys.length === 0 ? "" : ` (called with ${keys.map((k) => `"${k}"`).join(", ")})`) +
      `.\nAdd a handler: runProgram(program, { mocks: { "${token}": (args) => ({ /* result fields */ }) } }).\n` +
      `Answered out of the box: ${known.join(", ")}.`,
  );
  // The SDK rebuilds invoke errors from `details`; keep the message.
  (err as Error & { details?: string }).details = err.message;
  return err;
}

/**
 * Runs `program` on Pulumi mocks and returns the recorded plan. Each run has its own runtime
 * (config, stack, resources), so runs in one test file do not mix; concurrent calls take turns.
 *
 * @example
 * const plan = await runProgram(() => { new aws.s3.Bucket("logs"); }, { config: { "aws:region": "eu-west-1" } });
 * plan.hasResource("aws:s3/bucket:Bucket", { bucket: Match.stringLikeRegexp("^logs-") });
 */
export async function runProgram(program: Program, options: RunOptions = {}): Promise<Plan> {
  const resolved = resolveOptions(program, options);
  return withFreshRuntime((run) => execute(program, resolved, run));
}

async function execute(program: Program, options: ResolvedOptions, run: RuntimeRun): Promise<Plan> {
  let reject: (err: unknown) => void = () => undefined;
  let firstError: unknown;
  const failed = new Promise<never>((_, r) => {
    reject = r;
  });
  failed.catch(() => undefined);
  const fail = (err: unknown): void => {
    if (firstError === undefined) firstError = err;
    reject(firstError);
  };

  const log = new ConstructionLog();
  let respond: (registration: Registration) => Answer | Promise<Answer> = () => ({ id: undefined, state: {} });
  const recorder = new Recorder(options.project, options.stack, (r) => respond(r), (err) => fail(err), (type, name) => log.release(type, name));
  const env: DefaultsEnv = {
    project: options.project,
    stack: options.stack,
    preview: options.preview,
    hint: options.provider,
    config: (key) => options.config[key],
    providerInputs: (urn) => (urn === undefined ? undefined : recorder.resources.get(urn)?.inputs),
    outputsOf: (type) => [...recorder.resources.values()].filter((r) => r.type === type).map((r) => r.outputs),
  };
  const mocks = new HarnessMocks(options, recorder, log, env, fail);
  respond = mocks.respond;
  recorder.attach(await installMocks(mocks, options.project, options.stack, options.preview));
  pulumi.runtime.setAllConfig(options.config, options.secretKeys);

  const stopListening = listenForRejections(fail);
  const stopRouting = routeApplyErrors(run, fail);
  const stopSkipping = skipEngineOnlyWork(run);
  const logs: { -readonly [K in keyof RecordedLog]: RecordedLog[K] }[] = [];
  const logUrns: Promise<unknown>[] = [];
  const stopLogging = routeLogs(run, ({ severity, message, resource }) => {
    const entry: (typeof logs)[number] = { severity, message };
    logs.push(entry);
    // Kept in call order; the URN is filled in once the resource is registered.
    if (resource !== undefined) logUrns.push(urnOf(resource).then((urn) => (entry.urn = urn), () => undefined));
  }, options.printLogs);

  let stackDone = false;
  const completed = (async () => {
    // The program's own errors are caught here: rethrown inside the stack they would reject the
    // stack's outputs and leave unhandled rejections behind.
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation(log.transformation);
      try {
        return (await program()) as Record<string, unknown> | undefined;
      } catch (err) {
        fail(err);
        return undefined;
      }
    });
    stackDone = true;
    await waitForRegistrations(run);
    // Let callbacks on the last answers (an apply that only logs) run before the run ends.
    await new Promise((r) => timers.setImmediate(r));
    await waitForRegistrations(run);
    await Promise.all(logUrns);
    return outputs;
  })();
  completed.catch(() => undefined);

  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, r) => {
    let seen = recorder.lastActivity;
    let idleTicks = 0;
    timer = timers.setInterval(() => {
      if (recorder.lastActivity !== seen) {
        seen = recorder.lastActivity;
        idleTicks = 0;
        return;
      }
      idleTicks++;
      if (idleTicks * TICK_MS >= options.timeoutMs) {
        timers.clearInterval(timer);
        describePending(run, recorder, log, stackDone).then(
          (pending) => r(new ProgramHangError(options.timeoutMs, pending)),
          (err: unknown) => r(err),
        );
      }
    }, TICK_MS);
  });
  hung.catch(() => undefined);

  try {
    await Promise.race([completed, failed, hung]);
    if (firstError !== undefined) throw firstError;
  } catch (err) {
    settled(err);
    // Let registrations already in flight finish (briefly) before the next run takes the runtime.
    if (!(err instanceof ProgramHangError)) {
      await Promise.race([waitForRegistrations(run), new Promise((r) => timers.setTimeout(r, DRAIN_MS))]);
    }
    throw err;
  } finally {
    timers.clearInterval(timer);
    stopListening();
    stopRouting();
    stopSkipping();
    stopLogging();
  }
  return new Plan(
    {
      list: () => recorder.list((type, name) => log.orderOf(type, name)),
      invokes: recorder.invokes,
      logs,
      stackOutputs: recorder.stackOutputs,
      stackSecretOutputs: recorder.stackSecretOutputs,
      secretConfig: options.secretKeys.map((key) => options.config[key]!),
    },
    { project: options.project, stack: options.stack, preview: options.preview },
  );
}
