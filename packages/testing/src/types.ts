/** The public shapes of a recorded run. */

/** The clouds the harness knows. Same union as `ProviderName` in `@polycloud/core`. */
export type ProviderName = "aws" | "azure" | "gcp" | "kubernetes";

/**
 * A property bag as recorded: plain JavaScript values (secrets unwrapped, unknowns as `UNKNOWN`,
 * resource references as their URN). `any` so that tests can walk nested values without casts;
 * pass a resource class instead of a type token to `plan.find` for typed inputs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PropertyBag = Record<string, any>;

/** An alias as the engine receives it: a URN, or a spec whose blank fields mean "same as now". */
export type RecordedAlias =
  | string
  | {
      readonly name?: string;
      readonly type?: string;
      readonly stack?: string;
      readonly project?: string;
      /** The alias's parent URN, when it names one. */
      readonly parent?: string;
      /** True when the alias says the resource used to have no parent. */
      readonly noParent?: boolean;
    };

/** The resource options the engine receives, recorded from the register request. */
export interface RecordedOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly ignoreChanges: readonly string[];
  readonly aliases: readonly RecordedAlias[];
  readonly deleteBeforeReplace: boolean;
  readonly additionalSecretOutputs: readonly string[];
  readonly replaceOnChanges: readonly string[];
  /** `import` id, when the resource adopts an existing one. */
  readonly import?: string;
  /** URN of the resource this one is deleted with. */
  readonly deletedWith?: string;
  readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
  /** Provider plugin version pinned with `version`. */
  readonly version?: string;
}

/** One resource the program registered (or read with `.get`). */
export interface RecordedResource<I extends object = PropertyBag, O extends object = PropertyBag> {
  readonly urn: string;
  /** Type token, e.g. `aws:ec2/vpc:Vpc` or `polycloud:aws:Network`. */
  readonly type: string;
  /** Logical name, the last part of the URN. */
  readonly name: string;
  /** Provider-assigned id (custom resources); `UNKNOWN` is not used here: in a preview it is absent. */
  readonly id?: string;
  /** Parent URN; absent for resources parented to the stack. */
  readonly parent?: string;
  /** True for custom (provider) resources, false for components. */
  readonly custom: boolean;
  /** True when the resource was read with `Resource.get(name, id)` rather than created. */
  readonly read: boolean;
  readonly inputs: I;
  /** State after the (mocked) provider answered; for components, what `registerOutputs` gave. */
  readonly outputs: O;
  /** URNs of the resources this one depends on (`dependsOn` and input dependencies). */
  readonly dependencies: readonly string[];
  /** URN of the explicit provider resource, when the resource has one. */
  readonly provider?: string;
  readonly options: RecordedOptions;
  /** Paths (`password`, `spec.template.env[0].value`) of inputs that were secret. */
  readonly secretInputs: readonly string[];
  /** Paths of outputs that were secret. */
  readonly secretOutputs: readonly string[];
}

/** One invoke (data source call) the program made. */
export interface RecordedInvoke {
  readonly token: string;
  readonly inputs: PropertyBag;
}

/** A message the program logged with `pulumi.log.info`, `warn` or `error`, in the order logged. */
export interface RecordedLog {
  readonly severity: "info" | "warning" | "error";
  readonly message: string;
  /** URN of the resource the message is about (`pulumi.log.warn(message, resource)`). */
  readonly urn?: string;
}
