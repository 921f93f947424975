/**
 * What every child of a component shares (its parent, tags, protection, names) and the account
 * context its policies need. The common args are resolved once, by core's `componentDefaults` through
 * the component's base class, never from the preset table here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { normalizeTags, physicalName, type Environment, type NameKind } from "@polycloud/core";
import { childOptionsOf, type ChildOptions, type PolycloudComponent } from "@polycloud/core/component";
import type { AccountContext } from "./policies";

/** What every child of a component shares: the parent, tags, protection and names. */
export interface Scope {
  readonly parent: PolycloudComponent;
  /** What the component is (`database`, `cache`, ...): keeps physical names of different components with the same logical name apart. */
  readonly kind: string;
  /** The component's logical name; children's logical names start with it. */
  readonly name: string;
  /**
   * The component's name inside physical names: its logical name without a leading `<app>-`, since
   * every physical name already starts with `<app>-<env>-` (`shop-api` in app `shop` is `shop-dev-api`).
   */
  readonly label: string;
  readonly app: string;
  readonly environment: Environment;
  readonly tags: Record<string, string>;
  /** Pulumi `protect` for stateful children. */
  readonly protect: boolean;
  /** Log retention in days: the component's `logRetentionDays`, else its preset's. */
  readonly logRetentionDays: number;
  /** Mixed into globally unique physical names, so two stacks of one app get different bucket names. */
  readonly uniqueSeed: string;
}

/** The scope a component's children share, from the component's resolved defaults. */
export function scopeOf(component: PolycloudComponent, kind: string, name: string): Scope {
  const { app, environment, tags, protect, logRetentionDays } = component.defaults;
  return {
    parent: component,
    kind,
    name,
    label: name.startsWith(`${app}-`) ? name.slice(app.length + 1) : name,
    app,
    environment,
    tags: normalizeTags("aws", tags, { app, environment }),
    protect,
    logRetentionDays,
    uniqueSeed: `${pulumi.getProject()}/${pulumi.getStack()}`,
  };
}

/** Child resource options: parented to the component, protected when stateful, aliased to previous names. */
export function childOptions(scope: Scope, options: ChildOptions = {}): pulumi.CustomResourceOptions {
  return childOptionsOf(scope.parent, scope.protect, options);
}

/**
 * A child's physical name by the kind's naming rule: `<app>-<env>-<label>[-<suffix>]`. `unique` mixes the
 * project and stack into a hash suffix, for names that must be unique across all accounts (S3 buckets).
 */
export function physicalNameOf(scope: Scope, kind: NameKind<"aws">, suffix?: string, options: { unique?: boolean } = {}): string {
  const name = suffix === undefined ? scope.label : `${scope.label}-${suffix}`;
  return physicalName("aws", kind, { app: scope.app, environment: scope.environment, name }, options.unique === true ? { uniqueSeed: scope.uniqueSeed } : {});
}

/** A CloudWatch log group name: `/polycloud/<app>/<environment>/<label>[/<suffix>]`. */
export function logGroupNameOf(scope: Scope, suffix?: string): string {
  return `/polycloud/${scope.app}/${scope.environment}/${scope.label}${suffix === undefined ? "" : `/${suffix}`}`;
}

/** The partition, account and region of the stack, looked up once per component. */
export function accountContext(parent: pulumi.Resource): AccountContext {
  const opts = { parent };
  return {
    partition: aws.getPartitionOutput({}, opts).partition,
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    region: aws.getRegionOutput({}, opts).region,
  };
}
