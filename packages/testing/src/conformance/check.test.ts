import { buildModel, parseSpec, type AppModel } from "@polycloud/core";
import { checkObservation, routeEndpoint } from "./check";
import { richSpec } from "./corpus";
import type { Observation } from "./observation";

// A model on a provider without limits, so the checks are exercised without any backend.
const model = (): AppModel => buildModel(parseSpec(richSpec()), "gcp");

/** What a backend that builds the model exactly would show. */
function faithful(m: AppModel): Observation {
  const warnings = [{ id: "web-burn", severity: "warning" as const, pendingMinutes: 60 }];
  return {
    services: Object.fromEntries(Object.values(m.services).map((s) => [s.name, { secrets: s.secrets, plainEnv: ["LOG_LEVEL"] }])),
    reachability: [
      ...(m.database?.clients ?? []).map((name) => ({ from: { kind: "service", name } as const, to: { kind: "database" } as const })),
      ...(m.cache?.clients ?? []).map((name) => ({ from: { kind: "service", name } as const, to: { kind: "cache" } as const })),
      ...Object.values(m.services).flatMap((s) => s.callers.map((from) => ({ from, to: { kind: "service", name: s.name } as const }))),
    ],
    bucketAccess: Object.entries(m.buckets).flatMap(([bucket, b]) => Object.entries(b.clients).map(([service, access]) => ({ service, bucket, access }))),
    encryption: [
      { resource: { kind: "database" }, keyUrn: "urn:key" },
      { resource: { kind: "cache" }, keyUrn: "urn:key" },
      ...Object.keys(m.buckets).map((name) => ({ resource: { kind: "bucket", name } as const, keyUrn: "urn:key" })),
      ...Object.keys(m.secrets).map((name) => ({ resource: { kind: "secret", name } as const, keyUrn: "urn:key" })),
    ],
    alerts: [...warnings, { id: "web-burn-escalated", severity: "critical", pendingMinutes: 60 + m.alerts.escalation.afterMinutes, escalates: "web-burn" }, { id: "web-fast-burn", severity: "critical", pendingMinutes: 5 }],
    routes: { critical: m.alerts.routes.critical.map(routeEndpoint), warning: m.alerts.routes.warning.map(routeEndpoint), info: m.alerts.routes.info.map(routeEndpoint) },
    backedUp: m.backup.targets,
    protected: [],
  };
}

type Break = (o: Observation, m: AppModel) => Observation;

describe("checkObservation", () => {
  it("finds nothing when the plan shows exactly the model", () => {
    const m = model();
    expect(checkObservation(m, faithful(m))).toEqual([]);
  });

  it.each<[string, Break, string]>([
    [
      "a secret given to a service that does not list it",
      (o) => ({ ...o, services: { ...o.services, worker: { secrets: [{ envName: "API_KEY", source: { kind: "secret", name: "api-key" } }], plainEnv: [] } } }),
      "[secrets-by-reference] service worker receives API_KEY from secret api-key, which the model does not grant it",
    ],
    [
      "a secret set by value",
      (o) => ({ ...o, services: { ...o.services, web: { secrets: [], plainEnv: ["API_KEY"] } } }),
      "[secrets-by-reference] service web gets secret API_KEY as a plain environment value",
    ],
    [
      "a bucket without a customer key",
      (o) => ({ ...o, encryption: o.encryption.map((e) => ("name" in e.resource && e.resource.name === "media" ? { resource: e.resource } : e)) }),
      "[encryption] bucket media is not encrypted with a key the stack controls",
    ],
    [
      "a database open to a service without the grant",
      (o) => ({ ...o, reachability: [...o.reachability, { from: { kind: "service", name: "web" }, to: { kind: "database" } }] }),
      "[reachability] service web can reach database, which the model does not grant",
    ],
    [
      "a store reachable from anywhere",
      (o) => ({ ...o, reachability: [...o.reachability, { from: { kind: "anywhere" }, to: { kind: "cache" } }] }),
      "[reachability] anywhere can reach cache, which the model does not grant",
    ],
    [
      "a granted call that the network blocks",
      (o) => ({ ...o, reachability: o.reachability.filter((r) => !(r.to.kind === "service" && r.to.name === "api")) }),
      "[reachability] service web cannot reach service api, although the model grants it",
    ],
    [
      "write access where the grant is read",
      (o) => ({ ...o, bucketAccess: o.bucketAccess.map((a) => (a.bucket === "reports" && a.service === "web" ? { ...a, access: "readwrite" } : a)) }),
      "[bucket-access] service web readwrite bucket reports is allowed, which the model does not grant",
    ],
    [
      "a route on the wrong severity",
      (o) => ({ ...o, routes: { ...o.routes, info: [...o.routes.info, "oncall@example.com"] } }),
      "[alert-routing] info alerts reach oncall@example.com, which is not a info route",
    ],
    [
      "a warning without escalation",
      (o) => ({ ...o, alerts: o.alerts.filter((a) => a.escalates === undefined) }),
      "[alert-routing] warning web-burn has no escalation to critical after 20 more minutes",
    ],
    [
      "an escalation at the wrong time",
      (o) => ({ ...o, alerts: o.alerts.map((a) => (a.escalates === undefined ? a : { ...a, pendingMinutes: 15 })) }),
      "[alert-routing] escalation web-burn-escalated of web-burn is critical after 15 minutes; the policy says critical after 80",
    ],
    [
      "a database without backups",
      (o) => ({ ...o, backedUp: o.backedUp.filter((b) => b.kind !== "database") }),
      "[backups] database has no backup",
    ],
  ])("names the property when the plan shows %s", (_, breakIt, message) => {
    const m = model();
    const lines = checkObservation(m, breakIt(faithful(m), m)).map((v) => `[${v.property}] ${v.message}`);
    expect(lines).toContain(message);
  });

  it("requires protection of every stateful resource in production, and lets a waiver excuse a property with its reason", () => {
    const spec = richSpec();
    spec.environment = "production";
    for (const service of Object.values(spec.services)) service.replicas = { min: 2, max: 4 };
    const m = buildModel(parseSpec(spec), "gcp");
    const lines = checkObservation(m, faithful(m)).map((v) => v.message);
    expect(lines).toEqual(["database is not protected, and production protects stateful resources", "bucket media is not protected, and production protects stateful resources", "bucket reports is not protected, and production protects stateful resources"]);
    expect(checkObservation(m, faithful(m), [{ property: "protection", reason: "test" }])).toEqual([]);
  });
});
