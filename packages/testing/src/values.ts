/**
 * Plain values as the harness records them: decoded from Pulumi's wire format (protobuf Struct
 * turned into JavaScript), with secrets unwrapped but their paths remembered, unknowns (previews)
 * replaced by one sentinel, resource references reduced to their URN.
 */

// The signature keys of Pulumi's wire format (@pulumi/pulumi runtime/rpc.js).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What a secret value reads as in `toJSON()` snapshots and in failure messages. */
export const REDACTED = "[secret]";

/** The type of {@link UNKNOWN}. */
export class Unknown {
  private constructor() {}
  /** @internal */
  static readonly instance = new Unknown();
  toString(): string {
    return "[unknown]";
  }
  toJSON(): string {
    return "[unknown]";
  }
}

/**
 * A value a preview cannot know yet (an id, or a computed output of a resource not created yet).
 * Compare with `toBe(UNKNOWN)`, `isUnknown(v)` or `Match.unknown()`.
 */
export const UNKNOWN: Unknown = Unknown.instance;

/** True when `value` is the preview's {@link UNKNOWN} sentinel. */
export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** A property bag decoded from the wire, with the paths of the values that were secret. */
export interface DecodedProperties {
  readonly values: Record<string, unknown>;
  /** Paths (`a.b[0].c`) of secret values, outermost only. */
  readonly secretPaths: readonly string[];
}

/** Appends a key to a path: `a.b`, or `a["x.y"]` for keys that are not identifiers. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * Decodes a `Struct.toJavaScript()` property bag. Values identical to those of `known` (a bag
 * decoded before, e.g. the inputs an answer echoes) are reused rather than decoded again.
 */
export function decodeProperties(wire: Record<string, unknown> | undefined, known?: { readonly wire: Record<string, unknown>; readonly decoded: DecodedProperties }): DecodedProperties {
  const secretPaths: string[] = [];
  const values: Record<string, unknown> = {};
  if (wire !== undefined) {
    for (const key of Object.keys(wire)) {
      const v = wire[key];
      if (v === undefined) continue;
      const path = joinPath("", key);
      if (known !== undefined && known.wire[key] === v && key in known.decoded.values) {
        values[key] = known.decoded.values[key];
        for (const p of known.decoded.secretPaths) if (p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)) secretPaths.push(p);
        continue;
      }
      values[key] = decodeValue(v, path, secretPaths);
    }
  }
  return { values, secretPaths };
}

function decodeValue(value: unknown, path: string, secrets: string[]): unknown {
  if (value === UNKNOWN_WIRE) return UNKNOWN;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, joinPath(path, i), secrets));
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case undefined:
      break;
    case SECRET_SIG: {
      secrets.push(path);
      // Nested secrets inside a secret add nothing: the whole value is already secret.
      return decodeValue(obj["value"], path, []);
    }
    case RESOURCE_SIG:
      return obj["urn"];
    case ASSET_SIG:
      return { asset: stripSig(obj) };
    case ARCHIVE_SIG:
      return { archive: stripSig(obj) };
    case OUTPUT_SIG: {
      if (obj["secret"] === true) secrets.push(path);
      return "value" in obj ? decodeValue(obj["value"], path, obj["secret"] === true ? [] : secrets) : UNKNOWN;
    }
    default:
      break;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined) continue;
    out[key] = decodeValue(v, joinPath(path, key), secrets);
  }
  return out;
}

function stripSig(obj: Record<string, unknown>): Record<string, unknown> {
  const { [SIG_KEY]: _sig, ...rest } = obj;
  return rest;
}

/** True when `path` or one of its ancestors is in `secretPaths`. */
export function isSecretPath(path: string, secretPaths: ReadonlySet<string> | readonly string[]): boolean {
  const set = secretPaths instanceof Set ? secretPaths : new Set(secretPaths as readonly string[]);
  if (set.size === 0) return false;
  let p = path;
  for (;;) {
    if (set.has(p)) return true;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) return false;
    p = p.slice(0, cut);
  }
}

/**
 * A deep copy of `value` with every secret replaced by {@link REDACTED}, unknowns as `"[unknown]"`,
 * object keys sorted: the form snapshots and `plan --json` show.
 */
export function redact(value: unknown, secretPaths: ReadonlySet<string>, path = ""): unknown {
  if (path !== "" && isSecretPath(path, secretPaths)) return REDACTED;
  if (isUnknown(value)) return "[unknown]";
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, secretPaths, joinPath(path, i)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    out[key] = redact((value as Record<string, unknown>)[key], secretPaths, joinPath(path, key));
  }
  return out;
}

/** Wraps a wire value as a secret (already-secret values stay as they are). */
export function wireSecret(value: unknown): unknown {
  if (value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return value;
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** Thrown by {@link plainToWire} for a value only the SDK can serialize (Output, Promise, Asset, resource). */
export class NotPlain extends Error {}

/**
 * A plain value (JSON-like, `UNKNOWN`, already-encoded secrets) in wire form, without undefined
 * keys. Throws {@link NotPlain} for anything else.
 */
export function plainToWire(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (isUnknown(value)) return UNKNOWN_WIRE;
  if (Array.isArray(value)) return value.map(plainToWire);
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new NotPlain();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plainToWire(v);
    return out;
  }
  throw new NotPlain();
}

/**
 * The strings at `secretPaths` of `value` (each path's own value, when it is a string): what
 * `toJSON()` hides in log messages. Strings nested inside a secret object are not included: such
 * objects (a Kubernetes Secret's `stringData`) hold names as well as secrets.
 */
export function secretStrings(value: unknown, secretPaths: Iterable<string>): string[] {
  const out: string[] = [];
  for (const path of secretPaths) {
    const v = valueAt(value, path);
    if (typeof v === "string") out.push(v);
  }
  return out;
}

/** The keys of a path made by {@link joinPath} (`a.b[0]["x.y"]` -> `a`, `b`, 0, `x.y`). */
function pathKeys(path: string): (string | number)[] {
  return [...path.matchAll(/(?:^|\.)([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)].map(([, dotted, index, quoted]) =>
    dotted ?? (index === undefined ? (JSON.parse(quoted!) as string) : Number(index)),
  );
}

/** The value at a path made by {@link joinPath} (or at its keys), or undefined. */
function valueAt(value: unknown, path: string | readonly (string | number)[]): unknown {
  let v = value;
  for (const key of typeof path === "string" ? pathKeys(path) : path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** Wraps the wire value at `path` of `wire` as a secret, in place; a path `wire` does not have is left alone. */
export function wrapSecretAt(wire: Record<string, unknown>, path: string): void {
  const keys = pathKeys(path);
  const last = keys.pop();
  const parent = valueAt(wire, keys);
  if (last === undefined || parent === null || typeof parent !== "object" || !(last in parent)) return;
  (parent as Record<string | number, unknown>)[last] = wireSecret((parent as Record<string | number, unknown>)[last]);
}
