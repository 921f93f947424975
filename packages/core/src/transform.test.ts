import type * as pulumi from "@pulumi/pulumi";
import { transformed } from "./transform";

describe("transformed", () => {
  interface VpcArgs {
    name: string;
    cidr: string;
    tags?: Record<string, string>;
  }
  const ours = (): VpcArgs => ({ name: "vpc", cidr: "10.0.0.0/16", tags: { app: "shop", environment: "development" } });
  const opts = (): pulumi.CustomResourceOptions => ({ protect: true });

  it("returns our name, args and options unchanged when there is no transform", () => {
    const args = ours();
    const options = opts();
    const [name, a, o] = transformed("shop-vpc", args, options, undefined);
    expect(name).toBe("shop-vpc");
    expect(a).toBe(args);
    expect(o).toBe(options);
  });

  it("merges partial args over ours, merging tags key by key instead of replacing them", () => {
    const [, args] = transformed("shop-vpc", ours(), opts(), { cidr: "10.1.0.0/16", tags: { team: "payments", app: "shop2" } });
    expect(args).toEqual({ name: "vpc", cidr: "10.1.0.0/16", tags: { app: "shop2", environment: "development", team: "payments" } });
  });

  it("merges Kubernetes metadata labels and annotations, and replaces everything else", () => {
    interface DeploymentArgs {
      metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: { replicas?: number; selector?: Record<string, string> };
    }
    const k8s: DeploymentArgs = { metadata: { name: "api", labels: { app: "shop" }, annotations: { a: "1" } }, spec: { replicas: 2, selector: { x: "y" } } };
    const [, args] = transformed("api", k8s, opts(), { metadata: { labels: { team: "t" } }, spec: { replicas: 3 } });
    expect(args).toEqual({ metadata: { name: "api", labels: { app: "shop", team: "t" }, annotations: { a: "1" } }, spec: { replicas: 3 } });
  });

  it("passes args, options and the name to a function transform, which may change them in place", () => {
    const seen: string[] = [];
    const [, args, options] = transformed("shop-vpc", ours(), opts(), (a, o, name) => {
      seen.push(name);
      a.cidr = "10.2.0.0/16";
      o.ignoreChanges = ["tags"];
    });
    expect(seen).toEqual(["shop-vpc"]);
    expect(args.cidr).toBe("10.2.0.0/16");
    expect(options).toEqual({ protect: true, ignoreChanges: ["tags"] });
  });

  it("uses the args and options a function transform returns (retainOnDelete, import, aliases)", () => {
    const [, args, options] = transformed("shop-vpc", ours(), opts(), (a, o) => ({
      args: { ...a, cidr: "10.3.0.0/16" },
      opts: { ...o, retainOnDelete: true, import: "vpc-123", aliases: [{ name: "old-vpc" }] },
    }));
    expect(args.cidr).toBe("10.3.0.0/16");
    expect(options).toEqual({ protect: true, retainOnDelete: true, import: "vpc-123", aliases: [{ name: "old-vpc" }] });
  });
});
