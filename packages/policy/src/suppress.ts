/**
 * Suppressions declared on a resource, where both a mock plan and a CrossGuard run see them: in its
 * tags (AWS, Azure), labels (Google Cloud) or annotations (Kubernetes), one key per rule with the
 * reason as the value.
 */
import type { Problem } from "@polycloud/core";
import { at, record } from "./util";
import type { PolicyResource } from "./types";

/** The tag key (AWS, Azure) that suppresses a rule: `polycloud:suppress:PC-AWS-S3-005` = reason. */
export const SUPPRESS_TAG_PREFIX = "polycloud:suppress:";
/** The annotation key (Kubernetes) that suppresses a rule: `suppress.polycloud.dev/PC-K8S-POD-007` = reason. */
export const SUPPRESS_ANNOTATION_PREFIX = "suppress.polycloud.dev/";
/**
 * The label key (Google Cloud, whose labels allow only lowercase letters, digits, `-` and `_`) that
 * suppresses a rule: `polycloud-suppress-pc-gcp-gcs-004` = `reason_in_words` (`_` and `-` read as spaces).
 */
export const SUPPRESS_LABEL_PREFIX = "polycloud-suppress-";

/** A suppression read from a resource. */
export interface ResourceSuppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Where it was declared, e.g. `tags["polycloud:suppress:PC-AWS-S3-005"]`. */
  readonly field: string;
}

/**
 * The tags (AWS, Azure), label (Google Cloud) or annotation (Kubernetes) that suppress `ruleId` with
 * `reason`, to spread into a resource's tags, labels or annotations.
 * @example new aws.s3.Bucket("logs", { tags: { ...suppressionTag("aws", "PC-AWS-S3-005", "this is the access log bucket") } })
 */
export function suppressionTag(cloud: "aws" | "azure" | "gcp" | "kubernetes", ruleId: string, reason: string): Record<string, string> {
  if (cloud === "kubernetes") return { [`${SUPPRESS_ANNOTATION_PREFIX}${ruleId}`]: reason };
  if (cloud === "gcp") return { [`${SUPPRESS_LABEL_PREFIX}${ruleId.toLowerCase()}`]: reason.toLowerCase().replace(/[^a-z0-9_-]+/g, "_").slice(0, 63) };
  return { [`${SUPPRESS_TAG_PREFIX}${ruleId}`]: reason };
}

/** The places a resource can carry suppressions. */
const SOURCES: readonly { readonly path: string; readonly prefix: string; readonly words: boolean }[] = [
  { path: "tags", prefix: SUPPRESS_TAG_PREFIX, words: false },
  { path: "labels", prefix: SUPPRESS_LABEL_PREFIX, words: true },
  { path: "metadata.annotations", prefix: SUPPRESS_ANNOTATION_PREFIX, words: false },
];

/**
 * Reads a resource's suppressions; a suppression without a reason, or naming no known rule, is a
 * problem (reported, never ignored).
 */
export function resourceSuppressions(r: PolicyResource, knownIds: ReadonlySet<string>, problems: Problem[]): ResourceSuppression[] {
  const found: ResourceSuppression[] = [];
  for (const source of SOURCES) {
    for (const [key, value] of Object.entries(record(at(r.inputs, source.path)))) {
      if (!key.startsWith(source.prefix)) continue;
      const field = `${r.urn} ${source.path}[${JSON.stringify(key)}]`;
      const raw = key.slice(source.prefix.length);
      const ruleId = source.words ? raw.toUpperCase() : raw;
      const reason = typeof value === "string" ? (source.words ? value.replace(/[_-]+/g, " ") : value).trim() : "";
      if (!knownIds.has(ruleId)) {
        problems.push({ path: field, message: `suppresses ${JSON.stringify(raw)}, which is not a rule id`, fix: "name a rule id such as PC-AWS-S3-005 after the prefix (see the @polycloud/policy README)" });
      } else if (reason === "") {
        problems.push({ path: field, message: `suppresses ${ruleId} with no reason (got ${JSON.stringify(value)})`, fix: "set the value to why the finding is accepted" });
      } else {
        found.push({ ruleId, reason, field: `${source.path}[${JSON.stringify(key)}]` });
      }
    }
  }
  return found;
}
