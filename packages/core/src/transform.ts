/**
 * `args.transform`: every child resource of a component can be adjusted by the user, the way SST
 * does it. A transform is either partial args merged over ours (tags, labels and annotations are
 * merged key by key, never replaced), or a function that receives our args, our resource options and
 * the child's name, and may change them in place or return new ones, so a user can add
 * `ignoreChanges`, `import`, `retainOnDelete`, `aliases` or `protect` to any child.
 */
import type * as pulumi from "@pulumi/pulumi";

/** What a function transform may return instead of changing its arguments in place. */
export interface TransformResult<Args, Opts> {
  readonly args?: Args;
  readonly opts?: Opts;
}

/** Partial args merged over ours, or a function over our args and resource options. */
export type Transform<Args, Opts extends pulumi.ResourceOptions = pulumi.CustomResourceOptions> =
  | Partial<Args>
  | ((args: Args, opts: Opts, name: string) => void | TransformResult<Args, Opts>);

/** Keys whose plain-object values are merged with ours rather than replacing them (AWS tags, Kubernetes metadata, GCP labels). */
const MERGED_KEYS = new Set(["tags", "labels", "annotations", "metadata", "defaultTags"]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;

function mergeArgs<T extends object>(ours: T, theirs: Partial<T>): T {
  const merged: Record<string, unknown> = { ...(ours as Record<string, unknown>) };
  for (const [key, value] of Object.entries(theirs)) {
    const current = merged[key];
    merged[key] = MERGED_KEYS.has(key) && isPlainObject(current) && isPlainObject(value) ? mergeArgs<Record<string, unknown>>(current, value) : value;
  }
  return merged as T;
}

/**
 * A child's name, args and resource options after the user's transform, to spread into its
 * constructor: `new aws.s3.Bucket(...transformed(name, args, opts, t.bucket))`.
 */
export function transformed<A extends object, O extends pulumi.ResourceOptions>(name: string, args: A, opts: O, userTransform: Transform<A, O> | undefined): [string, A, O] {
  if (userTransform === undefined) return [name, args, opts];
  if (typeof userTransform !== "function") return [name, mergeArgs(args, userTransform), opts];
  const result = userTransform(args, opts, name);
  return [name, result?.args ?? args, result?.opts ?? opts];
}
