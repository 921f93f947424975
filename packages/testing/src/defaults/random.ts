/**
 * `@pulumi/random` defaults: deterministic results that respect the inputs (length, character
 * classes, byte length, bounds). Passwords stay secret: the SDK marks `result` an additional secret
 * output and the harness honours it.
 */
import type { PropertyBag } from "../types";
import { hex, uuid } from "./common";
import type { Generated, Generator } from "./common";

const ADJECTIVES = ["brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "kind", "lively", "proud"];
const ANIMALS = ["otter", "falcon", "panda", "lynx", "heron", "koala", "tapir", "bison", "gecko", "quokka"];

function bytes(seed: string, n: number): Buffer {
  return Buffer.from(hex(seed, n * 2), "hex");
}

/** A string of `length` characters drawn from the enabled classes, at least one of each `min*`. */
function randomString(seed: string, inputs: PropertyBag): string {
  const length = typeof inputs["length"] === "number" ? inputs["length"] : 16;
  const classes: Array<[string, number]> = [];
  if (inputs["upper"] !== false) classes.push(["ABCDEFGHIJKLMNOPQRSTUVWXYZ", Number(inputs["minUpper"] ?? 0)]);
  if (inputs["lower"] !== false) classes.push(["abcdefghijklmnopqrstuvwxyz", Number(inputs["minLower"] ?? 0)]);
  if (inputs["numeric"] !== false && inputs["number"] !== false) classes.push(["0123456789", Number(inputs["minNumeric"] ?? 0)]);
  if (inputs["special"] !== false) classes.push([typeof inputs["overrideSpecial"] === "string" ? inputs["overrideSpecial"] : "!@#$%&*()-_=+[]{}<>:?", Number(inputs["minSpecial"] ?? 0)]);
  if (classes.length === 0) classes.push(["abcdefghijklmnopqrstuvwxyz", 0]);
  const all = classes.map(([c]) => c).join("");
  const b = bytes(seed, length);
  const chars: string[] = [];
  // Each class first takes its minimum (and one character, so every class appears), then the rest from all.
  for (const [set, min] of classes) for (let i = 0; i < Math.max(min, 1) && chars.length < length; i++) chars.push(set[b[chars.length]! % set.length]!);
  while (chars.length < length) chars.push(all[b[chars.length]! % all.length]!);
  return chars.join("");
}

/** Default outputs for a `random:` resource. */
export const randomResource: Generator = (req): Generated => {
  const seed = req.urn;
  const i = req.inputs;
  switch (req.type) {
    case "random:index/randomPassword:RandomPassword": {
      const result = randomString(seed, i);
      return { id: "none", outputs: { result, bcryptHash: `$2a$10$${hex(`${seed}#bcrypt`, 53)}` } };
    }
    case "random:index/randomString:RandomString": {
      const result = randomString(seed, i);
      return { id: result, outputs: { result } };
    }
    case "random:index/randomId:RandomId": {
      const b = bytes(seed, typeof i["byteLength"] === "number" ? i["byteLength"] : 8);
      const prefix = typeof i["prefix"] === "string" ? i["prefix"] : "";
      const b64Url = b.toString("base64url");
      return { id: b64Url, outputs: { hex: prefix + b.toString("hex"), b64Url: prefix + b64Url, b64Std: prefix + b.toString("base64"), dec: prefix + BigInt(`0x${b.toString("hex")}`).toString() } };
    }
    case "random:index/randomPet:RandomPet": {
      const n = typeof i["length"] === "number" ? i["length"] : 2;
      const sep = typeof i["separator"] === "string" ? i["separator"] : "-";
      const b = bytes(seed, n);
      const words = Array.from({ length: n }, (_v, k) => (k === n - 1 ? ANIMALS : ADJECTIVES)[b[k]! % 10]!);
      const id = [...(typeof i["prefix"] === "string" ? [i["prefix"]] : []), ...words].join(sep);
      return { id, outputs: {} };
    }
    case "random:index/randomInteger:RandomInteger": {
      const min = Number(i["min"] ?? 0);
      const max = Number(i["max"] ?? min + 100);
      const result = min + (parseInt(hex(seed, 8), 16) % (max - min + 1));
      return { id: String(result), outputs: { result } };
    }
    case "random:index/randomUuid:RandomUuid": {
      const result = uuid(seed);
      return { id: result, outputs: { result } };
    }
    case "random:index/randomShuffle:RandomShuffle": {
      const items = Array.isArray(i["inputs"]) ? [...(i["inputs"] as unknown[])] : [];
      const b = bytes(seed, Math.max(items.length, 1));
      for (let k = items.length - 1; k > 0; k--) {
        const j = b[k]! % (k + 1);
        [items[k], items[j]] = [items[j], items[k]];
      }
      const count = typeof i["resultCount"] === "number" ? i["resultCount"] : items.length;
      return { id: "-", outputs: { results: items.slice(0, count) } };
    }
    case "random:index/randomBytes:RandomBytes": {
      const b = bytes(seed, typeof i["length"] === "number" ? i["length"] : 32);
      return { id: "none", outputs: { base64: b.toString("base64"), hex: b.toString("hex") } };
    }
    default:
      return { id: `${req.name}-${hex(seed, 8)}`, outputs: {} };
  }
};
