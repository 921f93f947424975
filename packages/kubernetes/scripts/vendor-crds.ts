// Vendors the schemas of the operator CRDs the components emit, for `validateKubernetesObjects`:
// reads the CRD manifests of one operator release and writes src/crds/<operator>.json with the
// openAPIV3Schema of each served version of the kinds below, descriptions stripped.
//
//   npx tsx packages/kubernetes/scripts/vendor-crds.ts <operator> <release> <source> <crd.yaml>...
//
// <source> records where the manifests came from, e.g.
// "github.com/prometheus-operator/prometheus-operator@v0.93.0:example/prometheus-operator-crd".
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

interface Crd {
  readonly kind?: string;
  readonly spec: { readonly group: string; readonly names: { readonly kind: string }; readonly versions: readonly { readonly name: string; readonly served: boolean; readonly schema: { readonly openAPIV3Schema: unknown } }[] };
}

// The yaml parser that @polycloud/core depends on: no dependency of this package for a maintenance script.
const yaml = createRequire(join(realpathSync(join(__dirname, "..", "node_modules", "@polycloud", "core")), "package.json"))("yaml") as {
  parseAllDocuments(text: string): { toJS(): unknown }[];
};

/** The kinds the components emit, by API group. */
const KINDS: Readonly<Record<string, readonly string[]>> = {
  "monitoring.coreos.com": ["PrometheusRule", "ServiceMonitor", "PodMonitor", "AlertmanagerConfig"],
  "argoproj.io": ["Rollout", "AnalysisTemplate"],
  "postgresql.cnpg.io": ["Cluster", "ScheduledBackup"],
  "external-secrets.io": ["ExternalSecret"],
};

const strip = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(strip)
    : node !== null && typeof node === "object"
      ? Object.fromEntries(Object.entries(node).filter(([key]) => key !== "description").map(([key, value]) => [key, strip(value)]))
      : node;

const [operator, release, source, ...files] = process.argv.slice(2);
if (operator === undefined || release === undefined || source === undefined || files.length === 0) {
  console.error("usage: vendor-crds.ts <operator> <release> <source> <crd.yaml>...");
  process.exit(2);
}
const schemas: Record<string, unknown> = {};
for (const file of files) {
  for (const document of yaml.parseAllDocuments(readFileSync(file, "utf8"))) {
    const crd = document.toJS() as Crd | null;
    if (crd?.kind !== "CustomResourceDefinition" || !(KINDS[crd.spec.group] ?? []).includes(crd.spec.names.kind)) continue;
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      schemas[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = strip(version.schema.openAPIV3Schema);
    }
  }
}
const out = join(__dirname, "..", "src", "crds", `${operator}.json`);
writeFileSync(out, `${JSON.stringify({ operator, release, source, schemas })}\n`);
console.log(`${out}: ${Object.keys(schemas).join(", ")}`);
