/**
 * polycloud's stack config: the keys under `polycloud:` that the CLI's `-c`, `Pulumi.<stack>.yaml` and
 * the Platform facade read. Backend options are `polycloud:<provider>.<option>` (nested options by
 * dotted path, or one key with a JSON object); secret values are `polycloud:secrets.<secret>`. Any
 * other key is an error naming the closest known key, so a typo is never silently ignored.
 */
import { PolycloudError, type Problem } from "../errors";
import type { Provider } from "../naming";
import { allowedKeysAt, formatPath, problemsFromIssue } from "../spec/issues";
import type { ResolvedSpec } from "../spec";
import { closestMatch } from "../suggest";
import { PROVIDER_OPTION_SCHEMAS, type BackendOptionsByProvider } from "./options";

/** The config namespace of polycloud's own keys. */
export const CONFIG_NAMESPACE = "polycloud";

/** polycloud's keys that are not backend options, with what each does. */
export const POLYCLOUD_CONFIG_KEYS: Readonly<Record<string, string>> = {
  provider: "the backend to build on (aws, azure, gcp, kubernetes); an explicit choice for detection",
  spec: "the spec file the stacks program builds, instead of <stack>.yaml",
  strict: '"true": only explicit choices and stack config pick the backend',
};

/** Prefix of secret values: `polycloud:secrets.stripe-key`. */
export const SECRET_VALUE_PREFIX = "secrets.";

type ProviderWithOptions = keyof typeof PROVIDER_OPTION_SCHEMAS;
const hasOptions = (provider: string): provider is ProviderWithOptions => provider in PROVIDER_OPTION_SCHEMAS;

/** Every backend option as a dotted key (`kubernetes.ingressController.namespace`), for suggestions. */
function optionKeys(): string[] {
  const walk = (provider: ProviderWithOptions, path: string[]): string[] =>
    allowedKeysAt(path, PROVIDER_OPTION_SCHEMAS[provider]).flatMap((key) => {
      const nested = walk(provider, [...path, key]);
      return [[provider, ...path, key].join("."), ...nested];
    });
  return (Object.keys(PROVIDER_OPTION_SCHEMAS) as ProviderWithOptions[]).flatMap((p) => walk(p, []));
}

/**
 * Problems with the `polycloud:` keys of a stack's config: unknown keys, backend options that do not
 * exist, secret values for secrets the spec does not have. Keys of other namespaces are not ours to judge.
 * @param secrets the spec's secret names, when known, to check `polycloud:secrets.<name>` keys against.
 */
export function configProblems(config: Readonly<Record<string, unknown>>, secrets?: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const fullKey of Object.keys(config)) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    if (key in POLYCLOUD_CONFIG_KEYS) continue;
    if (key.startsWith(SECRET_VALUE_PREFIX)) {
      const name = key.slice(SECRET_VALUE_PREFIX.length);
      if (secrets !== undefined && !secrets.includes(name)) {
        const guess = closestMatch(name, secrets);
        problems.push({
          path: fullKey,
          message: `"${name}" is not a secret of the spec (secrets: ${secrets.join(", ") || "none"})`,
          fix: guess === undefined ? "remove it, or add the secret to the spec" : `did you mean ${CONFIG_NAMESPACE}:${SECRET_VALUE_PREFIX}${guess}?`,
        });
      }
      continue;
    }
    const [provider, ...path] = key.split(".");
    // `polycloud:kubernetes: { ingressClassName: traefik }` in a stack file: the whole section at once.
    if (provider !== undefined && hasOptions(provider) && path.length === 0) continue;
    if (provider !== undefined && hasOptions(provider) && path.length > 0) {
      const parent = path.slice(0, -1);
      const allowed = allowedKeysAt(parent, PROVIDER_OPTION_SCHEMAS[provider]);
      // A path that ends inside a record (selectorLabels.release) is a value of that record: fine.
      const insideRecord = parent.length > 0 && allowed.length === 0 && allowedKeysAt(parent.slice(0, -1), PROVIDER_OPTION_SCHEMAS[provider]).includes(parent[parent.length - 1]!);
      if (insideRecord || allowed.includes(path[path.length - 1]!)) continue;
    }
    const known = [...Object.keys(POLYCLOUD_CONFIG_KEYS), ...optionKeys()];
    // `backupRegion` for `aws.backupRegion`: an option named without its provider is the likeliest slip.
    const guess = known.find((k) => k.toLowerCase().endsWith(`.${key.toLowerCase()}`)) ?? closestMatch(key, known, Math.max(2, Math.floor(key.length / 4)));
    const message =
      provider !== undefined && hasOptions(provider)
        ? `is not an option of the ${provider} backend; its options: ${allowedKeysAt([], PROVIDER_OPTION_SCHEMAS[provider]).join(", ")}`
        : `is not a polycloud setting; known: ${Object.keys(POLYCLOUD_CONFIG_KEYS).join(", ")}, ${SECRET_VALUE_PREFIX}<secret>, and backend options <provider>.<option> (${Object.keys(PROVIDER_OPTION_SCHEMAS).join(", ")})`;
    problems.push({ path: fullKey, message, fix: guess === undefined ? "remove it or check the spelling" : `did you mean ${CONFIG_NAMESPACE}:${guess}?` });
  }
  return problems;
}

/** A config string as a value: JSON objects, arrays and booleans parsed; anything else stays a string. */
function configValue(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  const text = raw.trim();
  if (text === "true" || text === "false" || text.startsWith("{") || text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** The `polycloud:<provider>.*` keys of a config as a nested object. */
function optionsFromConfig(provider: ProviderWithOptions, config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const prefix = `${CONFIG_NAMESPACE}:${provider}.`;
  const section = configValue(config[`${CONFIG_NAMESPACE}:${provider}`]);
  const options: Record<string, unknown> = isPlainObject(section) ? { ...section } : {};
  for (const [key, raw] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    const path = key.slice(prefix.length).split(".");
    let node = options;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      node = (node[segment] = typeof next === "object" && next !== null && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    const value = configValue(raw);
    const existing = node[last];
    // `kubernetes.selectorLabels={"a":"b"}` and `kubernetes.selectorLabels.c=d` together: both apply.
    node[last] = isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
  }
  return options;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

/**
 * A backend's options: the spec's `providers.<provider>` with stack config `polycloud:<provider>.*`
 * over it, defaults applied.
 * @throws PolycloudError naming each bad option by where it was set (the config key or the spec path).
 */
export function backendOptions<P extends Provider>(provider: P, spec: Pick<ResolvedSpec, "providers">, config: Readonly<Record<string, unknown>> = {}): BackendOptionsByProvider[P] {
  if (!hasOptions(provider)) return {} as BackendOptionsByProvider[P];
  const fromConfig = optionsFromConfig(provider, config);
  const merged = deepMerge((spec.providers[provider] ?? {}) as Record<string, unknown>, fromConfig);
  const parsed = PROVIDER_OPTION_SCHEMAS[provider].safeParse(merged);
  if (parsed.success) return parsed.data as BackendOptionsByProvider[P];
  const fromConfigAt = (path: readonly PropertyKey[]) => {
    let node: unknown = fromConfig;
    for (const key of path) {
      if (!isPlainObject(node) || !(String(key) in node)) return false;
      node = node[String(key)];
    }
    return true;
  };
  throw new PolycloudError(
    parsed.error.issues.flatMap((issue) =>
      problemsFromIssue(issue, merged, PROVIDER_OPTION_SCHEMAS[provider]).map(({ at, message, fix }) => {
        const where = fromConfigAt(at) ? `${CONFIG_NAMESPACE}:${provider}.${at.map(String).join(".")}` : formatPath(["providers", provider, ...at]);
        return { path: where, message, fix: fix ?? `fix the value of ${where}` };
      }),
    ),
    `Invalid ${provider} backend options`,
  );
}

/** Keys of secret values in a config: spec secret name -> config key (`polycloud:secrets.<name>`). */
export function secretValueKey(secretName: string): string {
  return `${CONFIG_NAMESPACE}:${SECRET_VALUE_PREFIX}${secretName}`;
}
