/**
 * The repository's own specs as conformance cases: every stack of `stacks/` and every spec of the
 * examples, planned as written (with the stack config a real run would pass). Production specs are
 * also planned as a preview: the generated variants preview the rest of what these specs use (the
 * rich spec, the strategies), and a preview doubles a case's cost.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "@polycloud/core";
import type { ConformanceCase } from "./run";

/** Spec files of a repository checkout: the YAML files of `stacks` and of each example's `specs` folder. */
export function repositorySpecs(root: string, config: Readonly<Record<string, string>> = {}): ConformanceCase[] {
  const yamlIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".yaml") && !f.startsWith("Pulumi.")).sort() : []);
  const stacks = yamlIn(join(root, "stacks")).map((file) => join("stacks", file));
  const examples = existsSync(join(root, "examples"))
    ? readdirSync(join(root, "examples"))
        .sort()
        .flatMap((example) => yamlIn(join(root, "examples", example, "specs")).map((file) => join("examples", example, "specs", file)))
    : [];
  return [...stacks, ...examples].map((file) => {
    const spec = loadSpec(join(root, file));
    return { name: file, spec, config, preview: spec.environment === "production" };
  });
}
