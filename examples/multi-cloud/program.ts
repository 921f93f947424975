/**
 * Multi-cloud with the Platform facade: the storefront on AWS and the back office on a Kubernetes
 * cluster, from two specs, in one Pulumi program. Each Platform names its backend explicitly, so
 * detection never has to choose between two clouds that are both meant.
 */
import { join } from "node:path";
import { loadSpec } from "@polycloud/core";
import { Platform } from "@polycloud/platform";

/** Builds both specs and returns the stack outputs, one entry per platform. */
export function multiCloud(): Record<string, unknown> {
  const storefront = new Platform("storefront", loadSpec(join(__dirname, "specs", "storefront.yaml")), { backend: "aws" });
  const backOffice = new Platform("back-office", loadSpec(join(__dirname, "specs", "back-office.yaml")), { backend: "kubernetes" });
  return { storefront: storefront.stackOutputs(), backOffice: backOffice.stackOutputs() };
}
