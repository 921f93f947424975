/**
 * `args.transform`: every child resource of a component can be adjusted by the user, either with a
 * partial set of args merged over ours, or with a function that receives our args and returns new ones.
 * This is the escape hatch that keeps components usable when a default does not fit.
 */

/** Partial args merged over the component's (shallow), or a function from the component's args to new ones. */
export type Transform<T> = Partial<T> | ((args: T, name: string) => T);

/** Applies a user's transform to the args a component built for one child. */
export function transform<T extends object>(args: T, name: string, userTransform: Transform<T> | undefined): T {
  if (userTransform === undefined) return args;
  if (typeof userTransform === "function") return userTransform(args, name);
  return { ...args, ...userTransform };
}
