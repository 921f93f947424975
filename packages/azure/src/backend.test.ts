// The Azure backend over whole specs: every repository spec builds on Azure, and the model's
// grants, secret values, public entry, backups and audit are wired as it says.
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildModel, parseSpec, PolycloudError, type AppModel } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { checkPreviewEqualsUpdate, repositorySpecs, richSpec } from "@polycloud/testing/conformance";
import { backend } from "./backend";

const config = { "polycloud:azure.location": "westeurope" };
const T = {
  app: "azure-native:app:ContainerApp",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  rule: "azure-native:network:SecurityRule",
  secret: "azure-native:keyvault:Secret",
  profile: "azure-native:cdn:Profile",
  route: "azure-native:cdn:Route",
  rg: "azure-native:resources:ResourceGroup",
  backup: "azure-native:dataprotection:BackupVault",
  audit: "azure-native:monitor:SubscriptionDiagnosticSetting",
};

class Root extends pulumi.ComponentResource {
  constructor() {
    super("test:azure:Root", "root", {});
  }
}

function plan(spec: Record<string, unknown>, options: { config?: Record<string, string>; values?: Record<string, string>; preview?: boolean } = {}): Promise<Plan> {
  const model = buildModel(parseSpec(spec), "azure", options.config ?? config) as AppModel<"azure">;
  return runProgram(() => {
    const built = backend.build(model, new Root(), { secretValues: Object.fromEntries(Object.entries(options.values ?? {}).map(([k, v]) => [k, pulumi.secret(v)])) });
    return { dns: built.dnsRecords };
  }, { provider: "azure", preview: options.preview === true });
}

describe("the Azure backend", () => {
  it("builds every stack and example spec of the repository, refusing none, with a location", () => {
    const cases = repositorySpecs(join(__dirname, "..", "..", ".."), config);
    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const c of cases) expect(() => buildModel(c.spec, "azure", config)).not.toThrow();
  });

  it("refuses a spec with another cloud's region and no providers.azure.location, naming region, before anything is built", () => {
    const spec = parseSpec({ name: "min", region: "us-east-1", services: { app: { image: "ghcr.io/acme/app:1.0.0" } } });
    const error = (() => {
      try {
        buildModel(spec, "azure");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PolycloudError);
    expect((error as PolycloudError).problems.map((p) => p.path)).toEqual(["region"]);
    expect(buildModel(spec, "azure", config).options.location).toBe("westeurope");
  });

  describe("on the rich spec (staging: WAF on)", () => {
    const model = buildModel(parseSpec(richSpec()), "azure", config);
    let built: Plan;
    beforeAll(async () => {
      built = await plan(richSpec(), { values: { "api-key": "given-value" } });
    }, 60_000);

    it("lets each service's identity read exactly its bound secrets", () => {
      const readers = (service: string) => {
        const principal = built.find(T.identity, `conf-${service}-identity`).outputs["principalId"];
        return built
          .resources(T.role)
          .filter((r) => r.inputs["principalId"] === principal && String(r.inputs["roleDefinitionId"]).endsWith("4633458b-17de-408a-b874-0445c86b69e6"))
          .map((r) => built.resources(T.secret).find((s) => s.id === r.inputs["scope"])?.inputs["secretName"])
          .sort();
      };
      const vaultName = (source: { kind: string; name?: string }) => (source.kind === "secret" ? source.name : `${source.kind}-url`);
      for (const service of Object.values(model.services)) {
        expect(readers(service.name)).toEqual(service.secrets.map((b) => vaultName(b.source)).sort());
      }
      expect(readers("worker")).toEqual(["database-url"]);
    });

    it("puts public services behind Front Door, whose backends alone may reach their subnets", () => {
      expect(built.resources(T.profile)).toHaveLength(1);
      const subnetOf = (name: string) => built.find("azure-native:network:Subnet", { subnetName: `service-${name}` }).inputs["addressPrefix"];
      for (const service of Object.values(model.services)) {
        const allowed = built.resources(T.rule).filter((r) => r.name.startsWith(`conf-network-service-${service.name}-allow-`) && !r.name.endsWith("-allow-self"));
        expect(allowed.map((r) => r.inputs["sourceAddressPrefix"])).toEqual(service.callers.map((c) => (c.kind === "loadBalancer" ? "AzureFrontDoor.Backend" : subnetOf(c.name))));
      }
      expect(model.services["web"]?.public).toBe(true);
    });

    it("gives a spec secret the given value, and leaves one without a value empty and tagged missing", () => {
      expect((built.find(T.secret, { secretName: "signing-key" }).inputs["tags"] as Record<string, string>)["polycloud-value"]).toBe("missing");
      expect((built.find(T.secret, { secretName: "api-key" }).inputs["tags"] as Record<string, string>)["polycloud-value"]).toBe("given");
    });

    it("backs up the database and the versioned buckets in a Backup vault, and exports the activity log (staging audits)", () => {
      expect(built.resources("azure-native:dataprotection:BackupInstance")).toHaveLength(3);
      expect(built.resources(T.audit)).toHaveLength(1);
    });
  });

  it("opens a public service to the internet, with no Front Door, when there is no WAF and no CDN", async () => {
    const built = await plan({ name: "min", network: { loadBalancer: { waf: false } }, services: { app: { image: "ghcr.io/acme/app:1.0.0", public: true } } });
    expect(built.resources(T.profile)).toHaveLength(0);
    expect(built.find(T.rule, "min-network-service-app-allow-internet").inputs).toMatchObject({ sourceAddressPrefix: "Internet", destinationPortRanges: ["80", "443"] });
    // Nothing to back up, and development does not audit.
    expect(built.resources(T.backup)).toHaveLength(0);
    expect(built.resources(T.audit)).toHaveLength(0);
  });

  describe("on a production spec with public and private services, stores, a generated secret and a CDN", () => {
    // Planned once, as a preview and as an update, for both tests below (plans are costly). The conformance
    // suite previews the repository's production specs and the rich spec, but none of them has a CDN or a
    // generated secret: this preview is the one that covers them.
    const spec = {
      name: "pre",
      environment: "production",
      network: { cdn: true, loadBalancer: { domain: "pre.example.com" } },
      services: { web: { image: "ghcr.io/acme/web:1.0.0", public: true, replicas: { min: 2, max: 4 }, access: { services: ["api"] } }, api: { image: "ghcr.io/acme/api:1.0.0", replicas: { min: 2, max: 4 } } },
      database: {},
      cache: {},
      buckets: { media: {} },
      secrets: { token: { generate: true } },
    };
    let preview: Plan;
    let update: Plan;
    beforeAll(async () => {
      [preview, update] = [await plan(spec, { preview: true }), await plan(spec)];
    }, 60_000);

    it("registers the same resources in a preview as in an update, with public and private services, stores and a CDN", () => {
      expect(update.resources().length).toBeGreaterThan(100);
      expect(checkPreviewEqualsUpdate(preview, update)).toEqual([]);
    });

    it("caches at the edge when the spec asks for a CDN", () => {
      expect(update.find(T.route).inputs["cacheConfiguration"]).toBeDefined();
    });
  });

  it("creates the domain's records in the zone of providers.azure.dnsZoneId, for Front Door and for a public environment", async () => {
    const zone = { "polycloud:azure.dnsZoneId": "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com" };
    const service = { app: { image: "ghcr.io/acme/app:1.0.0", public: true } };
    for (const waf of [true, false]) {
      const built = await plan({ name: "min", network: { loadBalancer: { domain: "shop.example.com", waf } }, services: service }, { config: { ...config, ...zone } });
      const records = built.resources("azure-native:dns:RecordSet").map((r) => [r.inputs["recordType"], r.inputs["relativeRecordSetName"], r.inputs["zoneName"]]);
      expect(records).toEqual([["TXT", waf ? "_dnsauth.shop" : "asuid.shop", "example.com"], ["CNAME", "shop", "example.com"]]);
      expect(built.outputs["dns"]).toEqual([]);
      // Without the zone, the same two records are listed for the user to create.
      const byHand = await plan({ name: "min", network: { loadBalancer: { domain: "shop.example.com", waf } }, services: service });
      byHand.resourceCountIs("azure-native:dns:RecordSet", 0);
      const listed = byHand.outputs["dns"] as { type: string; name: string; value: string }[];
      expect(listed.map((r) => [r.type, r.name])).toEqual([["CNAME", "shop.example.com"], ["TXT", waf ? "_dnsauth.shop.example.com" : "asuid.shop.example.com"]]);
      // The CNAME points at Front Door's endpoint, or at the container app itself.
      const target = waf ? byHand.find("azure-native:cdn:AFDEndpoint").outputs["hostName"] : (byHand.find(T.app).outputs["configuration"] as { ingress: { fqdn: string } }).ingress.fqdn;
      expect(listed[0]?.value).toBe(target);
      expect(target).toMatch(waf ? /\.azurefd\.net$/ : /\.azurecontainerapps\.io$/);
      // The TXT's value is Front Door's validation token, or the environment's verification id.
      expect(listed[1]?.value).toBe(waf ? (byHand.find("azure-native:cdn:AFDCustomDomain").outputs["validationProperties"] as { validationToken: string }).validationToken : (byHand.find("azure-native:app:ManagedEnvironment").outputs["customDomainConfiguration"] as { customDomainVerificationId: string }).customDomainVerificationId);
      expect(listed[1]?.value).not.toBe("");
    }
  }, 60_000);

  it("gives a canary service its stable revision from polycloud:azure.stableRevisions, with the rollback on alerts", async () => {
    const spec = { name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0", deployment: { strategy: "canary" } } }, network: { loadBalancer: { tls: false } } };
    const result = await plan(spec, { config: { ...config, "polycloud:azure.stableRevisions.api": "shop-dev-api--k3x9q2a" } });
    const traffic = (result.find(T.app).inputs["configuration"] as { ingress: { traffic: { revisionName?: string; weight: number }[] } }).ingress.traffic;
    expect(traffic).toContainEqual(expect.objectContaining({ revisionName: "shop-dev-api--k3x9q2a", weight: 90 }));
    expect(result.resources("azure-native:logic:Workflow")).toHaveLength(1);
    // Without the option: a first deployment, all traffic to the latest revision and nothing to roll back to.
    const first = await plan(spec);
    expect(result.resources().length).toBeGreaterThan(first.resources().length);
    expect(first.resources("azure-native:logic:Workflow")).toHaveLength(0);
  });

  it("sends an aborted canary's traffic all to its stable revision when polycloud:azure.abortedRollouts names it, with the rollback alerts disabled", async () => {
    const spec = { name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0", deployment: { strategy: "canary" } } }, network: { loadBalancer: { tls: false } } };
    const result = await plan(spec, { config: { ...config, "polycloud:azure.stableRevisions.api": "shop-dev-api--k3x9q2a", "polycloud:azure.abortedRollouts.api": "true" } });
    const traffic = (result.find(T.app).inputs["configuration"] as { ingress: { traffic: unknown[] } }).ingress.traffic;
    expect(traffic).toEqual([{ latestRevision: true, weight: 0, label: "canary" }, { revisionName: "shop-dev-api--k3x9q2a", weight: 100, label: "stable" }]);
    expect(result.find("azure-native:monitor:ScheduledQueryRule", "shop-api-rollback-errors").inputs["enabled"]).toBe(false);
  });

  it("builds in an existing resource group when providers.azure.resourceGroupName is set", async () => {
    const built = await plan({ name: "min", services: { app: { image: "ghcr.io/acme/app:1.0.0" } }, providers: { azure: { resourceGroupName: "platform-rg" } } }, { config: {} });
    expect(built.resources(T.rg)).toHaveLength(0);
    expect(built.find(T.app).inputs["resourceGroupName"]).toBe("platform-rg");
  });
});
