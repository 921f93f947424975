/**
 * Physical resource names per provider and resource kind: one rules table, a generator that
 * always obeys it, and a checker for names users supply.
 */
import { createHash } from "node:crypto";

/** The backends polycloud builds on. */
export const Provider = { aws: "aws", azure: "azure", gcp: "gcp", kubernetes: "kubernetes" } as const;
export type Provider = (typeof Provider)[keyof typeof Provider];

/** The environment a spec describes; it picks defaults from the preset table. */
export type Environment = "development" | "staging" | "production";

/** The short form of each environment used inside physical names, where every character counts. */
export const ENVIRONMENT_ABBREVIATIONS: Readonly<Record<Environment, string>> = {
  development: "dev",
  staging: "stg",
  production: "prd",
};

/** The naming rule of one resource kind on one provider. */
export interface NameRule {
  /** What the name names, for messages, e.g. `S3 bucket name`. */
  title: string;
  minLength: number;
  maxLength: number;
  /** The whole name must match this (anchored, no `g` flag); lengths are checked separately. */
  pattern: RegExp;
  /**
   * The name must be unique across every account of the provider (or the name is held after
   * deletion), so generated names get a deterministic hash suffix.
   */
  globallyUnique: boolean;
  /** The rule in words, completing "allowed: ...". */
  description: string;
  /**
   * The joiner of name parts in generated names: `-`, or `""` where hyphens are not allowed
   * (Azure storage accounts).
   * @default "-"
   */
  separator?: "-" | "";
  /** A fixed prefix of every name of the kind, e.g. `alias/` for KMS aliases. */
  prefix?: string;
  /** Rewrites a word the pattern forbids anywhere in a generated name (a `g`-flag pattern and its replacement). */
  rewrite?: readonly [pattern: RegExp, replacement: string];
}

// Shared shapes, written once: letters/digits with inner hyphens, with or without a letter first.
const LOWER_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const LOWER_LETTER_FIRST = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
const LOWER_LETTER_FIRST_NO_DOUBLE_HYPHEN = /^[a-z](?!.*--)(?:[-a-z0-9]*[a-z0-9])?$/;
const ALNUM_INNER_HYPHENS = /^[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?$/;
const WORD_OR_HYPHEN = /^[\w-]+$/;

const rules = {
  "aws:s3Bucket": {
    title: "S3 bucket name",
    minLength: 3,
    maxLength: 63,
    pattern:
      /^(?!xn--|sthree-|amzn-s3-demo-)(?!.*(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)(?!\d{1,3}(?:\.\d{1,3}){3}$)(?!.*\.\.)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    globallyUnique: true,
    description:
      "3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit; no two adjacent dots, no IP address, no xn--, sthree- or amzn-s3-demo- prefix and no -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3 suffix; unique across all AWS accounts",
  },
  "aws:rdsInstance": {
    title: "RDS DB instance identifier",
    minLength: 1,
    maxLength: 63,
    // RDS accepts capitals but stores the identifier lowercased, which would show as a diff forever.
    pattern: LOWER_LETTER_FIRST_NO_DOUBLE_HYPHEN,
    globallyUnique: false,
    description:
      "1-63 lowercase letters, digits and hyphens, starting with a letter, with no two consecutive hyphens and no hyphen at the end",
  },
  "aws:elasticacheReplicationGroup": {
    title: "ElastiCache replication group id",
    minLength: 1,
    maxLength: 40,
    pattern: LOWER_LETTER_FIRST_NO_DOUBLE_HYPHEN,
    globallyUnique: false,
    description:
      "1-40 lowercase letters, digits and hyphens, starting with a letter, with no two consecutive hyphens and no hyphen at the end",
  },
  "aws:albName": {
    title: "load balancer name",
    minLength: 1,
    maxLength: 32,
    pattern: /^(?!internal-)[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?$/,
    globallyUnique: false,
    description:
      "1-32 letters, digits and hyphens, not starting or ending with a hyphen and not starting with internal-",
  },
  "aws:targetGroup": {
    title: "target group name",
    minLength: 1,
    maxLength: 32,
    pattern: ALNUM_INNER_HYPHENS,
    globallyUnique: false,
    description: "1-32 letters, digits and hyphens, not starting or ending with a hyphen",
  },
  "aws:iamRole": {
    title: "IAM role name",
    minLength: 1,
    maxLength: 64,
    pattern: /^[\w+=,.@-]+$/,
    globallyUnique: false,
    description: "1-64 letters, digits and the characters _+=,.@-",
  },
  "aws:logGroup": {
    title: "CloudWatch log group name",
    minLength: 1,
    maxLength: 512,
    pattern: /^[\w.\-/#]+$/,
    globallyUnique: false,
    description: "1-512 letters, digits and the characters _.-/#",
  },
  "aws:kmsAlias": {
    title: "KMS alias",
    minLength: 7,
    maxLength: 256,
    pattern: /^alias\/(?!aws\/)[\w/-]+$/,
    globallyUnique: false,
    description:
      "alias/ followed by letters, digits and the characters /_-, 256 characters in all; alias/aws/ is reserved for AWS",
    prefix: "alias/",
  },
  "aws:secret": {
    title: "Secrets Manager secret name",
    minLength: 1,
    maxLength: 512,
    pattern: /^[\w/+=.@-]+$/,
    globallyUnique: false,
    description: "1-512 letters, digits and the characters /_+=.@-",
  },
  "aws:snsTopic": {
    title: "SNS topic name",
    minLength: 1,
    maxLength: 256,
    pattern: WORD_OR_HYPHEN,
    globallyUnique: false,
    description: "1-256 letters, digits, underscores and hyphens",
  },
  "aws:backupVault": {
    title: "AWS Backup vault name",
    minLength: 2,
    maxLength: 50,
    pattern: WORD_OR_HYPHEN,
    globallyUnique: false,
    description: "2-50 letters, digits, underscores and hyphens",
  },
  "aws:cloudtrail": {
    title: "CloudTrail trail name",
    minLength: 3,
    maxLength: 128,
    pattern: ALNUM_INNER_HYPHENS,
    globallyUnique: false,
    description: "3-128 letters, digits and hyphens, starting and ending with a letter or digit",
  },
  "aws:ecsCluster": {
    title: "ECS cluster name",
    minLength: 1,
    maxLength: 255,
    pattern: WORD_OR_HYPHEN,
    globallyUnique: false,
    description: "1-255 letters, digits, underscores and hyphens",
  },
  "aws:ecsService": {
    title: "ECS service name",
    minLength: 1,
    maxLength: 255,
    pattern: WORD_OR_HYPHEN,
    globallyUnique: false,
    description: "1-255 letters, digits, underscores and hyphens",
  },
  "azure:storageAccount": {
    title: "storage account name",
    minLength: 3,
    maxLength: 24,
    pattern: /^[a-z0-9]+$/,
    globallyUnique: true,
    description: "3-24 lowercase letters and digits only; unique across Azure",
    separator: "",
  },
  "azure:keyVault": {
    title: "key vault name",
    minLength: 3,
    maxLength: 24,
    pattern: /^[A-Za-z](?!.*--)[-A-Za-z0-9]*[A-Za-z0-9]$/,
    globallyUnique: true,
    description:
      "3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, with no two consecutive hyphens; unique across Azure and held for the soft-delete period after deletion",
  },
  "azure:resourceGroup": {
    title: "resource group name",
    minLength: 1,
    maxLength: 90,
    pattern: /^[-\p{L}\p{N}_.()]*[-\p{L}\p{N}_()]$/u,
    globallyUnique: false,
    description: "1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending with a period",
  },
  "azure:postgresFlexibleServer": {
    title: "PostgreSQL flexible server name",
    minLength: 3,
    maxLength: 63,
    pattern: LOWER_LABEL,
    globallyUnique: true,
    description:
      "3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen; unique across Azure",
  },
  "azure:redisCache": {
    title: "Azure Cache for Redis name",
    minLength: 1,
    maxLength: 63,
    pattern: /^[A-Za-z0-9](?!.*--)(?:[-A-Za-z0-9]*[A-Za-z0-9])?$/,
    globallyUnique: true,
    description:
      "1-63 letters, digits and hyphens, starting and ending with a letter or digit, with no two consecutive hyphens; unique across Azure",
  },
  "azure:containerApp": {
    title: "container app name",
    minLength: 2,
    maxLength: 32,
    pattern: LOWER_LETTER_FIRST_NO_DOUBLE_HYPHEN,
    globallyUnique: false,
    description:
      "2-32 lowercase letters, digits and hyphens, starting with a letter, ending with a letter or digit, with no two consecutive hyphens",
  },
  "azure:keyVaultSecret": {
    title: "key vault secret name",
    minLength: 1,
    maxLength: 127,
    pattern: /^[-A-Za-z0-9]+$/,
    globallyUnique: false,
    description: "1-127 letters, digits and hyphens",
  },
  "azure:logAnalyticsWorkspace": {
    title: "Log Analytics workspace name",
    minLength: 4,
    maxLength: 63,
    pattern: ALNUM_INNER_HYPHENS,
    globallyUnique: false,
    description: "4-63 letters, digits and hyphens, starting and ending with a letter or digit",
  },
  "gcp:resource": {
    title: "Google Cloud resource name",
    minLength: 1,
    maxLength: 63,
    pattern: LOWER_LETTER_FIRST,
    globallyUnique: false,
    description: "1-63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit (RFC 1035)",
  },
  "gcp:gcsBucket": {
    title: "Cloud Storage bucket name",
    minLength: 3,
    maxLength: 63,
    pattern: /^(?!goog)(?!.*g[o0]{2}gle)(?!\d{1,3}(?:\.\d{1,3}){3}$)[a-z0-9][a-z0-9._-]*[a-z0-9]$/,
    globallyUnique: true,
    description:
      "3-63 lowercase letters, digits, hyphens, underscores and dots, starting and ending with a letter or digit; no goog prefix, no google (or g00gle) anywhere, no IP address; unique across Google Cloud",
    rewrite: [/g[o0]{2}gle/g, "ggl"],
  },
  "gcp:serviceAccount": {
    title: "service account id",
    minLength: 6,
    maxLength: 30,
    pattern: LOWER_LETTER_FIRST,
    globallyUnique: false,
    description: "6-30 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit",
  },
  "gcp:cloudSqlInstance": {
    title: "Cloud SQL instance name",
    minLength: 1,
    maxLength: 98,
    pattern: LOWER_LETTER_FIRST,
    globallyUnique: false,
    description:
      "1-98 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit; a deleted instance's name cannot be reused for up to a week (pass uniqueSeed to vary it)",
  },
  "gcp:cloudRunService": {
    title: "Cloud Run service name",
    minLength: 1,
    maxLength: 49,
    pattern: LOWER_LETTER_FIRST,
    globallyUnique: false,
    description: "1-49 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit",
  },
  "gcp:redisInstance": {
    title: "Memorystore for Redis instance id",
    minLength: 1,
    maxLength: 40,
    pattern: LOWER_LETTER_FIRST,
    globallyUnique: false,
    description: "1-40 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit",
  },
  "gcp:secretId": {
    title: "Secret Manager secret id",
    minLength: 1,
    maxLength: 255,
    pattern: WORD_OR_HYPHEN,
    globallyUnique: false,
    description: "1-255 letters, digits, underscores and hyphens",
  },
  "kubernetes:dns1123Label": {
    title: "Kubernetes name (DNS-1123 label)",
    minLength: 1,
    maxLength: 63,
    pattern: LOWER_LABEL,
    globallyUnique: false,
    description: "1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
  },
  "kubernetes:dns1123Subdomain": {
    title: "Kubernetes name (DNS-1123 subdomain)",
    minLength: 1,
    maxLength: 253,
    pattern: /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/,
    globallyUnique: false,
    description:
      "1-253 lowercase letters, digits, hyphens and dots, each dot-separated part starting and ending with a letter or digit",
  },
} satisfies Record<`${Provider}:${string}`, NameRule>;

/** A key of {@link NAME_RULES}: `"<provider>:<kind>"`. */
export type NameRuleKey = keyof typeof rules;

/** The resource kinds with a naming rule on provider `P`, e.g. `NameKind<"aws">` includes `"s3Bucket"`. */
export type NameKind<P extends Provider = Provider> = {
  [K in NameRuleKey]: K extends `${P}:${infer Kind}` ? Kind : never;
}[NameRuleKey];

/**
 * Naming rules keyed by `"<provider>:<kind>"`, from each provider's documentation. Extend it when
 * a component needs a physical name for another kind; the property tests cover every entry.
 */
export const NAME_RULES: Readonly<Record<NameRuleKey, Readonly<NameRule>>> = rules;

/** The name parts a physical name is built from. */
export interface NameParts {
  /** The application (spec `name`), e.g. `shop`. */
  app: string;
  environment: Environment;
  /** What the resource is within the app, e.g. `assets` or `api`. */
  name?: string;
}

/** Options of {@link physicalName}. */
export interface PhysicalNameOptions {
  /**
   * Mixed into the hash suffix, e.g. the stack or account id, so two stacks of the same app get
   * different globally unique names. Giving it also adds the suffix to kinds that are not
   * globally unique (useful where a deleted name cannot be reused soon, like Cloud SQL).
   * @default - no seed; the suffix hashes the name parts alone
   */
  uniqueSeed?: string | undefined;
}

/**
 * The first `length` hex characters of the SHA-256 of `input`: short, stable and well spread.
 * @throws RangeError unless `length` is an integer from 1 to 64.
 */
export function shortHash(input: string, length = 6): string {
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    throw new RangeError(`shortHash length must be an integer from 1 to 64 (hex digits of SHA-256), got ${length}.`);
  }
  return createHash("sha256").update(input).digest("hex").slice(0, length);
}

/**
 * Builds a physical name `app-env-name` (environment abbreviated `dev`/`stg`/`prd`) that obeys
 * the kind's rule. The same inputs always give the same name.
 *
 * - Lowercased, accents stripped, any other character run turned into one separator.
 * - Too long: the app part is shortened first (down to 3 characters), so the environment and
 *   the resource name stay readable; then the end is cut. Never a trailing hyphen.
 * - A 6-character hash suffix (see {@link shortHash}) ends the name when the kind is globally
 *   unique, when `uniqueSeed` is given, and whenever the name was cut or is too short, so two
 *   long names never collide. Truncation always keeps it.
 * - A name that would start with a digit or a reserved prefix (`sthree-`, `internal-`, `goog`)
 *   gets an `x` in front; `google` in a Cloud Storage bucket name becomes `ggl`.
 *
 * @example physicalName("aws", "s3Bucket", { app: "shop", environment: "production", name: "assets" })
 *   // "shop-prd-assets-204b43"
 * @throws TypeError for an unknown provider/kind pair or environment.
 */
export function physicalName<P extends Provider>(
  provider: P,
  kind: NameKind<P>,
  parts: NameParts,
  options: PhysicalNameOptions = {},
): string {
  const rule = ruleFor(provider, kind);
  if (!Object.hasOwn(ENVIRONMENT_ABBREVIATIONS, parts.environment)) {
    throw new TypeError(
      `environment "${String(parts.environment)}" is not one of ${Object.keys(ENVIRONMENT_ABBREVIATIONS).join(", ")}.`,
    );
  }
  const words = [parts.app, ENVIRONMENT_ABBREVIATIONS[parts.environment], parts.name ?? ""];
  // Hash the raw parts: "Shop" and "shop" sanitise alike but still get different suffixes.
  const hash = shortHash(JSON.stringify([options.uniqueSeed ?? null, parts.app, parts.environment, parts.name ?? null]));
  const alwaysSuffix = rule.globallyUnique || options.uniqueSeed !== undefined;
  const name = compose(rule, words, alwaysSuffix ? hash : undefined, hash);
  // Unreachable for the rules above (the property tests try every kind); a new rule might need a fix in compose.
  if (name === undefined) throw new Error(`polycloud could not build a valid ${rule.title} from ${JSON.stringify(parts)}.`);
  return name;
}

/**
 * Why a user-supplied name breaks the kind's rule, with a corrected suggestion where one exists,
 * or `undefined` when it is valid. Never throws for a bad name (only for an unknown kind).
 */
export function checkName<P extends Provider>(provider: P, kind: NameKind<P>, name: string): string | undefined {
  const rule = ruleFor(provider, kind);
  if (typeof name !== "string") return `${rule.title} must be a string, got ${typeof name}.`;
  const problem = problemWith(rule, name);
  if (!problem) return undefined;
  const prefix = rule.prefix ?? "";
  const suggestion = compose(rule, [name.startsWith(prefix) ? name.slice(prefix.length) : name], undefined, undefined);
  return `${rule.title} "${name}" ${problem}${suggestion === undefined ? "" : ` Try "${suggestion}".`}`;
}

function ruleFor(provider: string, kind: string): NameRule {
  const rule = (NAME_RULES as Record<string, NameRule>)[`${provider}:${kind}`];
  if (!rule) {
    const kinds = Object.keys(NAME_RULES)
      .filter((key) => key.startsWith(`${provider}:`))
      .map((key) => key.slice(provider.length + 1));
    const allowed = kinds.length > 0 ? `known ${provider} kinds: ${kinds.join(", ")}` : `providers: ${Object.values(Provider).join(", ")}`;
    throw new TypeError(`No naming rule for "${provider}:${kind}"; ${allowed}. Add a rule to NAME_RULES for a new kind.`);
  }
  return rule;
}

function problemWith(rule: NameRule, name: string): string | undefined {
  if (rule.prefix && !name.startsWith(rule.prefix)) return `must start with "${rule.prefix}".`;
  if (name.length < rule.minLength || name.length > rule.maxLength) {
    const fix = name.length > rule.maxLength ? "shorten it" : "lengthen it";
    return `is ${name.length} characters long; allowed ${rule.minLength} to ${rule.maxLength}: ${fix}.`;
  }
  return rule.pattern.test(name) ? undefined : `breaks the rule: allowed ${rule.description}.`;
}

/**
 * Sanitises `rawWords` and fits them into the rule, ending with `suffix` when given; otherwise
 * `fallbackSuffix` is added only when the plain name was cut or is too short. Tries again with
 * an `x` in front when the result still breaks the rule. `undefined` when nothing valid results.
 */
function compose(
  rule: NameRule,
  rawWords: readonly string[],
  suffix: string | undefined,
  fallbackSuffix: string | undefined,
): string | undefined {
  const separator = rule.separator ?? "-";
  const words = rawWords.map((word) => sanitize(word, separator, rule.rewrite)).filter((word) => word !== "");
  const [first, ...rest] = words;
  if (first === undefined) return undefined;
  for (const candidate of [words, [`x${first}`, ...rest]]) {
    let name = fit(rule, candidate, suffix);
    const cut = name !== (rule.prefix ?? "") + candidate.join(separator);
    if (suffix === undefined && fallbackSuffix !== undefined && (cut || name.length < rule.minLength)) {
      name = fit(rule, candidate, fallbackSuffix);
    }
    if (problemWith(rule, name) === undefined) return name;
  }
  return undefined;
}

/** Lowercase ASCII letters and digits, runs of anything else collapsed into one separator. */
function sanitize(text: string, separator: string, rewrite: NameRule["rewrite"]): string {
  const ascii = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // strip accents: "café" -> "cafe"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator);
  const word = trimSeparators(ascii, separator);
  return rewrite ? word.replace(rewrite[0], rewrite[1]) : word;
}

/**
 * Prefix + words + separator + suffix within `maxLength`: the first word (the app) shrinks first,
 * down to 3 characters, then the end is cut; never a trailing separator.
 */
function fit(rule: NameRule, words: readonly string[], suffix: string | undefined): string {
  const separator = rule.separator ?? "-";
  const prefix = rule.prefix ?? "";
  const room = rule.maxLength - prefix.length - (suffix === undefined ? 0 : separator.length + suffix.length);
  const [first = "", ...rest] = words;
  const over = words.join(separator).length - room;
  const shortened = over > 0 ? trimSeparators(first.slice(0, Math.max(3, first.length - over)), separator) : first;
  const body = trimSeparators([shortened, ...rest].join(separator).slice(0, room), separator);
  return prefix + [body, suffix ?? ""].filter((part) => part !== "").join(separator);
}

function trimSeparators(text: string, separator: string): string {
  return separator === "" ? text : text.replace(/^-+|-+$/g, "");
}
