import { runProgram, type Plan } from "@polycloud/testing";
import { RG, WORKSPACE } from "./__tests__/fixtures";
import { FrontDoor, type FrontDoorArgs } from "./front-door";

const T = {
  waf: "azure-native:frontdoor:Policy",
  profile: "azure-native:cdn:Profile",
  endpoint: "azure-native:cdn:AFDEndpoint",
  group: "azure-native:cdn:AFDOriginGroup",
  origin: "azure-native:cdn:AFDOrigin",
  domain: "azure-native:cdn:AFDCustomDomain",
  route: "azure-native:cdn:Route",
  security: "azure-native:cdn:SecurityPolicy",
  diagnostics: "azure-native:monitor:DiagnosticSetting",
};
const origins = [{ name: "web", hostName: "shop-dev-web.example.azurecontainerapps.io", healthCheckPath: "/healthz", domainName: "shop.example.com" }];
const run = (extra: Partial<FrontDoorArgs> = {}) =>
  runProgram(() => {
    new FrontDoor("shop-edge", { app: "shop", resourceGroupName: RG, workspaceId: WORKSPACE, origins, ...extra });
  }, { provider: "azure" });

describe("FrontDoor", () => {
  // The defaults, planned once for every test of them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run();
  }, 60_000);

  it("defaults to a Premium profile with a WAF policy blocking with the default and bot rule sets", () => {
    const plan = defaults;
    expect(plan.find(T.profile).inputs).toMatchObject({ sku: { name: "Premium_AzureFrontDoor" }, location: "global" });
    expect(plan.find(T.waf).inputs).toMatchObject({
      sku: { name: "Premium_AzureFrontDoor" },
      policyName: expect.stringMatching(/^[a-z][a-z0-9]*$/),
      policySettings: { enabledState: "Enabled", mode: "Prevention", requestBodyCheck: "Enabled" },
      managedRules: { managedRuleSets: [{ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: "Block" }, { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" }] },
    });
    expect(plan.resources(T.diagnostics).map((d) => d.inputs["resourceUri"])).toEqual([plan.find(T.profile).id]);
  });

  it("defaults to an HTTPS-only route to the container app, a managed TLS 1.2 certificate for the domain, and the WAF on both names", () => {
    const plan = defaults;
    const endpoint = plan.find(T.endpoint);
    const domain = plan.find(T.domain);
    expect(plan.find(T.origin).inputs).toMatchObject({ hostName: origins[0]!.hostName, originHostHeader: origins[0]!.hostName, httpsPort: 443, enforceCertificateNameCheck: true });
    expect(plan.find(T.group).inputs).toMatchObject({ healthProbeSettings: { probePath: "/healthz", probeProtocol: "Https" } });
    expect(domain.inputs).toMatchObject({ hostName: "shop.example.com", tlsSettings: { certificateType: "ManagedCertificate", minimumTlsVersion: "TLS12" } });
    const route = plan.find(T.route);
    expect(route.inputs).toMatchObject({ supportedProtocols: ["Http", "Https"], httpsRedirect: "Enabled", forwardingProtocol: "HttpsOnly", patternsToMatch: ["/*"], customDomains: [{ id: domain.id }], originGroup: { id: plan.find(T.group).id } });
    expect(route.inputs["cacheConfiguration"]).toBeUndefined();
    expect(route.dependencies).toContain(plan.find(T.origin).urn);
    expect(plan.find(T.security).inputs).toMatchObject({ parameters: { type: "WebApplicationFirewall", wafPolicy: { id: plan.find(T.waf).id }, associations: [{ domains: [{ id: endpoint.id }, { id: domain.id }], patternsToMatch: ["/*"] }] } });
  });

  it("caches with compression when caching is on, and only logs in Detection mode when asked", async () => {
    const plan = await run({ caching: true, wafMode: "Detection" });
    expect(plan.find(T.route).inputs["cacheConfiguration"]).toMatchObject({ queryStringCachingBehavior: "UseQueryString", compressionSettings: { isCompressionEnabled: true } });
    expect(plan.find(T.waf).inputs["policySettings"]).toMatchObject({ mode: "Detection" });
  });

  it("serves a service without a domain on its endpoint name only", async () => {
    const plan = await run({ origins: [{ name: "web", hostName: origins[0]!.hostName, healthCheckPath: "/healthz" }] });
    expect(plan.resources(T.domain)).toHaveLength(0);
    expect(plan.find(T.route).inputs["customDomains"]).toBeUndefined();
  });
});

describe("FrontDoor DNS records", () => {
  it("creates each domain's _dnsauth TXT and CNAME to the endpoint in the zone when dnsZone is set", async () => {
    const zone = { id: "/subscriptions/s/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com", resourceGroupName: "dns-rg", zoneName: "example.com" };
    const plan = await runProgram(() => {
      new FrontDoor("shop-edge", { app: "shop", resourceGroupName: RG, workspaceId: WORKSPACE, origins, dnsZone: zone });
    }, { provider: "azure", mocks: { [T.domain]: () => ({ validationProperties: { validationToken: "tok123" } }), [T.endpoint]: () => ({ hostName: "shop-edge-web.z01.azurefd.net" }) } });
    const records = plan.resources("azure-native:dns:RecordSet").map((r) => r.inputs);
    expect(records).toEqual([
      expect.objectContaining({ zoneName: "example.com", recordType: "TXT", relativeRecordSetName: "_dnsauth.shop", txtRecords: [{ value: ["tok123"] }] }),
      expect.objectContaining({ recordType: "CNAME", relativeRecordSetName: "shop", cnameRecord: { cname: "shop-edge-web.z01.azurefd.net" } }),
    ]);
    expect(plan.find(T.domain).inputs["azureDnsZone"]).toEqual({ id: zone.id });
  });
});
