/** The plan as rules see it: resources from a recorded plan, and the index stack rules query. */
import type { Plan, RecordedResource } from "@polycloud/testing";
import type { PolicyContext, PolicyResource } from "./types";

/** A recorded resource as a policy resource. */
export function fromRecorded(r: RecordedResource): PolicyResource {
  return { urn: r.urn, type: r.type, name: r.name, inputs: r.inputs, ...(r.parent === undefined ? {} : { parent: r.parent }), dependencies: r.dependencies };
}

/** The resources of a plan that rules check: custom resources (components only group them). */
export function planResources(plan: Plan): PolicyResource[] {
  return plan
    .resources()
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map(fromRecorded);
}

/** Builds the index over a plan's resources. */
export function createContext(resources: readonly PolicyResource[]): PolicyContext {
  const byType = new Map<string, PolicyResource[]>();
  for (const r of resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  const ofType = (...types: readonly string[]) => types.flatMap((t) => byType.get(t) ?? []);
  return {
    resources,
    ofType,
    attachedTo: (target, ...types) => ofType(...types).filter((r) => r.dependencies.includes(target.urn) || target.dependencies.includes(r.urn)),
  };
}
