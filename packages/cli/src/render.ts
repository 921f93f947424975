/**
 * Turning a recorded plan into what people read: the resource tree (laid out like `pulumi preview`),
 * counts per concern, and a Mermaid diagram of the resource graph.
 */

/** The part of a planned resource the renderers need. */
export interface GraphResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly custom: boolean;
  readonly dependencies: readonly string[];
  readonly protect: boolean;
}

/** The five concerns of the architecture, plus what belongs to none. */
export const Concern = {
  networking: "networking",
  compute: "compute",
  storage: "storage",
  secrets: "secrets",
  monitoring: "monitoring",
  other: "other",
} as const;
export type Concern = (typeof Concern)[keyof typeof Concern];

// Matched against a component's class name (the last part of `polycloud:<provider>:<Name>`), first match wins.
// An audit trail records who did what: it is read like logs and alarms, so it counts as monitoring.
const CONCERN_PATTERNS: readonly (readonly [RegExp, Concern])[] = [
  [/network|vpc|vnet/i, "networking"],
  [/monitor|alert|dashboard|observ|audit|trail/i, "monitoring"],
  [/secret|vault|kms/i, "secrets"],
  [/database|cache|bucket|storage|volume|backup|postgres|redis/i, "storage"],
  [/service|compute|cluster|app|function|job/i, "compute"],
];

const PLATFORM_TYPE = "polycloud:platform:Platform";

/**
 * The concern of each custom resource: that of the backend component it sits in (the outermost
 * `polycloud:*` component below the Platform), else of its own type.
 */
export function concernCounts(resources: readonly GraphResource[]): Record<Concern, number> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const counts = Object.fromEntries(Object.values(Concern).map((c) => [c, 0])) as Record<Concern, number>;
  for (const resource of resources) {
    if (!resource.custom) continue;
    counts[concernOf(resource, byUrn)]++;
  }
  return counts;
}

function concernOf(resource: GraphResource, byUrn: ReadonlyMap<string, GraphResource>): Concern {
  let outermost: GraphResource | undefined;
  for (let r = byUrn.get(resource.parent ?? ""); r !== undefined && r.type !== PLATFORM_TYPE; r = byUrn.get(r.parent ?? "")) {
    if (r.type.startsWith("polycloud:")) outermost = r;
  }
  const name = (outermost ?? resource).type.split(":").pop() ?? "";
  return CONCERN_PATTERNS.find(([pattern]) => pattern.test(name))?.[1] ?? Concern.other;
}

/** Resource count per type token, sorted by token. */
export function countByType(resources: readonly GraphResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of [...resources].sort((a, b) => a.type.localeCompare(b.type))) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** The resource tree as `pulumi preview` lays it out: one line per resource, children indented under parents. */
export function resourceTree(resources: readonly GraphResource[]): string[] {
  const children = new Map<string, GraphResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  const roots: GraphResource[] = [];
  for (const r of resources) {
    if (r.parent !== undefined && urns.has(r.parent)) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    else roots.push(r);
  }
  const rows: [string, string][] = [];
  const visit = (r: GraphResource, prefix: string, branch: string) => {
    rows.push([`${prefix}${branch}${r.type}`, `${r.name}${r.protect ? " (protected)" : ""}`]);
    const kids = children.get(r.urn) ?? [];
    const childPrefix = branch === "" ? prefix : `${prefix}${branch === "└─ " ? "   " : "│  "}`;
    kids.forEach((kid, i) => visit(kid, childPrefix, i === kids.length - 1 ? "└─ " : "├─ "));
  };
  roots.forEach((r) => visit(r, "", ""));
  const width = Math.max("Type".length, ...rows.map(([type]) => type.length)) + 2;
  return [`     ${"Type".padEnd(width)}Name`, ...rows.map(([type, name]) => ` +   ${type.padEnd(width)}${name}`)];
}

/**
 * The resource graph as a Mermaid flowchart: solid arrows from parent to child, dotted arrows from
 * a resource to what it depends on; components drawn rounded, provider resources square.
 */
export function mermaid(resources: readonly GraphResource[]): string {
  const ids = new Map(resources.map((r, i) => [r.urn, `r${i}`]));
  const label = (r: GraphResource) => `${r.type}<br/>${r.name}`.replace(/"/g, "#quot;");
  const lines = ["flowchart TD"];
  for (const r of resources) lines.push(r.custom ? `  ${ids.get(r.urn)}["${label(r)}"]` : `  ${ids.get(r.urn)}("${label(r)}")`);
  for (const r of resources) {
    const parent = r.parent === undefined ? undefined : ids.get(r.parent);
    if (parent !== undefined) lines.push(`  ${parent} --> ${ids.get(r.urn)}`);
  }
  for (const r of resources) {
    for (const dependency of new Set(r.dependencies)) {
      const target = ids.get(dependency);
      if (target !== undefined && dependency !== r.parent) lines.push(`  ${ids.get(r.urn)} -.-> ${target}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
