/**
 * `PolycloudComponent`: the base of every polycloud component, on every backend. It owns the type
 * token (`polycloud:<provider>:<Kind>`), the common args resolved once ({@link componentDefaults}),
 * and the options of its children: parented to it, protected when stateful, with aliases so that a
 * renamed stateful child is moved, not replaced (a replaced database is lost data). Children are
 * created with `transformed(...)` so each can be adjusted through `args.transform`.
 *
 * Its own entry point (`@polycloud/core/component`) keeps `@polycloud/core` free of the Pulumi
 * runtime, so commands that only read specs never load it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BuildOptions, CommonArgs, DnsRecord } from "./contracts";
import { componentDefaults, type ComponentDefaults } from "./defaults";
import type { AppModel } from "./model";
import type { Environment, Provider } from "./naming";

/** How a child is created: stateful children are protected when the component protects; `previousNames` keep renamed ones. */
export interface ChildOptions extends pulumi.CustomResourceOptions {
  /** Holds data (database, bucket, key, vault, volume): protected when the component is. @default false */
  readonly stateful?: boolean;
  /** Logical names the child had in earlier versions: aliases, so the rename moves it instead of replacing it. @default [] */
  readonly previousNames?: readonly string[];
}

export abstract class PolycloudComponent extends pulumi.ComponentResource {
  /** The common args with their defaults resolved. */
  readonly defaults: ComponentDefaults;

  protected constructor(
    provider: Provider,
    kind: string,
    name: string,
    args: CommonArgs & { readonly logRetentionDays?: number | undefined },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(`polycloud:${provider}:${kind}`, name, {}, opts);
    this.defaults = componentDefaults(args);
  }

  /** Resource options of a child: parented here, protected when stateful, aliased to its previous names. */
  childOptions(options: ChildOptions = {}): pulumi.CustomResourceOptions {
    return childOptionsOf(this, this.defaults.protect, options);
  }
}

/** Resource options of a child of `parent` (for helpers that create children on a component's behalf). */
export function childOptionsOf(parent: pulumi.Resource, protect: boolean, options: ChildOptions = {}): pulumi.CustomResourceOptions {
  const { stateful, previousNames, ...rest } = options;
  const aliases = [...(rest.aliases ?? []), ...(previousNames ?? []).map((name) => ({ name }))];
  return {
    parent,
    ...(stateful === true && protect ? { protect: true } : {}),
    ...rest,
    ...(aliases.length === 0 ? {} : { aliases }),
  };
}

/** What every backend's build starts from: its components' options, their common args and their logical names. */
export interface RenderContext {
  /** Options of each top-level component: a child of the platform, on the given provider. */
  readonly opts: pulumi.ComponentResourceOptions;
  /** The args every component takes, from the model. */
  readonly common: { readonly app: string; readonly environment: Environment; readonly tags: Readonly<Record<string, string>>; readonly protect: boolean };
  /** A component's logical name, prefixed with the application's so several applications share a stack: `shop-network`. */
  readonly named: (component: string) => string;
}

/** The {@link RenderContext} of a model built under `parent`. */
export function renderContext(model: AppModel, parent: pulumi.ComponentResource, options: BuildOptions = {}): RenderContext {
  return {
    opts: { parent, ...(options.provider === undefined ? {} : { provider: options.provider }) },
    common: { app: model.app, environment: model.environment, tags: model.tags, protect: model.protect },
    named: (component) => `${model.app}-${component}`,
  };
}

/** A part of the model a build needs, which the model promised: its absence is a bug, said plainly. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The application model refers to ${what}, which it does not have`);
  return value;
}

/** The DNS records of several services (or components) as one list, for a backend's `dnsRecords`. */
export function allDnsRecords(lists: readonly pulumi.Input<readonly DnsRecord[]>[]): pulumi.Output<readonly DnsRecord[]> {
  return pulumi.all([...lists]).apply((each: (readonly DnsRecord[])[]) => each.flat());
}
