import { transform } from "./transform";

describe("transform", () => {
  const ours = { name: "vpc", cidr: "10.0.0.0/16", tags: { app: "shop" } };

  it("returns our args unchanged when there is no transform", () => {
    expect(transform(ours, "shop-vpc", undefined)).toBe(ours);
  });

  it("merges partial args over ours when the transform is an object", () => {
    expect(transform(ours, "shop-vpc", { cidr: "10.1.0.0/16" })).toEqual({ ...ours, cidr: "10.1.0.0/16" });
  });

  it("passes our args and the child's name to a function transform and uses what it returns", () => {
    const seen: string[] = [];
    const result = transform(ours, "shop-vpc", (args, name) => {
      seen.push(name);
      return { ...args, tags: { ...args.tags, extra: "1" } };
    });
    expect(seen).toEqual(["shop-vpc"]);
    expect(result.tags).toEqual({ app: "shop", extra: "1" });
  });
});
