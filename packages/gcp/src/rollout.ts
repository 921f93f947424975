/**
 * Rollouts by revision traffic split, as plain values: the deterministic name of the revision a
 * deployment creates, and the traffic a strategy sends to it and to the revision serving before it (the
 * stable revision, which the backend option `stableRevisions` names). The WebService component applies
 * them to its Cloud Run service.
 */
import { createHash } from "node:crypto";
import type { DeploymentSpec } from "@polycloud/core";

/** Hex digits of the template's hash in a revision name: `<service>-<8 hex>` fits 63 characters. */
const HASH_LENGTH = 8;

/** Traffic tags: the canary's and the blue-green preview's own URLs (`https://<tag>---<service host>`). */
export const TRAFFIC_TAG = { canary: "canary", preview: "preview" } as const;
export type TrafficTag = (typeof TRAFFIC_TAG)[keyof typeof TRAFFIC_TAG];

/** One traffic target of a Cloud Run v2 service (`traffics[]`), by revision. */
export interface RevisionTraffic {
  readonly type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";
  readonly revision: string;
  readonly percent: number;
  readonly tag?: TrafficTag;
}

/** JSON with keys sorted at every level and undefined fields left out: equal values, equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The name of the revision a template makes: `<service>-<first 8 hex digits of the SHA-256 of the whole
 * template>` (its `revision` field aside). Every field counts (image, env, secrets, resources, probes,
 * scaling, labels, service account, network), because Cloud Run refuses a revision name it already has
 * with another configuration; an unchanged template keeps its name, and so makes no new revision.
 */
export function revisionName(runName: string, template: object): string {
  const { revision: _, ...rest } = template as { revision?: unknown };
  return `${runName}-${createHash("sha256").update(canonicalJson(rest)).digest("hex").slice(0, HASH_LENGTH)}`;
}

/** Whether a deployment is a rollout still in progress: a stable revision that is not the one deployed. */
export function inRollout(candidate: string, stable: string | undefined): stable is string {
  return stable !== undefined && stable !== candidate;
}

/**
 * The traffic of a deployment by strategy, for the revision it deploys (`candidate`) and the stable one:
 *
 * - no stable revision, or the stable one is the candidate (a first deployment, or a promoted one): all
 *   traffic to the candidate;
 * - `canary`: the first canary step's share to the candidate (tagged `canary`), the rest to the stable
 *   revision;
 * - `blue-green`: all traffic to the stable revision; the candidate takes none, and is reachable through
 *   its `preview` tag until it is promoted;
 * - `rolling` takes no split: Cloud Run's latest ready revision serves (the component keeps that).
 */
export function trafficOf(deployment: Pick<DeploymentSpec, "strategy" | "canary">, candidate: string, stable: string | undefined): RevisionTraffic[] {
  const to = (revision: string, percent: number, tag?: TrafficTag): RevisionTraffic => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision, percent, ...(tag === undefined ? {} : { tag }) });
  if (!inRollout(candidate, stable) || deployment.strategy === "rolling") return [to(candidate, 100)];
  if (deployment.strategy === "blue-green") return [to(stable, 100), to(candidate, 0, TRAFFIC_TAG.preview)];
  const share = Math.min(100, deployment.canary.steps[0] ?? 100);
  // A target without traffic or tag is refused by Cloud Run: a first step of 100% leaves the stable revision out.
  return [to(candidate, share, TRAFFIC_TAG.canary), ...(share < 100 ? [to(stable, 100 - share)] : [])];
}

/** The URL of a traffic tag: `https://<tag>---<host of the service's URL>`, as Cloud Run names tagged URLs. */
export function tagUrl(serviceUri: string, tag: TrafficTag): string {
  return serviceUri.replace(/^https:\/\//, `https://${tag}---`);
}

/**
 * How to promote a candidate: make it the stable revision in stack config (and lift an abort, which
 * would otherwise hold the new stable revision's successors back too), then deploy again; what
 * `polycloud promote` does.
 */
export function promoteCommand(service: string, candidate: string, aborted: boolean): string {
  const lift = aborted ? ` && pulumi config rm polycloud:gcp.abortedRollouts.${service}` : "";
  return `pulumi config set polycloud:gcp.stableRevisions.${service} ${candidate}${lift} && pulumi up`;
}

