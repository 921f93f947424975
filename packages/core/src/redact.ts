/**
 * Credentials out of everything polycloud prints: one function, used by `describeValue`, every
 * PolycloudError and the CLI's output. What carries a credential is masked with `***`, keeping enough
 * to recognise the value:
 *
 * - URL userinfo: `https://admin:***@db.example.com` (a lone user name stays when it is short, like `git@`);
 * - webhook URLs, whose path is the token: `https://hooks.slack.com/services/***`;
 * - query and connection-string parameters named like a credential: `?token=***`, `sig=***`, `;AccountKey=***`;
 * - stack config keys named like a credential: `polycloud:secrets.stripe-key=***`;
 * - tokens with a known shape: `AKIA***`, `ghp_***`, `xoxb-***`, `sk_live_***`, `eyJ***` (JWT), PEM private keys;
 * - and, by field ({@link redactValue}): anything under a secret-looking name or in the spec's `secrets`
 *   section (`<redacted>`), and webhook fields (scheme, host and first path segment only).
 */

/** What replaces a masked part. */
export const MASK = "***";

/** What replaces a value that is secret by the name of its field. */
export const REDACTED = "<redacted>";

// Names that suggest a secret: their values are never echoed in messages.
const SECRET_NAME = /(secret|passw(or)?d|pwd|token|api[-_]?key|private[-_]?key|access[-_]?key|credential|auth|signature|conn(ection)?[-_]?str)/i;

/** True when a property name suggests its value is a secret. */
export function isSecretLookingName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// Characters that end a URL or a token in running text, in JSON and in YAML alike.
const END = `\\s"'<>\`\\\\`;

/** Hosts whose webhook URLs carry their token in the path. */
const WEBHOOK_HOST =
  /^(hooks\.slack\.com|[\w-]+\.webhook\.office\.com|outlook\.office(365)?\.com|(ptb\.|canary\.)?discord(app)?\.com|hooks\.zapier\.com|events\.pagerduty\.com|maker\.ifttt\.com|api\.telegram\.org|chat\.googleapis\.com)$/i;

/** Parameter names (in running text and connection strings) whose values are credentials. */
const SECRET_PARAM = /(token|sig|signature|secret|passw(or)?d|pwd|key|auth|credential)/i;
/** In a URL's query or fragment, also one-time codes and sessions. */
const SECRET_URL_PARAM = /(token|sig|signature|secret|passw(or)?d|pwd|key|auth|credential|session|code)/i;

/** Tokens recognisable by their shape; the group is what stays visible. */
const TOKEN_SHAPES: readonly RegExp[] = [
  /\b((?:AKIA|ASIA)(?=[0-9A-Z]{16}\b))[0-9A-Z]{16}\b/g,
  /\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}/g,
  /\b(glpat-)[A-Za-z0-9_-]{16,}/g,
  /\b(xox[abposr]-)[A-Za-z0-9-]{8,}/g,
  /\b((?:sk|rk|pk)_(?:live|test)_|whsec_)[A-Za-z0-9]{8,}/g,
  /\b(AIza)[0-9A-Za-z_-]{30,}/g,
  /\b(npm_)[A-Za-z0-9]{30,}/g,
  /\b(eyJ)[\w-]{6,}\.eyJ[\w-]{6,}(?:\.[\w-]*)?/g,
  /(-----BEGIN [A-Z ]*PRIVATE KEY-----)(?:(?!-----END)[^"'`])*(?:-----END [A-Z ]*PRIVATE KEY-----)?/g,
  /\b((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{12,}/g,
];

const URL_PATTERN = new RegExp(`\\b[a-z][a-z0-9+.-]*:\\/\\/[^${END}]+`, "gi");
const PARAM_PATTERN = new RegExp(`(^|[?&;#\\s])([\\w.-]+)=([^&;#${END}]*)`, "g");
const CONFIG_PATTERN = new RegExp(`\\b([\\w-]+:[\\w.-]+)=([^${END}]+)`, "g");

/**
 * `text` with every credential in it masked: URL userinfo, webhook paths, credential parameters,
 * secret stack config values and tokens of known shapes. Idempotent; text without credentials is
 * returned unchanged.
 */
export function redactText(text: string): string {
  let out = text.replace(URL_PATTERN, (url) => maskUrl(url, false));
  out = out.replace(PARAM_PATTERN, (all, before: string, name: string, value: string) =>
    value !== "" && value !== MASK && SECRET_PARAM.test(name) ? `${before}${name}=${MASK}` : all,
  );
  out = out.replace(CONFIG_PATTERN, (all, key: string, value: string) =>
    (/^polycloud:secrets\./.test(key) || isSecretLookingName(key.slice(key.indexOf(":") + 1))) && value !== MASK ? `${key}=${MASK}` : all,
  );
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, (_, kept: string) => `${kept}${MASK}`);
  return out;
}

/** True when `text` carries something {@link redactText} masks. */
export function containsCredential(text: string): boolean {
  return redactText(text) !== text;
}

/**
 * A value as messages may show it, given the dotted path of its field: `<redacted>` under a
 * secret-looking name or in the spec's `secrets` section, a webhook field's URL cut to its scheme,
 * host and first path segment, and any other text through {@link redactText}.
 */
export function redactValue(value: string, path = ""): string {
  if (isSecretPath(path)) return REDACTED;
  const last = lastSegment(path);
  if (/(webhook|hook|slack|teams|discord)/i.test(last)) return redactText(maskUrl(value, true));
  return redactText(value);
}

/**
 * True when the field at `path` holds a secret by its meaning: a secret-looking name, or an entry of
 * the spec's `secrets` section other than its documented settings (a value written where the
 * settings go is the secret itself).
 */
export function isSecretPath(path: string): boolean {
  return isSecretLookingName(lastSegment(path)) || /^secrets\.[^.[\]]+(?:$|[.[](?!(description|rotationDays|generate)$))/.test(path);
}

/**
 * Every string inside a JSON-like value through {@link redactText} (object keys included); other
 * values as they are. For documents printed or written whole, such as `plan --json`.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v)) as T;
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactText(k), redactDeep(v)])) as T;
  }
  return value;
}

const lastSegment = (path: string) => path.split(/[.[\]]/).filter((s) => s !== "").pop() ?? "";

/**
 * A URL with its credentials masked: userinfo (a password always, a lone user name when long enough to
 * be a token), the path of a webhook (all of it after the first segment when `webhook` says the URL is
 * one, else only for known webhook hosts) and credential parameters (every parameter of a webhook).
 */
function maskUrl(url: string, webhook: boolean): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^/?#]*)@)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url);
  if (m === null) return url;
  const [, scheme = "", userinfo, host = "", path = "", query = "", fragment = ""] = m;
  let auth = "";
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(":");
    if (colon !== -1) auth = `${userinfo.slice(0, colon)}:${MASK}@`;
    else auth = userinfo.length >= 20 || userinfo === MASK ? `${MASK}@` : `${userinfo}@`;
  }
  const hook = webhook || WEBHOOK_HOST.test(host.replace(/:\d+$/, ""));
  let maskedPath = path;
  if (hook) {
    const segments = path.split("/").filter((s) => s !== "");
    // Discord and Telegram keep their token below a fixed prefix.
    const keep = /discord/i.test(host) && segments[0] === "api" ? 2 : 1;
    const rest = segments.slice(keep);
    if (rest.length > 0 && !(rest.length === 1 && rest[0] === MASK)) maskedPath = `/${[...segments.slice(0, keep), MASK].join("/")}`;
    else if (webhook && segments.length === 1 && segments[0]!.length >= 16) maskedPath = `/${MASK}`;
  }
  const maskParams = (part: string) =>
    part.replace(/([?&;#])([^=&;#]+)=([^&;#]*)/g, (all, sep: string, name: string, value: string) =>
      value !== "" && (hook || SECRET_URL_PARAM.test(name)) ? `${sep}${name}=${MASK}` : all,
    );
  return `${scheme}${auth}${host}${maskedPath}${maskParams(query)}${maskParams(fragment)}`;
}
