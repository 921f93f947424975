/**
 * The model's components in a backend's plan, for readers: each backend builds one component per
 * service, store, bucket, the secret store, the monitoring and the network, named `<app>-<part>`
 * (core's `renderContext`) with type token `polycloud:<provider>:<Kind>`. A reader finds the
 * resources under a component, and the component a resource belongs to, through this index.
 */
import type { AppModel } from "@polycloud/core";
import type { Plan } from "../plan";
import type { RecordedResource } from "../types";

/** A component of the model, as a reader names it. */
export type ComponentOwner =
  | { readonly kind: "service"; readonly name: string }
  | { readonly kind: "database" }
  | { readonly kind: "cache" }
  | { readonly kind: "bucket"; readonly name: string }
  | { readonly kind: "secrets" }
  | { readonly kind: "monitoring" }
  | { readonly kind: "network" };

/** A stable key of an owner: `database`, `service api`. */
export function ownerKey(owner: ComponentOwner): string {
  return "name" in owner ? `${owner.kind} ${owner.name}` : owner.kind;
}

export class ModelComponents {
  private readonly byKey = new Map<string, RecordedResource>();
  private readonly byUrn = new Map<string, ComponentOwner>();

  /** Finds each of the model's components that the plan has (an absent one is simply not indexed). */
  constructor(
    private readonly plan: Plan,
    model: AppModel,
  ) {
    const token = (kind: string) => `polycloud:${model.provider}:${kind}`;
    const named = (part: string) => `${model.app}-${part}`;
    const wanted: [string, string, ComponentOwner][] = [
      ...Object.keys(model.services).map((s): [string, string, ComponentOwner] => [token("WebService"), named(s), { kind: "service", name: s }]),
      [token("Database"), named("database"), { kind: "database" }],
      [token("Cache"), named("cache"), { kind: "cache" }],
      ...Object.keys(model.buckets).map((b): [string, string, ComponentOwner] => [token("Bucket"), named(`bucket-${b}`), { kind: "bucket", name: b }]),
      [token("SecretStore"), named("secrets"), { kind: "secrets" }],
      [token("Monitoring"), named("monitoring"), { kind: "monitoring" }],
      [token("Network"), named("network"), { kind: "network" }],
    ];
    for (const [type, name, owner] of wanted) {
      const component = plan.resources(type).find((r) => r.name === name);
      if (component === undefined) continue;
      this.byKey.set(ownerKey(owner), component);
      this.byUrn.set(component.urn, owner);
    }
  }

  /** The component of `owner`, when the plan has it. */
  get(owner: ComponentOwner): RecordedResource | undefined {
    return this.byKey.get(ownerKey(owner));
  }

  /** Resources of `type` under the component of `owner` (none when the plan has no such component). */
  under(owner: ComponentOwner, type: string): RecordedResource[] {
    const component = this.get(owner);
    return component === undefined ? [] : this.plan.descendants(component).filter((r) => r.type === type);
  }

  /** The component a resource belongs to: its nearest ancestor among the model's components. */
  ownerOf(resource: RecordedResource): ComponentOwner | undefined {
    for (let r = this.plan.parentOf(resource); r !== undefined; r = this.plan.parentOf(r)) {
      const owner = this.byUrn.get(r.urn);
      if (owner !== undefined) return owner;
    }
    return undefined;
  }
}
