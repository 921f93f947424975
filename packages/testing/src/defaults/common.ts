/** What every provider's default outputs are built from, and deterministic id helpers. */
import type { PropertyBag, ProviderName } from "../types";

/** What a run knows that defaults depend on. */
export interface DefaultsEnv {
  readonly project: string;
  readonly stack: string;
  readonly preview: boolean;
  /** The provider hint given to `runProgram`, if any. */
  readonly hint: ProviderName | undefined;
  /** A config value (`aws:region`), or undefined. */
  config(key: string): string | undefined;
  /** The recorded inputs of an explicit provider resource, by URN. */
  providerInputs(urn: string | undefined): PropertyBag | undefined;
  /** Recorded outputs of resources of a type, to follow references (an Azure resource group's location). */
  outputsOf(type: string): PropertyBag[];
}

/** One resource to invent outputs for. */
export interface ResourceRequest {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  /** Plain inputs (secrets unwrapped). */
  readonly inputs: PropertyBag;
  /** Explicit provider URN, if any. */
  readonly provider: string | undefined;
  /** The id being read (`Resource.get`) or imported. */
  readonly id: string | undefined;
  /**
   * Every property the SDK class declares (inputs and outputs), when known: the SDK passes outputs
   * as undefined properties, so this tells which outputs the resource has.
   */
  readonly properties: ReadonlySet<string> | undefined;
  readonly env: DefaultsEnv;
}

/** True when the resource declares `key` (or when its properties are not known). */
export function declares(req: ResourceRequest, key: string): boolean {
  return req.properties === undefined || req.properties.has(key);
}

/** Invented outputs: merged over the inputs to form the mocked state. */
export interface Generated {
  readonly id?: string;
  readonly outputs: PropertyBag;
  /** Output keys a real preview knows already (auto-names); the rest stay unknown in a preview. */
  readonly knownInPreview?: readonly string[];
}

export type Generator = (req: ResourceRequest) => Generated;
export type InvokeDefault = (inputs: PropertyBag, env: DefaultsEnv, provider: string | undefined) => PropertyBag;

/**
 * 53 well-mixed bits of `seed` (cyrb53): cheap and deterministic. Ids only need to look random and
 * be stable, not to resist attack, and a run hashes thousands of them.
 */
function hash53(seed: string, salt: number): number {
  let h1 = 0xdeadbeef ^ salt;
  let h2 = 0x41c6ce57 ^ salt;
  for (let i = 0; i < seed.length; i++) {
    const ch = seed.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Hex digits from `seed`, `length` characters long. */
export function hex(seed: string, length: number): string {
  let out = "";
  // 13 hex digits (52 bits) per round: every digit uniformly spread.
  for (let salt = 0; out.length < length; salt++) out += (hash53(seed, salt) % 2 ** 52).toString(16).padStart(13, "0");
  return out.slice(0, length);
}

/** Lower-case letters and digits, `length` long, from `seed`. */
export function alnum(seed: string, length: number): string {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  const h = hex(seed, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) out += chars[parseInt(h.slice(i * 2, i * 2 + 2), 16) % chars.length];
  return out;
}

/** Decimal digits, `length` long, not starting with 0. */
export function digits(seed: string, length: number): string {
  const h = hex(seed, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) {
    const d = parseInt(h.slice(i * 2, i * 2 + 2), 16) % 10;
    out += i === 0 && d === 0 ? "1" : String(d);
  }
  return out;
}

/** A version-4-shaped UUID from `seed`. */
export function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `VirtualNetwork` -> `virtualNetwork`. */
export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** `SecurityGroup` -> `security-group`. */
export function kebab(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/** English plural of a lower-camel noun: `network` -> `networks`, `policy` -> `policies`. */
export function plural(s: string): string {
  if (/(s|x|z|ch|sh)$/.test(s)) return `${s}es`;
  if (/[^aeiou]y$/.test(s)) return `${s.slice(0, -1)}ies`;
  return `${s}s`;
}

/** The parts of a type token: `aws:ec2/vpc:Vpc` -> { pkg: "aws", module: "ec2", name: "Vpc" }. */
export function parseToken(type: string): { pkg: string; module: string; name: string } {
  const [pkg = "", mod = "", name = ""] = type.split(":");
  return { pkg, module: mod.split("/")[0] ?? "", name };
}

/** A string input, or undefined. */
export function str(inputs: PropertyBag, key: string): string | undefined {
  const v = inputs[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A plain object input, or an empty object. */
export function obj(value: unknown): PropertyBag {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as PropertyBag) : {};
}
