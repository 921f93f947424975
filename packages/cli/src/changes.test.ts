import type { automation } from "@pulumi/pulumi";
import { changesOf, summarize } from "./changes";

const pre = (op: string, name: string, type = "kubernetes:core/v1:Secret") =>
  ({ sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { op, urn: `urn:pulumi:prod::shop::${type}::${name}`, type, provider: "" } } }) as unknown as automation.EngineEvent;

describe("changesOf", () => {
  it("keeps one replace for a replacement's steps, and leaves out same, read, refresh and the stack", () => {
    const events = [pre("create-replacement", "db"), pre("replace", "db"), pre("delete-replaced", "db"), pre("same", "a"), pre("read", "b"), pre("refresh", "c"), pre("create", "shop", "pulumi:pulumi:Stack")];
    expect(changesOf(events)).toEqual([{ op: "replace", urn: "urn:pulumi:prod::shop::kubernetes:core/v1:Secret::db", type: "kubernetes:core/v1:Secret" }]);
  });

  it("gives the same hash whatever order the engine reported the steps in", () => {
    const events = [pre("create", "a"), pre("update", "b"), pre("delete", "c")];
    const hash = (list: automation.EngineEvent[]) => summarize("prod", "up", changesOf(list)).hash;
    expect(hash([...events].reverse())).toBe(hash(events));
    expect(hash(events)).not.toBe(hash(events.slice(1)));
    expect(summarize("staging", "up", changesOf(events)).hash).not.toBe(hash(events));
  });
});
