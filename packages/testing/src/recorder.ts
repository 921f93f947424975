/**
 * Records what the program asks of the engine. Pulumi's `MockMonitor` hands the user's mocks only
 * type, name and inputs; the register requests it receives carry everything else (parent, options,
 * dependencies, provider). The recorder wraps the monitor's methods to keep all of it.
 */
import { PolycloudError } from "@polycloud/core";
import { responses, type MonitorLike } from "./pulumi-internals";
import { decodeProperties } from "./values";
import type { PropertyBag, RecordedAlias, RecordedInvoke, RecordedOptions, RecordedResource } from "./types";

// The slice of the protobuf request classes the recorder reads (see @pulumi/pulumi/proto/*.d.ts).
interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
interface StructClass {
  fromJavaScript(value: Record<string, unknown>): StructLike;
}
interface AliasSpecLike {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  hasParenturn(): boolean;
  getParenturn(): string;
  hasNoparent(): boolean;
  getNoparent(): boolean;
}
interface AliasLike {
  hasUrn(): boolean;
  getUrn(): string;
  getSpec(): AliasSpecLike | undefined;
}
interface TimeoutsLike {
  getCreate(): string;
  getUpdate(): string;
  getDelete(): string;
}
/** @internal */
export interface RegisterRequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): StructLike | undefined;
  hasProtect?(): boolean;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getProvider(): string;
  getDeletebeforereplace?(): boolean;
  getVersion(): string;
  getIgnorechangesList?(): string[];
  getAdditionalsecretoutputsList(): string[];
  getAliasesList?(): AliasLike[];
  getAliasurnsList?(): string[];
  getImportid?(): string;
  getCustomtimeouts?(): TimeoutsLike | undefined;
  getReplaceonchangesList?(): string[];
  getRetainondelete?(): boolean | undefined;
  getDeletedwith?(): string;
}
/** @internal */
export interface ReadRequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
  getId(): string;
  getProperties(): StructLike | undefined;
  getProvider(): string;
  getDependenciesList(): string[];
  getVersion(): string;
  getAdditionalsecretoutputsList(): string[];
}
interface OutputsRequestLike {
  getUrn(): string;
  getOutputs(): StructLike | undefined;
}
type Callback = (err: unknown, response: unknown) => void;

/** The mocked provider's answer, in wire form (what `serializeProperties` produces). @internal */
export interface Answer {
  readonly id: string | undefined;
  readonly state: Record<string, unknown>;
}

/** Decides the answer to a registration (defaults, handlers). @internal */
export type Responder = (registration: Registration) => Answer | Promise<Answer>;

/** A registration between the request reaching the monitor and the mock's answer. @internal */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: PropertyBag;
  /** The inputs as the engine received them (wire form: secrets and unknowns encoded). */
  readonly wireInputs: Record<string, unknown>;
  readonly secretInputs: readonly string[];
  /** True for a `Resource.get` read. */
  readonly read: boolean;
  /** URN of the explicit provider, if any. */
  readonly provider?: string;
  /** Id being read or imported. */
  readonly id?: string;
  /** Outputs the engine must treat as secret (`additionalSecretOutputs`). */
  readonly additionalSecretOutputs: readonly string[];
}

const STACK_TYPE = "pulumi:pulumi:Stack";

interface MutableResource {
  urn: string;
  type: string;
  name: string;
  id?: string;
  parent?: string;
  custom: boolean;
  read: boolean;
  inputs: PropertyBag;
  outputs: PropertyBag;
  dependencies: string[];
  provider?: string;
  options: RecordedOptions;
  secretInputs: readonly string[];
  secretOutputs: readonly string[];
}

/**
 * The URN the real engine would give: the parent's qualified type chain, `$`, the type; the root
 * stack's type is left out. (Pulumi's MockMonitor keeps the stack type in every URN; real URNs do not.)
 * @internal
 */
export function urnOf(project: string, stack: string, parent: string, type: string, name: string): string {
  let qualified = type;
  if (parent !== "") {
    const parentQualified = parent.split("::")[2] ?? "";
    if (parentQualified !== STACK_TYPE) qualified = `${parentQualified}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** `urn::id` provider reference to the provider's URN. */
function providerUrn(ref: string): string | undefined {
  if (ref === "") return undefined;
  const cut = ref.lastIndexOf("::");
  return cut > 0 ? ref.slice(0, cut) : ref;
}

const NO_OPTIONS: RecordedOptions = Object.freeze({
  protect: false,
  retainOnDelete: false,
  ignoreChanges: Object.freeze([]) as readonly string[],
  aliases: Object.freeze([]) as readonly RecordedAlias[],
  deleteBeforeReplace: false,
  additionalSecretOutputs: Object.freeze([]) as readonly string[],
  replaceOnChanges: Object.freeze([]) as readonly string[],
});

function aliasOf(alias: AliasLike, stackUrn: string | undefined): RecordedAlias {
  if (alias.hasUrn()) return alias.getUrn();
  const spec = alias.getSpec();
  if (spec === undefined) return {};
  const out: { -readonly [K in keyof Exclude<RecordedAlias, string>]: Exclude<RecordedAlias, string>[K] } = {};
  if (spec.getName() !== "") out.name = spec.getName();
  if (spec.getType() !== "") out.type = spec.getType();
  if (spec.getStack() !== "") out.stack = spec.getStack();
  if (spec.getProject() !== "") out.project = spec.getProject();
  // A parent equal to the root stack is the default; leave it out.
  if (spec.hasParenturn() && spec.getParenturn() !== stackUrn) out.parent = spec.getParenturn();
  if (spec.hasNoparent() && spec.getNoparent()) out.noParent = true;
  return out;
}

function optionsOf(req: RegisterRequestLike, stackUrn: string | undefined): RecordedOptions {
  const aliases: RecordedAlias[] = (req.getAliasesList?.() ?? []).map((a) => aliasOf(a, stackUrn));
  for (const urn of req.getAliasurnsList?.() ?? []) aliases.push(urn);
  const options: { -readonly [K in keyof RecordedOptions]: RecordedOptions[K] } = {
    protect: req.getProtect() === true,
    retainOnDelete: req.getRetainondelete?.() === true,
    ignoreChanges: req.getIgnorechangesList?.() ?? [],
    aliases,
    deleteBeforeReplace: req.getDeletebeforereplace?.() === true,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
  };
  const importId = req.getImportid?.() ?? "";
  if (importId !== "") options.import = importId;
  const deletedWith = req.getDeletedwith?.() ?? "";
  if (deletedWith !== "") options.deletedWith = deletedWith;
  const timeouts = req.getCustomtimeouts?.();
  if (timeouts !== undefined) {
    const t: { create?: string; update?: string; delete?: string } = {};
    if (timeouts.getCreate() !== "") t.create = timeouts.getCreate();
    if (timeouts.getUpdate() !== "") t.update = timeouts.getUpdate();
    if (timeouts.getDelete() !== "") t.delete = timeouts.getDelete();
    if (Object.keys(t).length > 0) options.customTimeouts = t;
  }
  return options;
}

/** A mock's error, prefixed with the resource it failed for (the original stays as `cause`). */
function withContext(err: unknown, registration: Registration): unknown {
  if (!(err instanceof Error) || err instanceof PolycloudError) return err;
  const wrapped = new Error(`${registration.type} "${registration.name}": ${err.message}`, { cause: err });
  wrapped.name = err.name;
  return wrapped;
}

/** Everything one run recorded. @internal */
export class Recorder {
  /** By URN, in registration order. */
  readonly resources = new Map<string, MutableResource>();
  readonly invokes: RecordedInvoke[] = [];
  stackUrn: string | undefined;
  stackOutputs: PropertyBag = {};
  stackSecretOutputs: readonly string[] = [];
  /** Time of the last registration or answer, for the hang detector. */
  lastActivity = Date.now();
  /** Registrations sent to the monitor and not answered yet, by URN. */
  readonly inFlight = new Map<string, string>();
  private monitorResources: Map<string, unknown> | undefined;
  /** URNs of the components that have registered their outputs. */
  readonly outputsRegistered = new Set<string>();

  constructor(
    private readonly project: string,
    private readonly stack: string,
    private readonly respond: Responder,
    private readonly onError: (err: unknown) => void,
    private readonly onRegistered: (type: string, name: string) => void = () => undefined,
  ) {}

  /**
   * Takes over the monitor's register, read and outputs methods. Registrations are answered here,
   * straight from the request's wire form: MockMonitor would deserialize the inputs and serialize
   * the state again, property by property, only to hand the user's mocks type, name and inputs.
   */
  attach(monitor: MonitorLike): void {
    this.monitorResources = monitor.resources;
    monitor.registerResource = (req, callback) => this.onRegister(req as RegisterRequestLike, callback);
    monitor.readResource = (req, callback) => this.onRead(req as ReadRequestLike, callback);
    monitor.registerResourceOutputs = (req, callback) => {
      this.onOutputs(req as OutputsRequestLike);
      callback(null, {});
    };
  }

  /** Records an invoke. */
  recordInvoke(token: string, inputs: PropertyBag): void {
    this.lastActivity = Date.now();
    this.invokes.push({ token, inputs });
  }

  /**
   * The recorded resources without the stack, in the order the program constructed them when
   * `orderOf` knows it (registration order otherwise: a resource waiting for inputs registers late).
   */
  list(orderOf?: (type: string, name: string) => number | undefined): RecordedResource[] {
    const all = [...this.resources.values()];
    if (orderOf === undefined) return all;
    const rank = new Map(all.map((r, i) => [r, orderOf(r.type, r.name) ?? Number.MAX_SAFE_INTEGER - all.length + i]));
    return all.sort((a, b) => rank.get(a)! - rank.get(b)!);
  }

  private onRegister(req: RegisterRequestLike, callback: Callback): void {
    const type = req.getType();
    const name = req.getName();
    const parent = req.getParent();
    const urn = urnOf(this.project, this.stack, parent, type, name);
    const struct = req.getObject();
    const wireInputs = struct?.toJavaScript() ?? {};
    const { values, secretPaths } = decodeProperties(wireInputs);
    const provider = providerUrn(req.getProvider());
    const importId = req.getImportid?.() ?? "";
    const registration: Registration = {
      urn,
      type,
      name,
      custom: req.getCustom(),
      inputs: values,
      wireInputs,
      secretInputs: secretPaths,
      read: false,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      ...(provider === undefined ? {} : { provider }),
      ...(importId === "" ? {} : { id: importId }),
    };
    if (type === STACK_TYPE && parent === "") {
      this.stackUrn = urn;
    } else {
      if (this.resources.has(urn)) {
        this.onError(
          new Error(
            `Duplicate resource URN ${urn}: two resources of type ${type} are named "${name}" under the same parent ` +
              `type. Give one of them another name.`,
          ),
        );
        return;
      }
      this.resources.set(urn, {
        urn,
        type,
        name,
        ...(parent === "" || parent === this.stackUrn ? {} : { parent }),
        custom: req.getCustom(),
        read: false,
        inputs: values,
        outputs: {},
        dependencies: req.getDependenciesList(),
        ...(provider === undefined ? {} : { provider }),
        options: optionsOf(req, this.stackUrn),
        secretInputs: secretPaths,
        secretOutputs: [],
      });
    }
    this.answer(registration, struct, callback, (answer, toStruct) => {
      const response = new responses.RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(answer.id ?? "");
      response.setObject(toStruct(answer.state) as never);
      return response;
    });
  }

  private onRead(req: ReadRequestLike, callback: Callback): void {
    const type = req.getType();
    const name = req.getName();
    const parent = req.getParent();
    const urn = urnOf(this.project, this.stack, parent, type, name);
    const struct = req.getProperties();
    const wireInputs = struct?.toJavaScript() ?? {};
    const { values, secretPaths } = decodeProperties(wireInputs);
    const provider = providerUrn(req.getProvider());
    this.resources.set(urn, {
      urn,
      type,
      name,
      id: req.getId(),
      ...(parent === "" || parent === this.stackUrn ? {} : { parent }),
      custom: true,
      read: true,
      inputs: values,
      outputs: {},
      dependencies: req.getDependenciesList(),
      ...(provider === undefined ? {} : { provider }),
      options: { ...NO_OPTIONS, additionalSecretOutputs: req.getAdditionalsecretoutputsList() },
      secretInputs: secretPaths,
      secretOutputs: [],
    });
    const registration: Registration = {
      urn,
      type,
      name,
      custom: true,
      inputs: values,
      wireInputs,
      secretInputs: secretPaths,
      read: true,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      id: req.getId(),
      ...(provider === undefined ? {} : { provider }),
    };
    this.answer(registration, struct, callback, (answer, toStruct) => {
      const response = new responses.ReadResourceResponse();
      response.setUrn(urn);
      response.setProperties(toStruct(answer.state) as never);
      return response;
    });
  }

  /** Asks the responder, records the answer and sends the response; a failure fails the run. */
  private answer(
    registration: Registration,
    struct: StructLike | undefined,
    callback: Callback,
    build: (answer: Answer, toStruct: (state: Record<string, unknown>) => StructLike) => unknown,
  ): void {
    this.lastActivity = Date.now();
    this.inFlight.set(registration.urn, `${registration.type} "${registration.name}"`);
    // The Struct class of the request (google-protobuf is @pulumi/pulumi's dependency, not ours).
    const Struct = struct?.constructor as unknown as StructClass | undefined;
    // Fail the run and leave the registration unanswered: a rejected registration would leave
    // unhandled rejections behind in every output of the resource.
    const failed = (err: unknown): void => {
      this.lastActivity = Date.now();
      this.inFlight.delete(registration.urn);
      this.onError(withContext(err, registration));
    };
    const done = (answer: Answer): void => {
      this.lastActivity = Date.now();
      this.inFlight.delete(registration.urn);
      if (Struct === undefined) throw new Error("the request carried no property struct");
      const response = build(answer, (state) => Struct.fromJavaScript(state));
      const record = this.resources.get(registration.urn);
      if (record !== undefined) {
        const { values, secretPaths } = decodeProperties(answer.state, {
          wire: registration.wireInputs,
          decoded: { values: registration.inputs, secretPaths: registration.secretInputs },
        });
        record.outputs = values;
        record.secretOutputs = secretPaths;
        if (record.custom && !record.read && answer.id !== undefined && answer.id !== "") record.id = answer.id;
      }
      this.monitorResources?.set(registration.urn, { urn: registration.urn, id: answer.id ?? null, state: answer.state });
      this.onRegistered(registration.type, registration.name);
      callback(null, response);
    };
    try {
      const answer = this.respond(registration);
      if (answer instanceof Promise) answer.then(done).catch(failed);
      else done(answer);
    } catch (err) {
      failed(err);
    }
  }

  private onOutputs(req: OutputsRequestLike): void {
    this.lastActivity = Date.now();
    const urn = req.getUrn();
    this.outputsRegistered.add(urn);
    const { values, secretPaths } = decodeProperties(req.getOutputs()?.toJavaScript());
    if (urn === this.stackUrn) {
      this.stackOutputs = values;
      this.stackSecretOutputs = secretPaths;
      return;
    }
    const record = this.resources.get(urn);
    if (record !== undefined) {
      record.outputs = values;
      record.secretOutputs = secretPaths;
    }
  }
}

