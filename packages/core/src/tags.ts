/**
 * One `tags` map, normalised to each provider's rules for tags (AWS, Azure) or labels (GCP,
 * Kubernetes), with the three keys polycloud always sets.
 */
import { Provider, type Environment } from "./naming";

/** The keys polycloud sets on every taggable resource; user tags cannot change their values. */
export const BASE_TAG_KEYS = ["managed-by", "app", "environment"] as const;

/** The value of the `managed-by` tag. */
export const MANAGED_BY = "polycloud";

/** Where the base tags' values come from: the spec's `name` and `environment`. */
export interface TagBase {
  app: string;
  environment: Environment;
}

/** A provider's limits on tags or labels, from its documentation. */
export interface TagRule {
  /** What the provider calls them: `tag` or `label`. */
  noun: "tag" | "label";
  /** The most entries on one resource, counting the three base keys. */
  maxTags: number;
  /** The longest key (for Kubernetes, the name part after an optional `prefix/`). */
  maxKeyLength: number;
  maxValueLength: number;
  /** The rules in words, for messages and docs. */
  description: string;
}

/** Tag and label limits per provider. */
export const TAG_RULES: Readonly<Record<Provider, Readonly<TagRule>>> = {
  aws: {
    noun: "tag",
    maxTags: 50,
    maxKeyLength: 128,
    maxValueLength: 256,
    description:
      'keys 1-128 and values 0-256 Unicode letters, digits, spaces and _.:/=+-@; neither may start with "aws:"',
  },
  azure: {
    noun: "tag",
    maxTags: 50,
    maxKeyLength: 512,
    maxValueLength: 256,
    description:
      'names 1-512 characters without <>%&\\?/, case-insensitive, not starting with "microsoft", "azure" or "windows"; values 0-256 characters',
  },
  gcp: {
    noun: "label",
    maxTags: 64,
    maxKeyLength: 63,
    maxValueLength: 63,
    description:
      "keys 1-63 lowercase letters, digits, underscores and hyphens, starting with a letter; values 0-63 of the same characters",
  },
  kubernetes: {
    noun: "label",
    maxTags: Number.POSITIVE_INFINITY,
    maxKeyLength: 63,
    maxValueLength: 63,
    description:
      'keys an optional DNS subdomain prefix (not kubernetes.io or k8s.io) and "/", then a name of 1-63 letters, digits and -_. starting and ending with a letter or digit; values 0-63 of the same form',
  },
};

/** How one provider maps arbitrary text onto its rules; every function is idempotent. */
interface TagSanitizer {
  /** The key the provider will accept; `""` when nothing usable is left. */
  key(key: string): string;
  value(value: string): string;
  /** Keys that are the same to the provider (Azure tag names are case-insensitive). */
  identity(key: string): string;
  /** Why a sanitised tag cannot be used at all (a reserved prefix), or undefined. */
  reserved(key: string, value: string): string | undefined;
}

const SANITIZERS: Record<Provider, TagSanitizer> = {
  aws: {
    // The character set every AWS service accepts; some accept more, but tags reach them all.
    key: (key) => truncate(key.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_"), TAG_RULES.aws.maxKeyLength),
    value: (value) => truncate(value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_"), TAG_RULES.aws.maxValueLength),
    identity: (key) => key,
    reserved: (key, value) => {
      if (/^aws:/i.test(key)) return `keys starting with "aws:" are reserved for AWS; rename it, e.g. "${key.slice(4) || "name"}".`;
      if (/^aws:/i.test(value)) return `values starting with "aws:" are reserved for AWS; change the value, e.g. "${value.slice(4)}".`;
      return undefined;
    },
  },
  azure: {
    key: (key) => truncate(key.replace(/[<>%&\\?/]/g, "_"), TAG_RULES.azure.maxKeyLength),
    value: (value) => truncate(value, TAG_RULES.azure.maxValueLength),
    identity: (key) => key.toLowerCase(),
    reserved: (key) => {
      const prefix = /^(microsoft|azure|windows)/i.exec(key)?.[1];
      return prefix
        ? `names starting with "${prefix}" are reserved for Azure (as are "microsoft", "azure" and "windows"); rename it, e.g. "x-${key}".`
        : undefined;
    },
  },
  gcp: {
    key: (key) => {
      const label = gcpLabel(key);
      // A key must start with a letter; an "x" keeps the mapping one-to-one and readable.
      return truncate(label === "" || /^[a-z]/.test(label) ? label : `x${label}`, TAG_RULES.gcp.maxKeyLength);
    },
    value: (value) => truncate(gcpLabel(value), TAG_RULES.gcp.maxValueLength),
    identity: (key) => key,
    reserved: () => undefined,
  },
  kubernetes: {
    key: (key) => {
      const slash = key.indexOf("/");
      const name = kubernetesLabelValue(slash === -1 ? key : key.slice(slash + 1));
      const prefix = slash === -1 ? "" : dnsSubdomain(key.slice(0, slash));
      return name === "" ? "" : prefix === "" ? name : `${prefix}/${name}`;
    },
    value: kubernetesLabelValue,
    identity: (key) => key,
    reserved: (key) => {
      const prefix = /^(kubernetes\.io|k8s\.io)\//.exec(key)?.[1];
      return prefix
        ? `the "${prefix}/" prefix is reserved for Kubernetes core components; use your own prefix, e.g. "example.com/${key.slice(prefix.length + 1)}".`
        : undefined;
    },
  },
};

/**
 * Normalises a user's tags for a provider and adds `managed-by: polycloud`, `app` and
 * `environment`. Characters a provider does not accept are replaced with `_` (GCP also
 * lowercases and puts an `x` before a key that does not start with a letter), over-long keys and
 * values are cut, and equal duplicates (Azure's case-insensitive names, GCP's lowercasing) merge.
 *
 * The base keys win: a user tag may repeat one only with the same value (so normalising twice
 * is the same as once); any other value is an error, because silently dropping what the user
 * wrote would surprise them. Keys come out sorted after the base keys, so output is stable.
 *
 * @throws RangeError listing every problem {@link tagProblems} finds: too many tags, a reserved
 *   prefix, a key with nothing usable left, two tags that become one with different values.
 */
export function normalizeTags(provider: Provider, tags: Record<string, string>, base: TagBase): Record<string, string> {
  const { result, problems } = normalize(provider, tags, base);
  if (problems.length > 0) {
    throw new RangeError(`Cannot apply these ${TAG_RULES[provider].noun}s on ${provider}:\n- ${problems.join("\n- ")}`);
  }
  return result;
}

/**
 * Every reason {@link normalizeTags} would throw, one message per problem, without throwing:
 * for the spec validator. Without `base`, user values for the base keys are not compared.
 */
export function tagProblems(provider: Provider, tags: Record<string, string>, base?: TagBase): string[] {
  return normalize(provider, tags, base).problems;
}

interface Entry {
  /** The user's key as written, or undefined for a base tag. */
  source: string | undefined;
  key: string;
  /** undefined for a base tag whose value is unknown (tagProblems without base). */
  value: string | undefined;
}

function normalize(
  provider: Provider,
  tags: Record<string, string>,
  base: TagBase | undefined,
): { result: Record<string, string>; problems: string[] } {
  const sanitizer = SANITIZERS[provider];
  if (!sanitizer) {
    throw new TypeError(`Unknown provider "${String(provider)}"; use one of ${Object.values(Provider).join(", ")}.`);
  }
  const { noun, maxTags, description } = TAG_RULES[provider];
  const problems: string[] = [];
  const baseValues = [MANAGED_BY, base?.app, base?.environment];
  const entries = new Map<string, Entry>(
    BASE_TAG_KEYS.map((key, i) => {
      const value = baseValues[i];
      return [sanitizer.identity(key), { source: undefined, key, value: value === undefined ? undefined : sanitizer.value(value) }];
    }),
  );

  // Sorted, so which of two colliding tags is named first never depends on insertion order.
  for (const [rawKey, rawValue] of Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (typeof rawValue !== "string") {
      problems.push(`tag "${rawKey}": the value must be a string, got ${typeof rawValue}; quote it in the spec (YAML reads 42 as a number).`);
      continue;
    }
    const key = sanitizer.key(rawKey);
    if (key === "") {
      problems.push(`tag "${rawKey}": nothing usable is left of the key (${provider} ${noun}s allow ${description}); give it a name.`);
      continue;
    }
    const value = sanitizer.value(rawValue);
    const reserved = sanitizer.reserved(key, value);
    if (reserved) {
      problems.push(`tag "${rawKey}": ${reserved}`);
      continue;
    }
    const identity = sanitizer.identity(key);
    const existing = entries.get(identity);
    if (!existing) {
      entries.set(identity, { source: rawKey, key, value });
    } else if (existing.value !== undefined && existing.value !== value) {
      problems.push(
        existing.source === undefined
          ? `tag "${rawKey}": polycloud sets the "${existing.key}" ${noun} to "${existing.value}" from the spec; remove this tag (managed-by, app and environment are always set).`
          : `tags "${existing.source}" and "${rawKey}" both become the ${provider} ${noun} "${key}" with different values ("${existing.value}" and "${value}"); remove one or give them the same value.`,
      );
    }
  }

  if (entries.size > maxTags) {
    problems.push(
      `${entries.size} ${noun}s exceed the ${provider} limit of ${maxTags} per resource ` +
        `(${entries.size - BASE_TAG_KEYS.length} from tags plus managed-by, app and environment); remove ${entries.size - maxTags}.`,
    );
  }

  const [baseEntries, userEntries] = partition([...entries.values()], (entry) => entry.source === undefined);
  userEntries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const result = Object.fromEntries([...baseEntries, ...userEntries].map((entry) => [entry.key, entry.value ?? ""]));
  return { result, problems };
}

/** Lowercase ASCII with accents stripped; anything outside `[a-z0-9_-]` becomes `_`. */
function gcpLabel(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]/gu, "_");
}

/** `[A-Za-z0-9_.-]`, at most 63, starting and ending with a letter or digit, or empty. */
function kubernetesLabelValue(text: string): string {
  const trimEnds = (s: string) => s.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return trimEnds(truncate(trimEnds(text.replace(/[^A-Za-z0-9_.-]/gu, "_")), TAG_RULES.kubernetes.maxValueLength));
}

/** A DNS-1123 subdomain of at most 253 characters made from `text`, or `""`. */
function dnsSubdomain(text: string): string {
  const labels = text
    .toLowerCase()
    .replace(/[^a-z0-9.-]/gu, "-")
    .split(".")
    .map((label) => label.replace(/^-+|-+$/g, ""))
    .filter((label) => label !== "");
  return truncate(labels.join("."), 253).replace(/[.-]+$/, "");
}

/** The first `max` code points, so a surrogate pair is never split. */
function truncate(text: string, max: number): string {
  const codePoints = Array.from(text);
  return codePoints.length <= max ? text : codePoints.slice(0, max).join("");
}

function partition<T>(items: T[], predicate: (item: T) => boolean): [T[], T[]] {
  return [items.filter(predicate), items.filter((item) => !predicate(item))];
}
