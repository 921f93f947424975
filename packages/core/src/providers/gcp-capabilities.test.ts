import { parseSpec, type SpecInput } from "../spec";
import { buildModel, checkModel } from "../model";

const spec = (extra: Partial<SpecInput> = {}) => parseSpec({ name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true } }, ...extra });
const lines = (s: ReturnType<typeof spec>, config: Record<string, string> = {}) => checkModel(s, "gcp", config).problems.map((p) => `${p.path}: ${p.message}; ${p.fix}`);

describe("Google Cloud capabilities", () => {
  it("builds a minimal spec, with TLS off (and a warning) without a domain outside production", () => {
    const model = buildModel(spec(), "gcp");
    expect(model.network.loadBalancer.tls).toBe(false);
    expect(model.warnings.map((w) => w.path)).toEqual(["network.loadBalancer.tls"]);
  });

  it("refuses a region of another cloud unless providers.gcp.region names one, and takes the option from stack config", () => {
    expect(lines(spec({ region: "us-east-1" }))).toEqual(['region: "us-east-1" is not a Google Cloud region, and providers.gcp.region is not set; set providers.gcp.region (or stack config polycloud:gcp.region), e.g. us-east1']);
    expect(lines(spec({ region: "europe-west1" }))).toEqual([]);
    const model = buildModel(spec({ region: "us-east-1" }), "gcp", { "polycloud:gcp.region": "us-east1" });
    expect(model.options).toEqual({ region: "us-east1" });
  });

  it.each([
    ["an abort of a canary with a stable revision", { "polycloud:gcp.stableRevisions.api": "shop-dev-api-0b1c2d3e", "polycloud:gcp.abortedRollouts.api": "true" }, []],
    [
      "an abort with no stable revision",
      { "polycloud:gcp.abortedRollouts.api": "true" },
      ["polycloud:gcp.abortedRollouts.api: true, but polycloud:gcp.stableRevisions.api is not set: there is no stable revision to send the traffic back to; allowed: services with a stable revision; set polycloud:gcp.stableRevisions.api to the revision that served before, or remove it (pulumi config rm polycloud:gcp.abortedRollouts.api)"],
    ],
    ["an abort of a service the spec does not have", { "polycloud:gcp.abortedRollouts.apj": "true" }, ['polycloud:gcp.abortedRollouts.apj: "apj" is not a service of the spec; allowed: api; did you mean polycloud:gcp.abortedRollouts.api?']],
  ])("checks %s", (_, config, problems) => {
    const canary = spec({ services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true, deployment: { strategy: "canary" } } } });
    expect(lines(canary, config)).toEqual(problems);
  });

  it("names a bad option by where it was set", () => {
    expect(lines(spec(), { "polycloud:gcp.region": "us-east-1" })).toEqual(['polycloud:gcp.region: "us-east-1" is not valid; allowed: a Google Cloud region such as europe-west1; change region to match']);
    // In the spec, the schema already refuses it, with a suggestion.
    expect(() => spec({ providers: { gcp: { dnsManagedZone: "Shop Zone" } } })).toThrow(
      'providers.gcp.dnsManagedZone: "Shop Zone" is not valid; allowed: a Cloud DNS managed zone name such as shop-example-com; did you mean "shop-zone"?',
    );
  });

  it("refuses sizes and probe timings beyond Cloud Run, and versions Cloud SQL and Memorystore do not offer, every problem at once", () => {
    const s = spec({
      services: { api: { image: "ghcr.io/acme/api:1.0.0", cpu: 16, memory: 65536, healthCheck: { gracePeriodSeconds: 600, intervalSeconds: 300, timeoutSeconds: 5 } } },
      database: { version: "18" },
      cache: { version: "8" },
    });
    expect(lines(s)).toEqual([
      "services.api.cpu: 16 is more than Cloud Run offers (at most 8 vCPU); set cpu to 8 or less",
      "services.api.memory: 65536 is more than Cloud Run offers (at most 32768 MiB); set memory to 32768 or less",
      "services.api.healthCheck.gracePeriodSeconds: 600 is longer than a Cloud Run startup probe allows (at most 240 seconds); set gracePeriodSeconds to 240 or less",
      "services.api.healthCheck.intervalSeconds: 300 is longer than a Cloud Run startup probe allows (at most 240 seconds); set intervalSeconds to 240 or less",
      'database.version: "18" has no Cloud SQL for PostgreSQL release; allowed: 14, 15, 16, 17; set version to "16"',
      'cache.version: "8" has no Memorystore for Redis release; allowed: 6, 7; set version to "7"',
    ]);
  });

  it("refuses cross-region copies of versioned buckets, and accepts them for the database alone", () => {
    expect(lines(spec({ buckets: { assets: {} }, backup: { crossRegion: true } }))).toEqual([
      "backup.crossRegion: true, but copies of buckets (assets) to a second region are not built on Google Cloud yet; set crossRegion to false (Cloud SQL backups are kept in a multi-region either way)",
    ]);
    expect(lines(spec({ database: {}, backup: { crossRegion: true } }))).toEqual([]);
  });
});
