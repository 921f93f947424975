/**
 * The stacks program: the stack named <s> builds the spec `<s>.yaml` beside this file (or the file
 * named by `polycloud:spec`) with the Platform facade, and exports its outputs.
 *
 * Config (`Pulumi.<stack>.yaml`, `pulumi config set`, or the CLI's `-c`):
 * - `polycloud:spec` (spec file), `polycloud:provider` (explicit backend), `polycloud:strict` ("true":
 *   only explicit choices and stack config pick the backend);
 * - `polycloud:<provider>.<option>`: the backend's options, over the spec's `providers.<provider>`
 *   section, e.g. `polycloud:aws.hostedZoneId` (certificate validation and alias records in Route 53),
 *   `polycloud:aws.backupRegion`, `polycloud:kubernetes.ingressClassName`,
 *   `polycloud:kubernetes.selectorLabels.release` (nested options by dotted path, objects as JSON);
 * - `polycloud:secrets.<name>`: the value of the spec's secret `<name>`, set with
 *   `pulumi config set --secret polycloud:secrets.stripe-key ...` (never in plain text);
 * - the providers' own config (`aws:region`, `kubernetes:context`, ...), which detection reads too.
 * Any other `polycloud:` key is an error naming the closest known key, before anything is created.
 */
import { homedir } from "node:os";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadSpec } from "@polycloud/core";
import { directoryProbe, Platform, strictSetting } from "@polycloud/platform";

export interface StackProgramOptions {
  /** Environment variables detection reads. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Home directory detection looks in (for the explanation only). @default the user's; undefined skips it */
  readonly homeDir?: string | undefined;
}

/** Builds the current stack's spec and returns the stack outputs. */
export function stackProgram(options: StackProgramOptions = { env: process.env, homeDir: homedir() }): Record<string, unknown> {
  const config = new pulumi.Config("polycloud");
  const specFile = resolve(__dirname, config.get("spec") ?? `${pulumi.getStack()}.yaml`);
  const spec = loadSpec(specFile);
  const platform = new Platform(spec.name, spec, {
    detection: {
      config: pulumi.runtime.allConfig(),
      env: options.env ?? {},
      files: directoryProbe(__dirname),
      ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
      // The same reading as the CLI's: anything but true or false is an error, never silently off.
      strict: strictSetting(config.get("strict")),
    },
  });
  return platform.stackOutputs();
}
