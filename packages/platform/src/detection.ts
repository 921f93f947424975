/**
 * Provider detection: which backend a spec should be built on, decided from evidence in tiers, with
 * an explanation of every signal. Pure: everything it looks at comes in through `DetectInput`
 * (the file probe included), so tests never read the real home directory or environment.
 */
import { join, posix } from "node:path";
import { PolycloudError, Provider, type ProviderChoice } from "@polycloud/core";

/** Every provider, in the order evidence is listed. */
export const PROVIDERS: readonly Provider[] = Object.values(Provider);

/** Evidence tiers, strongest first. The highest tier with evidence decides. */
export const Tier = {
  /**
   * `--provider` (or the Platform's `backend` option), which overrides the rest; the spec's `provider`,
   * `polycloud:provider` stack config and `POLYCLOUD_PROVIDER`, which must agree.
   */
  explicit: 1,
  /** A provider's own stack config namespace, e.g. `aws:region`. */
  stackConfig: 2,
  /** A provider's environment variables, e.g. `AWS_PROFILE`. */
  environment: 3,
  /** A provider SDK among the program's dependencies in package.json. */
  dependencies: 4,
  /** Provider-specific project files: CloudFormation, Terraform, Bicep, Helm charts... */
  projectFiles: 5,
  /** Credentials in the home directory: shown in the explanation, never decisive. */
  homeDirectory: 6,
} as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

export const TIER_NAMES: Readonly<Record<Tier, string>> = {
  1: "explicit choice",
  2: "stack config",
  3: "environment",
  4: "dependencies",
  5: "project files",
  6: "home directory",
};

/** Where a signal was found. */
export type SignalSource = "flag" | "option" | "spec" | "stack config" | "environment" | "package.json" | "project file" | "home directory";

/** One piece of evidence for a provider. */
export interface Signal {
  readonly provider: Provider;
  readonly tier: Tier;
  readonly source: SignalSource;
  /** What was found: a flag, config key, variable name, package name, file path or home path. */
  readonly name: string;
  /** What it said (masked when it may be a secret). */
  readonly value: string;
  /** A signal of higher precedence in the same group that this one gives way to, e.g. AWS_REGION over AWS_DEFAULT_REGION. */
  readonly shadowedBy?: string;
}

/** The outcome of detection: the provider, the tier that decided, and every signal seen. */
export interface Decision {
  readonly provider: Provider;
  readonly tier: Tier;
  readonly signals: readonly Signal[];
}

/** Read access to a project directory (and, for tier 6, the home directory). */
export interface FileProbe {
  /** Project files as `/`-separated paths relative to the project directory. */
  list(): readonly string[];
  /** The start of a project file's text, or undefined when it cannot be read. */
  read(relativePath: string): string | undefined;
  /** True when an absolute path exists (home-directory files). */
  exists(absolutePath: string): boolean;
}

export interface DetectInput {
  /** The explicit choice from the command line (`--provider`) or the caller; "auto" means none. */
  readonly provider?: string;
  /** Where `provider` came from, for the explanation. @default the `--provider` flag */
  readonly providerFrom?: { readonly source: SignalSource; readonly name: string };
  /** The spec's `provider` field, and the file it came from (for the explanation). */
  readonly spec?: { readonly provider: ProviderChoice; readonly file?: string };
  /** Stack config as flat `namespace:key` entries, e.g. `{"aws:region": "us-east-1"}`. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Environment variables. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The project directory; without it, tiers 4 and 5 see nothing. */
  readonly files?: FileProbe;
  /** The home directory; without it, tier 6 sees nothing. */
  readonly homeDir?: string;
  /** Only the explicit choice and stack config count: no guessing from the environment, dependencies or files. @default false */
  readonly strict?: boolean;
}

/**
 * Decides the provider.
 * @throws PolycloudError when an explicit choice names no provider, when providers tie in the deciding
 * tier, or when nothing decisive is found; the message lists the evidence and the fix.
 */
export function detect(input: DetectInput): Decision {
  const signals = collectSignals(input);
  const decisive = signals.filter((s) => s.shadowedBy === undefined && s.tier !== Tier.homeDirectory);
  const tier = decisive[0]?.tier;
  if (tier === undefined) throw noEvidence(signals, input.strict === true);
  const inTier = decisive.filter((s) => s.tier === tier);
  const providers = PROVIDERS.filter((p) => inTier.some((s) => s.provider === p));
  if (providers.length > 1) throw tie(tier, providers, inTier);
  return { provider: providers[0]!, tier, signals };
}

/**
 * Every signal the input holds, sorted by tier; within a tier, by provider and then each provider's
 * own precedence. In strict mode only tiers 1 and 2 are looked at. Never throws for ambiguity
 * (that is `detect`'s job), only for an explicit choice that names no provider.
 */
export function collectSignals(input: DetectInput): Signal[] {
  const ambient = input.strict !== true;
  const { files, homeDir } = input;
  const signals = [
    ...explicitSignals(input),
    ...PROVIDERS.flatMap((provider) =>
      groupSignals(provider, Tier.stackConfig, "stack config", RULES[provider].config, (key) => configValue(input.config?.[key])),
    ),
    ...(ambient ? PROVIDERS.flatMap((provider) => groupSignals(provider, Tier.environment, "environment", RULES[provider].env, (name) => envValue(input.env, name))) : []),
    ...(ambient && files !== undefined ? [...dependencySignals(files), ...projectFileSignals(files)] : []),
    ...(ambient && files !== undefined && homeDir !== undefined ? homeSignals(homeDir, files) : []),
  ];
  // Stable sort: within a tier the order above (provider, then precedence) is kept.
  return signals.sort((a, b) => a.tier - b.tier);
}

// ---- tier 1: the explicit choice ---------------------------------------------------------------

function explicitSignals(input: DetectInput): Signal[] {
  const choices: { source: SignalSource; name: string; value: unknown }[] = [
    { ...(input.providerFrom ?? { source: "flag", name: "--provider" }), value: input.provider },
    { source: "spec", name: input.spec?.file === undefined ? "provider" : `${input.spec.file}: provider`, value: input.spec?.provider },
    { source: "stack config", name: "polycloud:provider", value: configValue(input.config?.["polycloud:provider"]) },
    { source: "environment", name: "POLYCLOUD_PROVIDER", value: input.env?.["POLYCLOUD_PROVIDER"] },
  ];
  const given = choices.filter((c) => c.value !== undefined && c.value !== "" && c.value !== "auto");
  PolycloudError.throwIfAny(
    given
      .filter((c) => !PROVIDERS.includes(c.value as Provider))
      .map((c) => {
        const meant = PROVIDERS.find((p) => p === String(c.value).toLowerCase());
        return {
          path: c.name,
          message: `${JSON.stringify(c.value)} is not a provider; allowed: ${PROVIDERS.join(" | ")} (or auto to detect)`,
          fix: meant === undefined ? `set ${c.name} to one of ${PROVIDERS.join(", ")}` : `did you mean ${meant}? set ${c.name} to ${meant} (provider names are lowercase)`,
        };
      }),
    "Unknown provider",
  );
  // `--provider` (or the Platform's backend option) overrides the other explicit choices, which are
  // then shown as overridden. Without it the others must agree: `detect` reports a tie otherwise.
  const override = given[0] === choices[0] ? given[0] : undefined;
  return given.map((c) => ({
    provider: c.value as Provider,
    tier: Tier.explicit,
    source: c.source,
    name: c.name,
    value: String(c.value),
    ...(override === undefined || c === override ? {} : { shadowedBy: override.name }),
  }));
}

/**
 * Reads the `polycloud:strict` setting (stack config or any other text source): true or false.
 * @throws PolycloudError on `path` for anything else, so a typo never silently turns strict mode off.
 */
export function strictSetting(value: unknown, path = "polycloud:strict"): boolean {
  if (value === undefined || value === null || value === "" || value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  throw new PolycloudError(
    [{ path, message: `${JSON.stringify(value)} is not a boolean; allowed: true | false`, fix: `set ${path} to "true" (only explicit choices and stack config decide) or "false"` }],
    "Invalid config",
  );
}

// ---- tiers 2 and 3: config namespaces and environment variables ------------------------------

/** A group of names that mean the same thing, in the provider's precedence order (the first set one wins). */
type Group = readonly string[];

interface ProviderRules {
  readonly config: readonly Group[];
  readonly env: readonly Group[];
  /** package.json dependencies that mean the program targets this provider. */
  readonly packages: readonly string[];
  /** Home-directory paths (relative to the home directory) where the provider's tools keep credentials. */
  readonly home: readonly string[];
}

const RULES: Readonly<Record<Provider, ProviderRules>> = {
  aws: {
    config: [["aws:region"], ["aws:profile"]],
    env: [["AWS_REGION", "AWS_DEFAULT_REGION"], ["AWS_PROFILE"], ["AWS_ACCESS_KEY_ID"]],
    packages: ["@pulumi/aws"],
    home: [".aws"],
  },
  azure: {
    config: [["azure-native:location"], ["azure-native:subscriptionId"]],
    env: [["ARM_SUBSCRIPTION_ID"], ["ARM_TENANT_ID"], ["ARM_CLIENT_ID"], ["ARM_USE_MSI", "ARM_USE_OIDC"]],
    packages: ["@pulumi/azure-native"],
    home: [".azure"],
  },
  gcp: {
    config: [["gcp:project"], ["gcp:region"]],
    env: [["GOOGLE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"], ["GOOGLE_APPLICATION_CREDENTIALS"]],
    packages: ["@pulumi/gcp"],
    home: [".config/gcloud"],
  },
  kubernetes: {
    config: [["kubernetes:kubeconfig"], ["kubernetes:context"]],
    // KUBERNETES_SERVICE_HOST is set in every pod: the in-cluster service account.
    env: [["KUBECONFIG"], ["KUBERNETES_SERVICE_HOST"]],
    packages: ["@pulumi/kubernetes"],
    home: [".kube/config"],
  },
};

// Switches that are evidence only when on; "ARM_USE_MSI=false" says the opposite.
const SWITCHES = new Set(["ARM_USE_MSI", "ARM_USE_OIDC"]);
// Identifiers that are half of a credential: shown by their first characters only.
const MASKED = new Set(["AWS_ACCESS_KEY_ID"]);

function groupSignals(
  provider: Provider,
  tier: Tier,
  source: SignalSource,
  groups: readonly Group[],
  valueOf: (name: string) => string | undefined,
): Signal[] {
  return groups.flatMap((group) => {
    const set = group.flatMap((name) => {
      const value = valueOf(name);
      return value === undefined ? [] : [{ name, value }];
    });
    return set.map(({ name, value }, i) => ({
      provider,
      tier,
      source,
      name,
      value: MASKED.has(name) ? mask(value) : value,
      ...(i === 0 ? {} : { shadowedBy: set[0]!.name }),
    }));
  });
}

function envValue(env: DetectInput["env"], name: string): string | undefined {
  const value = env?.[name];
  if (value === undefined || value === "") return undefined;
  if (SWITCHES.has(name) && !/^(1|true|yes)$/i.test(value)) return undefined;
  return value;
}

/** A stack config value as text: secure values (`{secure: ...}` or Pulumi secrets) are never shown. */
function configValue(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "object") return "[secret]";
  return String(value);
}

function mask(value: string): string {
  return value.length <= 8 ? "****" : `${value.slice(0, 4)}****`;
}

// ---- tier 4: dependencies ----------------------------------------------------------------------

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] as const;

function dependencySignals(files: FileProbe): Signal[] {
  const text = files.read("package.json");
  if (text === undefined) return [];
  let pkg: Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch {
    return [];
  }
  return PROVIDERS.flatMap((provider) =>
    RULES[provider].packages.flatMap((name) => {
      const version = DEPENDENCY_FIELDS.map((field) => pkg[field]?.[name]).find((v) => v !== undefined);
      return version === undefined ? [] : [{ provider, tier: Tier.dependencies, source: "package.json" as const, name, value: String(version) }];
    }),
  );
}

// ---- tier 5: project files ---------------------------------------------------------------------

interface FileRule {
  readonly provider: Provider;
  /** Matches the file's base name. */
  readonly file: RegExp;
  /** When given, the file's text must match it too: it returns what matched (the signal's value), or undefined. */
  readonly content?: (text: string) => string | undefined;
  /** The signal's value when there is no content rule. */
  readonly what?: string;
}

const YAML = /\.ya?ml$/;
const TERRAFORM = /\.tf$/;

/** A content rule: the text matched by `pattern`, whitespace collapsed. */
const matching = (pattern: RegExp) => (text: string) => pattern.exec(text)?.[0].replace(/\s+/g, " ");

/** A Kubernetes manifest: top-level `apiVersion` and `kind`, in either order. */
function manifest(text: string): string | undefined {
  const apiVersion = /^apiVersion\s*:\s*["']?([\w./-]+)/m.exec(text)?.[1];
  const kind = /^kind\s*:\s*["']?(\w+)/m.exec(text)?.[1];
  return apiVersion === undefined || kind === undefined ? undefined : `apiVersion ${apiVersion}, kind ${kind}`;
}

// A file gives at most one signal per provider: the first rule of that provider that matches.
const FILE_RULES: readonly FileRule[] = [
  { provider: "aws", file: /^samconfig\.toml$/, what: "AWS SAM configuration" },
  { provider: "aws", file: /^cdk\.json$/, what: "AWS CDK app" },
  { provider: "aws", file: /^serverless\.ya?ml$/, what: "Serverless Framework service" },
  { provider: "aws", file: /\.(ya?ml|json|template)$/, content: matching(/AWSTemplateFormatVersion|\bType"?\s*:\s*"?AWS::\w+::\w+/) },
  { provider: "aws", file: TERRAFORM, content: matching(/provider\s+"aws"|(resource|data)\s+"aws_\w+"/) },
  { provider: "azure", file: /\.bicep$/, what: "Bicep template" },
  { provider: "azure", file: /^azure-pipelines\.ya?ml$/, what: "Azure Pipelines definition" },
  {
    provider: "azure",
    file: /\.json$/,
    // An ARM template: the deployment template schema and a contentVersion.
    content: (text) => (/"contentVersion"\s*:/.test(text) ? matching(/schema\.management\.azure\.com\/schemas\/[^"]*deploymentTemplate\.json/i)(text) : undefined),
  },
  { provider: "azure", file: TERRAFORM, content: matching(/provider\s+"azurerm"|(resource|data)\s+"azurerm_\w+"/) },
  { provider: "gcp", file: /^app\.ya?ml$/, content: matching(/^runtime\s*:\s*\S+/m) },
  { provider: "gcp", file: /^cloudbuild\.(ya?ml|json)$/, what: "Cloud Build configuration" },
  { provider: "gcp", file: /^\.gcloudignore$/, what: "gcloud ignore file" },
  { provider: "gcp", file: TERRAFORM, content: matching(/provider\s+"google"|(resource|data)\s+"google_\w+"/) },
  { provider: "kubernetes", file: /^Chart\.ya?ml$/, what: "Helm chart" },
  { provider: "kubernetes", file: YAML, content: manifest },
];

function projectFileSignals(files: FileProbe): Signal[] {
  return files.list().flatMap((path) => {
    const base = posix.basename(path);
    let text: string | undefined;
    const seen = new Set<Provider>();
    return FILE_RULES.flatMap((rule): Signal[] => {
      if (seen.has(rule.provider) || !rule.file.test(base)) return [];
      let value = rule.what ?? "";
      if (rule.content !== undefined) {
        text ??= files.read(path) ?? "";
        const matched = rule.content(text);
        if (matched === undefined) return [];
        value = matched;
      }
      seen.add(rule.provider);
      return [{ provider: rule.provider, tier: Tier.projectFiles, source: "project file", name: path, value }];
    });
  });
}

// ---- tier 6: home directory ------------------------------------------------------------------

function homeSignals(homeDir: string, files: FileProbe): Signal[] {
  return PROVIDERS.flatMap((provider) =>
    RULES[provider].home
      .filter((relative) => files.exists(join(homeDir, relative)))
      .map((relative) => ({ provider, tier: Tier.homeDirectory, source: "home directory" as const, name: `~/${relative}`, value: "present" })),
  );
}

// ---- errors ------------------------------------------------------------------------------------

/** How to settle the choice between `candidates` (every provider when there are none). */
function fix(candidates: readonly Provider[]): string {
  const names = candidates.length === 0 ? PROVIDERS : candidates;
  const one = names.length === 1 ? names[0]! : `<${names.join("|")}>`;
  return `choose explicitly: pass ${orList(names.map((p) => `--provider ${p}`))}, run \`pulumi config set polycloud:provider ${one}\`, or set provider: ${one} in the spec`;
}

/** "a", "a or b", "a, b or c" (with `and`: "a, b and c"). */
function orList(items: readonly string[], word: "or" | "and" = "or"): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${word} ${items.at(-1)!}`;
}

function describe(signal: Signal): string {
  return `${signal.name}=${JSON.stringify(signal.value)}`;
}

function tie(tier: Tier, providers: readonly Provider[], inTier: readonly Signal[]): PolycloudError {
  const evidence = providers.map((p) => `${p} (${inTier.filter((s) => s.provider === p).map(describe).join(", ")})`).join(" vs ");
  // Explicit choices that disagree: make them agree, or override them all with --provider.
  const settle =
    tier === Tier.explicit
      ? `make ${orList(inTier.map((s) => s.name), "and")} name the same provider, or override them: pass ${orList(providers.map((p) => `--provider ${p}`))}`
      : fix(providers);
  return new PolycloudError(
    [{ path: "provider", message: `tier ${tier} (${TIER_NAMES[tier]}) points at ${providers.length} providers: ${evidence}`, fix: settle }],
    "Cannot detect the provider",
  );
}

function noEvidence(signals: readonly Signal[], strict: boolean): PolycloudError {
  const looked = strict
    ? "strict mode looks only at --provider, the spec's provider, polycloud:provider, POLYCLOUD_PROVIDER and the providers' stack config"
    : "no explicit choice, provider stack config, provider environment variables, provider SDK in package.json or provider project files";
  const home = signals.filter((s) => s.tier === Tier.homeDirectory);
  const note = home.length === 0 ? "" : `; home-directory files are shown but never decide: ${home.map((s) => `${s.name} (${s.provider})`).join(", ")}`;
  return new PolycloudError([{ path: "provider", message: `no evidence found: ${looked}${note}`, fix: fix(home.map((s) => s.provider)) }], "Cannot detect the provider");
}

// ---- explanation ---------------------------------------------------------------------------------

/** The decision and every signal as lines of text, strongest first; the deciding signals are marked. */
export function explain(decision: Decision): string[] {
  return [
    `provider: ${decision.provider} (tier ${decision.tier}, ${TIER_NAMES[decision.tier]})`,
    ...explainSignals(decision.signals, decision),
  ];
}

/** Signals as lines of text; with a decision, the ones that decided are marked with `*`. */
export function explainSignals(signals: readonly Signal[], decision?: Decision): string[] {
  if (signals.length === 0) return ["  (no signals)"];
  const width = Math.max(...signals.map((s) => `${s.name} = ${s.value}`.length));
  return signals.map((s) => {
    const decided = decision !== undefined && s.tier === decision.tier && s.provider === decision.provider && s.shadowedBy === undefined;
    const note = s.shadowedBy !== undefined ? ` (overridden by ${s.shadowedBy})` : s.tier === Tier.homeDirectory ? " (never decisive)" : "";
    return `${decided ? "*" : " "} ${s.provider.padEnd(10)} tier ${s.tier} ${TIER_NAMES[s.tier].padEnd(15)} ${`${s.name} = ${s.value}`.padEnd(width)}${note}`.trimEnd();
  });
}
