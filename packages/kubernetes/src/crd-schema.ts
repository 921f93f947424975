/**
 * Checks an object against a CustomResourceDefinition's structural schema (its `openAPIV3Schema`) the
 * way the API server does on `kubectl apply --validate=strict` / server-side field validation
 * `Strict`: types (with `x-kubernetes-int-or-string`), required fields, enums, patterns, bounds,
 * `nullable`, `x-kubernetes-list-type` set/map uniqueness, the `anyOf`/`allOf`/`oneOf`/`not` value
 * constraints, and every property the schema does not declare (unless `additionalProperties` or
 * `x-kubernetes-preserve-unknown-fields` allows it). Not checked: CEL rules (`x-kubernetes-validations`),
 * which only an API server evaluates, and `format`. `metadata` is the API server's ObjectMeta, not the
 * CRD's. Pure.
 */

/** The subset of a structural schema that CRDs use. */
export interface StructuralSchema {
  readonly type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly additionalProperties?: boolean | StructuralSchema;
  readonly items?: StructuralSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly nullable?: boolean;
  readonly anyOf?: readonly StructuralSchema[];
  readonly allOf?: readonly StructuralSchema[];
  readonly oneOf?: readonly StructuralSchema[];
  readonly not?: StructuralSchema;
  readonly "x-kubernetes-int-or-string"?: boolean;
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean;
  readonly "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  readonly "x-kubernetes-list-map-keys"?: readonly string[];
}

/** One violation: the path of the offending value (`spec.groups[0].rules[1].for`) and what is wrong. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

const join = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const patterns = new Map<string, RegExp | undefined>();
/** A CRD pattern (Go RE2) as a JavaScript RegExp; undefined when JavaScript cannot read it (then unchecked). */
function regExp(pattern: string): RegExp | undefined {
  if (!patterns.has(pattern)) {
    try {
      patterns.set(pattern, new RegExp(pattern, "u"));
    } catch {
      patterns.set(pattern, undefined);
    }
  }
  return patterns.get(pattern);
}

/** Every violation of `value` against `schema`; `constraintsOnly` for the sub-schemas of anyOf/allOf/oneOf/not, which constrain values but declare no fields. */
export function schemaViolations(schema: StructuralSchema, value: unknown, path = "", constraintsOnly = false): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const add = (message: string, at = path) => out.push({ path: at, message });
  if (value === null) {
    if (schema.nullable !== true) add("must not be null");
    return out;
  }
  if (schema["x-kubernetes-int-or-string"] === true) {
    if (!(typeof value === "string" || Number.isInteger(value))) add("must be an integer or a string");
  } else {
    switch (schema.type) {
      case "object":
        if (!isObject(value)) add("must be an object");
        break;
      case "array":
        if (!Array.isArray(value)) add("must be an array");
        break;
      case "string":
        if (typeof value !== "string") add("must be a string");
        break;
      case "integer":
        if (!Number.isInteger(value)) add("must be an integer");
        break;
      case "number":
        if (typeof value !== "number") add("must be a number");
        break;
      case "boolean":
        if (typeof value !== "boolean") add("must be a boolean");
        break;
      case undefined:
        break;
    }
  }
  if (out.length > 0) return out;

  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value)) add(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (typeof value === "string") {
    const re = schema.pattern === undefined ? undefined : regExp(schema.pattern);
    if (re !== undefined && !re.test(value)) add(`must match ${schema.pattern}`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) add(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) add(`must be at most ${schema.maxLength} characters`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) add(`must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) add(`must be <= ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) add(`must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) add(`must have at most ${schema.maxItems} items`);
    const listType = schema["x-kubernetes-list-type"];
    if (listType === "set" || listType === "map") {
      const keys = schema["x-kubernetes-list-map-keys"] ?? [];
      const identity = (item: unknown) => JSON.stringify(listType === "map" && isObject(item) ? keys.map((k) => item[k]) : item);
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const id = identity(item);
        if (seen.has(id)) add(`duplicates an earlier item of a list of type ${listType}${listType === "map" ? ` keyed by ${keys.join(", ")}` : ""}`, `${path}[${i}]`);
        seen.add(id);
      });
    }
    if (schema.items !== undefined) value.forEach((item, i) => out.push(...schemaViolations(schema.items!, item, `${path}[${i}]`, constraintsOnly)));
  }
  if (isObject(value)) {
    const count = Object.keys(value).length;
    if (schema.minProperties !== undefined && count < schema.minProperties) add(`must have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && count > schema.maxProperties) add(`must have at most ${schema.maxProperties} properties`);
    for (const key of schema.required ?? []) if (value[key] === undefined) add("is required", join(path, key));
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      const at = join(path, key);
      const declared = schema.properties?.[key];
      if (declared !== undefined) out.push(...schemaViolations(declared, child, at, constraintsOnly));
      else if (isObject(schema.additionalProperties)) out.push(...schemaViolations(schema.additionalProperties, child, at, constraintsOnly));
      else if (!constraintsOnly && schema.additionalProperties !== true && schema["x-kubernetes-preserve-unknown-fields"] !== true) add("unknown property", at);
    }
  }

  const passes = (sub: StructuralSchema) => schemaViolations(sub, value, path, true).length === 0;
  for (const sub of schema.allOf ?? []) out.push(...schemaViolations(sub, value, path, true));
  if (schema.anyOf !== undefined && !schema.anyOf.some(passes)) add("must match at least one of the schema's anyOf alternatives");
  if (schema.oneOf !== undefined && schema.oneOf.filter(passes).length !== 1) add("must match exactly one of the schema's oneOf alternatives");
  if (schema.not !== undefined && passes(schema.not)) add("must not match the schema's not");
  return out;
}

/**
 * Violations of a whole custom resource: everything but `metadata`, which the API server checks as
 * ObjectMeta whatever the CRD says.
 */
export function customResourceViolations(schema: StructuralSchema, object: Readonly<Record<string, unknown>>): SchemaViolation[] {
  const anyMetadata: StructuralSchema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  return schemaViolations({ ...schema, properties: { ...schema.properties, metadata: anyMetadata } }, object);
}
