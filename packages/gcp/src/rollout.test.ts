import fc from "fast-check";
import { CLOUD_RUN_REVISION } from "@polycloud/core";
import { promoteCommand, revisionName, tagUrl, trafficOf } from "./rollout";

const template = { containers: [{ image: "ghcr.io/acme/api:1.0.0", envs: [{ name: "LOG_LEVEL", value: "info" }] }], scaling: { minInstanceCount: 1, maxInstanceCount: 4 } };
const canary = { strategy: "canary", canary: { steps: [10, 50, 100], intervalMinutes: 5 } } as const;
const blueGreen = { ...canary, strategy: "blue-green" } as const;
const rolling = { ...canary, strategy: "rolling" } as const;
const NEW = "shop-prd-api-3f9a1c2e";
const OLD = "shop-prd-api-0b1c2d3e";
const revision = (name: string, percent: number, tag?: string) => ({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: name, percent, ...(tag === undefined ? {} : { tag }) });

describe("revisionName", () => {
  it("is the service's name and 8 hex digits of the template, the same for the same template whatever its key order or revision field", () => {
    const name = revisionName("shop-prd-api", template);
    expect(name).toMatch(/^shop-prd-api-[0-9a-f]{8}$/);
    expect(revisionName("shop-prd-api", { scaling: { maxInstanceCount: 4, minInstanceCount: 1 }, containers: template.containers, revision: "shop-prd-api-old" })).toBe(name);
    expect(revisionName("shop-prd-api", { ...template, labels: undefined })).toBe(name);
  });

  it("changes when the image, an env value or the scaling changes", () => {
    const name = revisionName("shop-prd-api", template);
    const container = template.containers[0]!;
    expect(revisionName("shop-prd-api", { ...template, containers: [{ ...container, image: "ghcr.io/acme/api:1.0.1" }] })).not.toBe(name);
    expect(revisionName("shop-prd-api", { ...template, containers: [{ ...container, envs: [{ name: "LOG_LEVEL", value: "debug" }] }] })).not.toBe(name);
    expect(revisionName("shop-prd-api", { ...template, scaling: { minInstanceCount: 2, maxInstanceCount: 4 } })).not.toBe(name);
  });

  it("is a valid revision name for every Cloud Run service name (up to 49 characters)", () => {
    const serviceName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/);
    fc.assert(fc.property(serviceName, fc.string(), (runName, image) => CLOUD_RUN_REVISION.test(revisionName(runName, { containers: [{ image }] }))));
  });
});

describe("trafficOf", () => {
  it.each([
    ["a first canary (no stable revision)", canary, undefined, [revision(NEW, 100)]],
    ["a promoted canary (stable is the new revision)", canary, NEW, [revision(NEW, 100)]],
    ["a canary in progress: the first step to the new revision, the rest to the stable one", canary, OLD, [revision(NEW, 10, "canary"), revision(OLD, 90)]],
    ["a canary whose first step is 100%", { ...canary, canary: { steps: [100], intervalMinutes: 5 } }, OLD, [revision(NEW, 100, "canary")]],
    ["a first blue-green", blueGreen, undefined, [revision(NEW, 100)]],
    ["a blue-green in progress: all on the stable revision, the new one at its preview tag", blueGreen, OLD, [revision(OLD, 100), revision(NEW, 0, "preview")]],
    ["a promoted blue-green", blueGreen, NEW, [revision(NEW, 100)]],
    ["a rolling update, whatever the stable revision", rolling, OLD, [revision(NEW, 100)]],
  ])("sends %s", (_, deployment, stable, expected) => {
    expect(trafficOf(deployment, NEW, stable)).toEqual(expected);
  });

  it("always sends 100% in all, to the new revision and the stable one only", () => {
    const steps = fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1 });
    const strategy = fc.constantFrom("rolling", "canary", "blue-green" as const);
    fc.assert(
      fc.property(strategy, steps, fc.option(fc.constantFrom(NEW, OLD), { nil: undefined }), (s, st, stable) => {
        const traffic = trafficOf({ strategy: s, canary: { steps: st, intervalMinutes: 5 } }, NEW, stable);
        return traffic.reduce((sum, t) => sum + t.percent, 0) === 100 && traffic.every((t) => t.revision === NEW || t.revision === stable);
      }),
    );
  });
});

describe("tagUrl and promoteCommand", () => {
  it("names a tag's URL as Cloud Run does, and the command that promotes a revision, lifting an abort", () => {
    expect(tagUrl("https://shop-prd-api-123456789012.europe-west1.run.app", "preview")).toBe("https://preview---shop-prd-api-123456789012.europe-west1.run.app");
    expect(promoteCommand("api", NEW, false)).toBe(`pulumi config set polycloud:gcp.stableRevisions.api ${NEW} && pulumi up`);
    // An abort left in place would hold the next rollout of the promoted revision back too.
    expect(promoteCommand("api", NEW, true)).toBe(`pulumi config set polycloud:gcp.stableRevisions.api ${NEW} && pulumi config rm polycloud:gcp.abortedRollouts.api && pulumi up`);
  });
});
