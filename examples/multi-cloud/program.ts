/**
 * Multi-cloud with the Platform facade: the storefront on AWS, finance reporting on Azure, event
 * ingestion on Google Cloud and the back office on a Kubernetes cluster, from four specs, in one
 * Pulumi program. Each Platform names its backend explicitly, so detection never has to choose
 * between clouds that are all meant.
 *
 * One stack config serves all four: `polycloud:<provider>.<option>` reaches the platform on that
 * provider; `polycloud:secrets.<name>` holds the secret values of every spec, and each Platform is
 * shown only its own spec's (another spec's secret would be an unknown key to it).
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadSpec, secretValueKey, SECRET_VALUE_PREFIX, CONFIG_NAMESPACE, type ResolvedSpec } from "@polycloud/core";
import { Platform } from "@polycloud/platform";

/** Each spec of `specs/`, the backend it is built on and the name of its stack output. */
const PARTS = [
  { file: "storefront.yaml", backend: "aws", output: "storefront" },
  { file: "reports.yaml", backend: "azure", output: "reports" },
  { file: "analytics.yaml", backend: "gcp", output: "analytics" },
  { file: "back-office.yaml", backend: "kubernetes", output: "backOffice" },
] as const;

/** Builds every spec and returns the stack outputs, one entry per platform. */
export function multiCloud(): Record<string, unknown> {
  return Object.fromEntries(
    PARTS.map(({ file, backend, output }) => {
      const spec = loadSpec(join(__dirname, "specs", file));
      return [output, new Platform(spec.name, spec, { backend, detection: { config: configFor(spec) } }).stackOutputs()];
    }),
  );
}

/** The stack config one Platform reads: everything but the secret values of the other spec. */
function configFor(spec: ResolvedSpec): Record<string, string> {
  const secretPrefix = `${CONFIG_NAMESPACE}:${SECRET_VALUE_PREFIX}`;
  const own = new Set(spec.secrets.map((s) => secretValueKey(s.name)));
  return Object.fromEntries(Object.entries(pulumi.runtime.allConfig()).filter(([key]) => !key.startsWith(secretPrefix) || own.has(key)));
}
