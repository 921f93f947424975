import { parseSpec, type SpecInput } from "../spec";
import { buildModel, checkModel } from "../model";
import { azureServiceCapacity, containerAppsSizeProblems } from "./capabilities";

const spec = (extra: Partial<SpecInput> = {}) => parseSpec({ name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true } }, ...extra });
const lines = (s: ReturnType<typeof spec>, config: Record<string, string> = {}) => checkModel(s, "azure", config).problems.map((p) => `${p.path}: ${p.message}; ${p.fix}`);

describe("Azure capabilities", () => {
  it("refuses a region of another cloud unless providers.azure.location names one, and takes the option from stack config", () => {
    expect(lines(spec({ region: "us-east-1" }))).toEqual(['region: "us-east-1" is not an Azure location, and providers.azure.location is not set; set providers.azure.location (or stack config polycloud:azure.location), e.g. westeurope']);
    expect(lines(spec({ region: "westeurope" }))).toEqual([]);
    expect(buildModel(spec({ region: "us-east-1" }), "azure", { "polycloud:azure.location": "eastus2" }).options).toEqual({ location: "eastus2" });
  });

  it("takes each service's stable revision from stack config, refusing a service the spec does not have and a name that is no revision", () => {
    const canary = spec({ services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true, deployment: { strategy: "canary" } } } });
    expect(buildModel(canary, "azure", { "polycloud:azure.stableRevisions.api": "shop-dev-api--k3x9q2a" }).options.stableRevisions).toEqual({ api: "shop-dev-api--k3x9q2a" });
    expect(lines(canary, { "polycloud:azure.stableRevisions.apj": "shop-dev-api--k3x9q2a" })).toEqual(['polycloud:azure.stableRevisions.apj: "apj" is not a service of the spec; allowed: api; did you mean polycloud:azure.stableRevisions.api?']);
    expect(lines(canary, { "polycloud:azure.stableRevisions.api": "shop-dev-api" })).toEqual([
      'polycloud:azure.stableRevisions.api: "shop-dev-api" is not valid; allowed: a Container Apps revision name such as shop-prd-api--k3x9q2a (<app>--<suffix>); change api to match',
    ]);
  });

  describe("abortedRollouts", () => {
    const canary = spec({ services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true, deployment: { strategy: "canary" } }, worker: { image: "ghcr.io/acme/worker:1.0.0" } } });
    const stable = { "polycloud:azure.stableRevisions.api": "shop-dev-api--k3x9q2a" };
    it("takes an abort from stack config (true as Pulumi writes it) and from the spec's providers.azure", () => {
      expect(buildModel(canary, "azure", { ...stable, "polycloud:azure.abortedRollouts.api": "true" }).options.abortedRollouts).toEqual({ api: true });
      const inSpec = spec({ services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true, deployment: { strategy: "canary" } } }, providers: { azure: { stableRevisions: { api: "shop-dev-api--k3x9q2a" }, abortedRollouts: { api: true } } } });
      expect(buildModel(inSpec, "azure").options.abortedRollouts).toEqual({ api: true });
      expect(lines(canary, { ...stable, "polycloud:azure.abortedRollouts.api": "false" })).toEqual([]);
    });

    it.each([
      ["a service the spec does not have", { ...stable, "polycloud:azure.abortedRollouts.apj": "true" }, 'polycloud:azure.abortedRollouts.apj: "apj" is not a service of the spec; allowed: api, worker; did you mean polycloud:azure.abortedRollouts.api?'],
      ["a service with no stable revision", { "polycloud:azure.abortedRollouts.api": "true" }, "polycloud:azure.abortedRollouts.api: true, but polycloud:azure.stableRevisions.api is not set: there is no stable revision to send the traffic back to; allowed: services with a stable revision; set polycloud:azure.stableRevisions.api to the revision that served before, or remove it (pulumi config rm polycloud:azure.abortedRollouts.api)"],
      ["a service deploying by rolling update", { "polycloud:azure.abortedRollouts.worker": "true" }, "polycloud:azure.abortedRollouts.worker: true, but worker deploys by rolling update: there is no canary or blue-green to abort; allowed: services deploying by canary or blue-green; remove it (pulumi config rm polycloud:azure.abortedRollouts.worker)"],
    ])("refuses an abort of %s, naming the key, what is allowed and the fix", (_, config, line) => {
      expect(lines(canary, config)).toEqual([line]);
    });

    it("refuses a value that is not true or false", () => {
      expect(lines(canary, { ...stable, "polycloud:azure.abortedRollouts.api": "yes" })).toEqual(['polycloud:azure.abortedRollouts.api: "yes" is not a boolean; allowed: true or false; write true or false, without quotes, e.g. api: true']);
    });
  });

  it("names a bad option by where it was set", () => {
    expect(lines(spec(), { "polycloud:azure.location": "West Europe" })).toEqual(['polycloud:azure.location: "West Europe" is not valid; allowed: an Azure location such as westeurope; change location to match']);
  });

  it("refuses Container Apps sizes, versions, retention and reserved secret names Azure cannot build, every problem at once", () => {
    const s = spec({
      services: { api: { image: "ghcr.io/acme/api:1.0.0", cpu: 1, memory: 1024 } },
      database: { version: "18", backup: { retentionDays: 3 } },
      cache: { version: "6" },
      secrets: { "database-url": {} },
    });
    expect(lines(s)).toEqual([
      "services.api.memory: 1024 MiB does not go with 1 vCPU on Container Apps Consumption; allowed: 2 GiB per vCPU, 2048 MiB; set memory to 2048",
      'database.version: "18" is not offered by Azure Database for PostgreSQL Flexible Server; allowed: 13, 14, 15, 16, 17; set version to "16"',
      "database.backup.retentionDays: 3 is outside what a flexible server keeps; allowed: 7 to 35; set retentionDays to 7 (backup.retentionDays keeps the Backup vault's copies longer)",
      'cache.version: "6" is not a Redis major Azure Managed Redis runs; allowed: 7; set version to "7"',
      'secrets.database-url: "database-url" is also the name of a store\'s connection secret in the Key Vault on Azure; rename secret database-url',
    ]);
  });

  it("refuses a domain outside the DNS zone of providers.azure.dnsZoneId, and a zone id that is not one", () => {
    const zone = "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com";
    const withDomain = (domain: string) => spec({ network: { loadBalancer: { domain } } });
    expect(lines(withDomain("shop.example.com"), { "polycloud:azure.dnsZoneId": zone })).toEqual([]);
    expect(lines(withDomain("example.com"), { "polycloud:azure.dnsZoneId": zone })).toEqual([]);
    expect(lines(withDomain("shop.example.org"), { "polycloud:azure.dnsZoneId": zone })).toEqual([
      'network.loadBalancer.domain: "shop.example.org" is not in DNS zone example.com (providers.azure.dnsZoneId); use a domain under example.com, or set dnsZoneId to the zone of shop.example.org',
    ]);
    expect(lines(withDomain("shop.example.com"), { "polycloud:azure.dnsZoneId": "example.com" })[0]).toMatch(/^polycloud:azure\.dnsZoneId: "example\.com" is not valid; allowed: an Azure DNS zone id/);
  });

  it("refuses more services than the network has /27 subnets for", () => {
    const services = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`s${i}`, { image: "ghcr.io/acme/s:1.0.0" }]));
    expect(lines(spec({ network: { cidr: "10.0.0.0/24" }, services }))).toEqual([
      "network.cidr: 10.0.0.0/24 has room for 6 service(s) on Azure, and the spec has 7: each service gets a /27 subnet of its own (its Container Apps environment), after two for private endpoints and the database; use a larger network, e.g. 10.0.0.0/16",
    ]);
  });

  it("turns the TLS default off outside production without a domain, and requires one in production", () => {
    expect(buildModel(spec(), "azure").warnings.map((w) => w.path)).toEqual(["network.loadBalancer.tls"]);
    expect(lines(spec({ environment: "production" }))).toEqual(["network.loadBalancer.domain: is required for tls: azure issues load balancer certificates only for a domain you control, and network.loadBalancer.domain is not set; set network.loadBalancer.domain"]);
  });

  it.each([
    [{ cpu: 0.25, memory: 512 }, []],
    [{ cpu: 4, memory: 8192 }, []],
    [{ cpu: 0.3, memory: 614 }, ["x.cpu"]],
    [{ cpu: 8, memory: 16384 }, ["x.cpu"]],
  ])("checks the Consumption size %j", (size, paths) => {
    expect(containerAppsSizeProblems(size, "x").map((p) => p.path)).toEqual(paths);
  });

  it.each([
    ["10.0.0.0/16", 2046],
    ["10.0.0.0/24", 6],
    ["10.0.0.0/27", 0],
  ])("fits %s with room for %i services", (cidr, capacity) => {
    expect(azureServiceCapacity(cidr)).toBe(capacity);
  });
});
