/**
 * How big a spec may be. A spec describes one application: the largest real ones are a few dozen
 * kilobytes. Far beyond that a file is generated or wrong, and checking it would take minutes, so it is
 * refused with the limit and the reason before it is validated (the file size before it is parsed).
 */
import type { Problem } from "../errors";

/** The limits, each with why it is there. */
export const SPEC_LIMITS = {
  fileBytes: {
    max: 1024 * 1024,
    why: "a spec describes one application (the largest real ones are a few dozen kilobytes); a bigger file is generated or wrong, and checking it would take minutes",
  },
  services: {
    max: 200,
    why: "every service becomes a dozen resources or more, and may call every other; more than 200 is several applications in one stack, past what one Pulumi stack deploys and previews in reasonable time",
  },
  buckets: { max: 100, why: "100 is the bucket quota of an AWS account, and more than one application needs" },
  secrets: { max: 200, why: "each secret is a secret-store entry and a grant per service; more than 200 is several applications in one spec" },
  entries: {
    max: 1000,
    why: "no list or mapping of a spec (env, tags, alert routes, access) needs more; beyond it the spec is generated or wrong",
  },
} as const;

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/** The problem of a spec file of `bytes` bytes, if it is too big to check. */
export function fileSizeProblems(bytes: number): Problem[] {
  const { max, why } = SPEC_LIMITS.fileBytes;
  if (bytes <= max) return [];
  return [{ path: "", message: `the file is ${size(bytes)}; allowed: at most ${size(max)}, because ${why}`, fix: "split it into one spec per application, or check how it was generated" }];
}

/**
 * The problems of a parsed document that is too big to check: too many services, buckets or secrets,
 * or any list or mapping with too many entries. Counts only; nothing else is read.
 */
export function countProblems(document: unknown): Problem[] {
  if (typeof document !== "object" || document === null || Array.isArray(document)) return [];
  const problems: Problem[] = [];
  const doc = document as Record<string, unknown>;
  for (const section of ["services", "buckets", "secrets"] as const) {
    const value = doc[section];
    const count = typeof value === "object" && value !== null ? Object.keys(value).length : 0;
    const { max, why } = SPEC_LIMITS[section];
    if (count > max) {
      problems.push({ path: section, message: `has ${count} entries; allowed: at most ${max}, because ${why}`, fix: `split the spec into several applications, each with its own spec and stack` });
    }
  }
  if (problems.length > 0) return problems;
  const { max, why } = SPEC_LIMITS.entries;
  const visit = (value: unknown, path: string, depth: number): void => {
    if (typeof value !== "object" || value === null || depth > 12 || problems.length > 0) return;
    const entries = Object.entries(value);
    if (entries.length > max) {
      problems.push({ path, message: `has ${entries.length} entries; allowed: at most ${max}, because ${why}`, fix: "shorten it" });
      return;
    }
    for (const [key, child] of entries) visit(child, Array.isArray(value) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`, depth + 1);
  };
  visit(doc, "", 0);
  return problems;
}
