/**
 * Multi-cloud with the Platform facade: the storefront on AWS and the back office on a Kubernetes
 * cluster, from two specs, in one Pulumi program. Each Platform names its backend explicitly, so
 * detection never has to choose between two clouds that are both meant.
 *
 * One stack config serves both: `polycloud:aws.<option>` reaches the storefront and
 * `polycloud:kubernetes.<option>` the back office; `polycloud:secrets.<name>` holds the secret values
 * of both specs, and each Platform is shown only its own spec's (another spec's secret would be an
 * unknown key to it).
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadSpec, secretValueKey, SECRET_VALUE_PREFIX, CONFIG_NAMESPACE, type ResolvedSpec } from "@polycloud/core";
import { Platform } from "@polycloud/platform";

/** Builds both specs and returns the stack outputs, one entry per platform. */
export function multiCloud(): Record<string, unknown> {
  const storefrontSpec = loadSpec(join(__dirname, "specs", "storefront.yaml"));
  const backOfficeSpec = loadSpec(join(__dirname, "specs", "back-office.yaml"));
  const storefront = new Platform("storefront", storefrontSpec, { backend: "aws", detection: { config: configFor(storefrontSpec) } });
  const backOffice = new Platform("back-office", backOfficeSpec, { backend: "kubernetes", detection: { config: configFor(backOfficeSpec) } });
  return { storefront: storefront.stackOutputs(), backOffice: backOffice.stackOutputs() };
}

/** The stack config one Platform reads: everything but the secret values of the other spec. */
function configFor(spec: ResolvedSpec): Record<string, string> {
  const secretPrefix = `${CONFIG_NAMESPACE}:${SECRET_VALUE_PREFIX}`;
  const own = new Set(spec.secrets.map((s) => secretValueKey(s.name)));
  return Object.fromEntries(Object.entries(pulumi.runtime.allConfig()).filter(([key]) => !key.startsWith(secretPrefix) || own.has(key)));
}
