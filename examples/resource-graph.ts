/**
 * The resource graph of a plan for snapshots, shared by the examples' and the stacks' system tests:
 * one line per resource, `type name < parent`, with ` [protected]` when protected, in the plan's order.
 */

/** What `Plan.toJSON()` of @polycloud/testing returns, as far as the graph needs it. */
interface PlanJsonLike {
  readonly resources: readonly { readonly urn: string; readonly type: string; readonly name: string; readonly parent?: string; readonly options: Readonly<Record<string, unknown>> }[];
}

export function resourceGraph(plan: { toJSON(): PlanJsonLike }): string[] {
  const { resources } = plan.toJSON();
  const names = new Map(resources.map((r) => [r.urn, r.name]));
  return resources.map((r) => `${r.type} ${r.name}${r.parent === undefined ? "" : ` < ${names.get(r.parent)}`}${r.options["protect"] === true ? " [protected]" : ""}`);
}
