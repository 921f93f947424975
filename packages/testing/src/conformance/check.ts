/**
 * The conformance properties as pure checks: the application model on one side, what a backend's
 * plan shows on the other. Each violation names its property, so a broken backend fails with a
 * message that says which guarantee it broke and where.
 */
import { escalationOf, SEVERITIES, type AlertRoute, type AppModel, type ResourceRef } from "@polycloud/core";
import type { Plan } from "../plan";
import type { RecordedResource } from "../types";
import { ConformanceProperty, type Observation, type ObservedSecretSource, type Peer, type Target, type Waiver } from "./observation";

/** One broken guarantee. */
export interface Violation {
  readonly property: ConformanceProperty;
  readonly message: string;
}


/** A resource as messages and sets name it: `database`, `bucket assets`, `secret stripe-key`. */
export function refKey(ref: ResourceRef | Target): string {
  return "name" in ref ? `${ref.kind} ${ref.name}` : ref.kind;
}

const peerKey = (peer: Peer) => ("name" in peer ? `service ${peer.name}` : peer.kind === "loadBalancer" ? "the load balancer" : "anywhere");
const sourceKey = (source: ObservedSecretSource) =>
  source.kind === "secret" ? `secret ${source.name}` : source.kind === "unknown" ? `an unknown reference ${source.reference}` : `the ${source.kind}'s connection secret`;

/** Elements of `a` not in `b`, by key. */
function minus<T>(a: readonly T[], b: readonly T[], key: (t: T) => string): T[] {
  const keys = new Set(b.map(key));
  return a.filter((t) => !keys.has(key(t)));
}

function isWaived(waivers: readonly Waiver[], property: ConformanceProperty, kind?: ResourceRef["kind"]): boolean {
  return waivers.some((w) => w.property === property && (w.resources === undefined || (kind !== undefined && w.resources.includes(kind))));
}

/** The endpoint a route notifies: an address or a URL. */
export function routeEndpoint(route: AlertRoute): string {
  return "email" in route ? route.email : "webhook" in route ? route.webhook : route.slack;
}

/** Every property that an Observation alone can show, checked against the model. */
export function checkObservation(model: AppModel, observed: Observation, waivers: readonly Waiver[] = []): Violation[] {
  const violations: Violation[] = [];
  const add = (property: ConformanceProperty, message: string) => violations.push({ property, message });

  // secrets-by-reference
  for (const service of Object.values(model.services)) {
    const seen = observed.services[service.name];
    if (seen === undefined) {
      add(ConformanceProperty.secretsByReference, `service ${service.name} was not found in the plan`);
      continue;
    }
    const binding = (b: { envName: string; source: ObservedSecretSource }) => `${b.envName} from ${sourceKey(b.source)}`;
    for (const missing of minus(service.secrets, seen.secrets, binding)) add(ConformanceProperty.secretsByReference, `service ${service.name} does not receive ${binding(missing)} by reference, although the model binds it`);
    for (const extra of minus(seen.secrets, service.secrets, binding)) add(ConformanceProperty.secretsByReference, `service ${service.name} receives ${binding(extra)}, which the model does not grant it`);
    for (const name of seen.plainEnv.filter((env) => service.secrets.some((s) => s.envName === env))) {
      add(ConformanceProperty.secretsByReference, `service ${service.name} gets secret ${name} as a plain environment value`);
    }
  }

  // encryption
  const encrypted: ResourceRef[] = [
    ...(model.database === undefined ? [] : [{ kind: "database" } as const]),
    ...(model.cache === undefined ? [] : [{ kind: "cache" } as const]),
    ...Object.keys(model.buckets).map((name) => ({ kind: "bucket", name }) as const),
    ...Object.keys(model.secrets).map((name) => ({ kind: "secret", name }) as const),
  ];
  for (const ref of encrypted) {
    if (isWaived(waivers, ConformanceProperty.encryption, ref.kind)) continue;
    const seen = observed.encryption.find((e) => refKey(e.resource) === refKey(ref));
    if (seen?.keyUrn === undefined) add(ConformanceProperty.encryption, `${refKey(ref)} is not encrypted with a key the stack controls`);
  }

  // reachability: every connection the network allows, against the grants
  const expected: { from: Peer; to: Target }[] = [
    ...(model.database?.clients ?? []).map((name) => ({ from: { kind: "service", name } as const, to: { kind: "database" } as const })),
    ...(model.cache?.clients ?? []).map((name) => ({ from: { kind: "service", name } as const, to: { kind: "cache" } as const })),
    ...Object.values(model.services).flatMap((s) => s.callers.map((caller) => ({ from: caller as Peer, to: { kind: "service", name: s.name } as const }))),
  ];
  // Buckets are reached over the network only where the backend runs them (in-cluster object stores).
  if (observed.reachability.some((r) => r.to.kind === "bucket")) {
    for (const [name, bucket] of Object.entries(model.buckets)) {
      for (const service of Object.keys(bucket.clients)) expected.push({ from: { kind: "service", name: service }, to: { kind: "bucket", name } });
    }
  }
  const edge = (r: { from: Peer; to: Target }) => `${peerKey(r.from)} -> ${refKey(r.to)}`;
  if (!isWaived(waivers, ConformanceProperty.reachability)) {
    for (const missing of minus(expected, observed.reachability, edge)) add(ConformanceProperty.reachability, `${peerKey(missing.from)} cannot reach ${refKey(missing.to)}, although the model grants it`);
    for (const extra of minus(observed.reachability, expected, edge)) add(ConformanceProperty.reachability, `${peerKey(extra.from)} can reach ${refKey(extra.to)}, which the model does not grant`);
    if (expected.length > 0 && observed.reachability.length === 0) add(ConformanceProperty.reachability, "the reader found no connection at all, although the model grants some");
  }

  // bucket-access
  if (!isWaived(waivers, ConformanceProperty.bucketAccess)) {
    const grants = Object.entries(model.buckets).flatMap(([bucket, b]) => Object.entries(b.clients).map(([service, access]) => ({ service, bucket, access })));
    const grant = (g: { service: string; bucket: string; access: string }) => `service ${g.service} ${g.access} bucket ${g.bucket}`;
    for (const missing of minus(grants, observed.bucketAccess, grant)) add(ConformanceProperty.bucketAccess, `missing: ${grant(missing)}, which the model grants`);
    for (const extra of minus(observed.bucketAccess, grants, grant)) add(ConformanceProperty.bucketAccess, `${grant(extra)} is allowed, which the model does not grant`);
  }

  // alert-routing
  for (const severity of SEVERITIES) {
    const want = model.alerts.routes[severity].map(routeEndpoint);
    const got = observed.routes[severity] ?? [];
    for (const missing of minus(want, got, String)) add(ConformanceProperty.alertRouting, `${severity} alerts do not reach ${missing}`);
    for (const extra of minus(got, want, String)) add(ConformanceProperty.alertRouting, `${severity} alerts reach ${extra}, which is not a ${severity} route`);
  }
  if (Object.keys(model.services).length > 0 && observed.alerts.length === 0) add(ConformanceProperty.alertRouting, "no alert was found, although the SLO asks for burn-rate alerts");
  const byId = new Map(observed.alerts.map((a) => [a.id, a]));
  for (const alert of observed.alerts.filter((a) => a.escalates === undefined)) {
    const expectation = escalationOf(alert, model.alerts.escalation);
    const twins = observed.alerts.filter((a) => a.escalates === alert.id);
    if (expectation === undefined) {
      if (twins.length > 0) add(ConformanceProperty.alertRouting, `${alert.severity} alert ${alert.id} escalates, but only warnings escalate`);
    } else if (twins.length === 0) {
      add(ConformanceProperty.alertRouting, `warning ${alert.id} has no escalation to ${expectation.severity} after ${model.alerts.escalation.afterMinutes} more minutes`);
    } else {
      for (const twin of twins.filter((t) => t.severity !== expectation.severity || t.pendingMinutes !== expectation.pendingMinutes)) {
        add(ConformanceProperty.alertRouting, `escalation ${twin.id} of ${alert.id} is ${twin.severity} after ${twin.pendingMinutes} minutes; the policy says ${expectation.severity} after ${expectation.pendingMinutes}`);
      }
    }
  }
  for (const orphan of observed.alerts.filter((a) => a.escalates !== undefined && !byId.has(a.escalates))) {
    add(ConformanceProperty.alertRouting, `${orphan.id} escalates ${orphan.escalates}, which is not an alert of the plan`);
  }

  // backups
  for (const target of model.backup.targets) {
    if (isWaived(waivers, ConformanceProperty.backups, target.kind)) continue;
    if (!observed.backedUp.some((b) => refKey(b) === refKey(target))) add(ConformanceProperty.backups, `${refKey(target)} has no backup`);
  }

  // protection
  if (model.protect) {
    const stateful: ResourceRef[] = [...(model.database === undefined ? [] : [{ kind: "database" } as const]), ...Object.keys(model.buckets).map((name) => ({ kind: "bucket", name }) as const)];
    for (const ref of stateful) {
      if (isWaived(waivers, ConformanceProperty.protection, ref.kind)) continue;
      if (!observed.protected.some((p) => refKey(p) === refKey(ref))) add(ConformanceProperty.protection, `${refKey(ref)} is not protected, and ${model.environment} protects stateful resources`);
    }
  }
  return violations;
}

/** Paths of a value's string leaves, in the recorder's notation (`spec.template.env[0].value`). */
function* stringLeaves(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* stringLeaves(v, `${path}[${i}]`);
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* stringLeaves(v, path === "" ? k : `${path}.${k}`);
}

const covers = (secretPath: string, path: string) => path === secretPath || path.startsWith(`${secretPath}.`) || path.startsWith(`${secretPath}[`);

/** Every resource input that holds one of `values` must be marked secret (or sit under a secret path). */
export function checkSecretValues(plan: Plan, values: readonly string[]): Violation[] {
  const violations: Violation[] = [];
  const describe = (r: RecordedResource) => `${r.type} ${r.name}`;
  for (const resource of plan.resources()) {
    for (const [path, text] of stringLeaves(resource.inputs, "")) {
      if (!values.some((v) => text.includes(v))) continue;
      if (resource.secretInputs.some((secretPath) => covers(secretPath, path))) continue;
      violations.push({ property: ConformanceProperty.secretValuesHidden, message: `${describe(resource)} holds a secret value in ${path}, which is not marked secret` });
    }
  }
  return violations;
}

/** A preview must register what an update registers: the same URNs with the same types. */
export function checkPreviewEqualsUpdate(preview: Plan, update: Plan): Violation[] {
  const entries = (plan: Plan) => plan.resources().map((r) => `${r.urn} (${r.type})`);
  const previewed = entries(preview);
  const updated = entries(update);
  return [
    ...minus(updated, previewed, String).map((r) => ({ property: ConformanceProperty.previewEqualsUpdate, message: `an update creates ${r}, which the preview does not show` })),
    ...minus(previewed, updated, String).map((r) => ({ property: ConformanceProperty.previewEqualsUpdate, message: `the preview shows ${r}, which an update does not create` })),
  ];
}
