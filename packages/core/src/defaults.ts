/**
 * What every component derives from its common args, so that no component (and no backend) reads the
 * preset table itself: the environment, protection of stateful children and log retention.
 */
import type { CommonArgs } from "./contracts";
import type { Environment } from "./naming";
import { PRESETS, type Preset } from "./presets";

/** A component's common args with their defaults resolved. */
export interface ComponentDefaults {
  readonly app: string;
  readonly environment: Environment;
  /** User tags, before the provider's normalisation. */
  readonly tags: Readonly<Record<string, string>>;
  /** Pulumi `protect` on stateful children. */
  readonly protect: boolean;
  /** Log retention in days: the args' own, else the preset's. */
  readonly logRetentionDays: number;
  /** The environment's preset, for defaults particular to one component (replicas, multi-AZ). */
  readonly preset: Preset;
}

/** Resolves common args: `environment` defaults to development, the rest to its preset. */
export function componentDefaults(args: CommonArgs & { readonly logRetentionDays?: number | undefined }): ComponentDefaults {
  const environment = args.environment ?? "development";
  const preset = PRESETS[environment];
  return {
    app: args.app,
    environment,
    tags: args.tags ?? {},
    protect: args.protect ?? preset.protectStateful,
    logRetentionDays: args.logRetentionDays ?? preset.logRetentionDays,
    preset,
  };
}
