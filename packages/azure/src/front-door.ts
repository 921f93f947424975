import * as cdn from "@pulumi/azure-native/cdn";
import type * as dns from "@pulumi/azure-native/dns";
import * as frontdoor from "@pulumi/azure-native/frontdoor";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, transformed, type CommonArgs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import { createDnsRecords, type DnsZoneRef } from "./dns-records";
import { childOptions, scopeOf, type Placement, type Scope } from "./scope";

/** A public service behind Front Door: its container app's host and health check, and its domain. */
export interface FrontDoorOrigin {
  readonly name: string;
  /** The container app's FQDN. */
  readonly hostName: pulumi.Input<string>;
  readonly healthCheckPath: string;
  /** The domain Front Door serves it on, with a managed certificate. @default - the endpoint's generated name only */
  readonly domainName?: string;
}

export interface FrontDoorArgs extends CommonArgs, Placement {
  readonly origins: readonly FrontDoorOrigin[];
  /** Cache responses at the edge (the spec's `network.cdn`), honouring the origin's Cache-Control. @default false */
  readonly caching?: boolean;
  /**
   * The Azure DNS zone of the domains: each domain's validation record (`_dnsauth`) and its CNAME to the
   * endpoint (an alias A record at the zone's apex) are created there.
   * @default - none: `dnsRecords` lists the records to create by hand
   */
  readonly dnsZone?: DnsZoneRef;
  /** Log Analytics workspace of the access and WAF logs. */
  readonly workspaceId: pulumi.Input<string>;
  /** WAF mode: `Prevention` blocks, `Detection` only logs. @default "Prevention" */
  readonly wafMode?: "Prevention" | "Detection";
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: DiagnosticsTransforms & {
    wafPolicy?: Transform<frontdoor.PolicyArgs>;
    profile?: Transform<cdn.ProfileArgs>;
    endpoint?: Transform<cdn.AFDEndpointArgs>;
    originGroup?: Transform<cdn.AFDOriginGroupArgs>;
    origin?: Transform<cdn.AFDOriginArgs>;
    customDomain?: Transform<cdn.AFDCustomDomainArgs>;
    route?: Transform<cdn.RouteArgs>;
    securityPolicy?: Transform<cdn.SecurityPolicyArgs>;
    dnsRecord?: Transform<dns.RecordSetArgs>;
  };
}

/**
 * The public entry on Azure: Azure Front Door Premium with a WAF policy in Prevention mode (Microsoft's
 * default rule set 2.1 and the bot manager rule set), one endpoint per public service routed to its
 * container app over HTTPS only (HTTP redirects), a managed certificate (TLS 1.2 minimum) for the
 * service's domain, caching when the spec asks for a CDN, and access and WAF logs to Log Analytics. The
 * services' subnets admit Front Door's backend addresses only (`AzureFrontDoor.Backend`).
 */
export class FrontDoor extends PolycloudComponent {
  readonly profile: cdn.Profile;
  readonly wafPolicy: frontdoor.Policy;
  /** The public URL of each service, by name. */
  readonly urls: Readonly<Record<string, pulumi.Output<string>>>;
  /** The records each custom domain needs (CNAME to the endpoint, TXT `_dnsauth` validation), by service. */
  readonly dnsRecords: Readonly<Record<string, pulumi.Output<{ cname: string; target: string; txtName: string; txtValue: string }>>>;

  constructor(name: string, args: FrontDoorArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "FrontDoor", name, args, opts);
    const scope = scopeOf(this, name, args);
    const t = args.transform ?? {};
    this.wafPolicy = new frontdoor.Policy(
      ...transformed(
        `${name}-waf`,
        {
          resourceGroupName: scope.resourceGroupName,
          location: "global",
          // Front Door WAF policy names are letters and digits only.
          policyName: physicalName("azure", "storageAccount", { app: scope.app, environment: scope.environment, name: "waf" }).replace(/^[0-9]+/, "w"),
          sku: { name: "Premium_AzureFrontDoor" },
          policySettings: { enabledState: "Enabled", mode: args.wafMode ?? "Prevention", requestBodyCheck: "Enabled" },
          managedRules: {
            managedRuleSets: [
              { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: "Block" },
              { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" },
            ],
          },
          tags: scope.tags,
        },
        childOptions(scope),
        t.wafPolicy,
      ),
    );
    this.profile = new cdn.Profile(
      ...transformed(`${name}-profile`, { resourceGroupName: scope.resourceGroupName, location: "global", sku: { name: "Premium_AzureFrontDoor" }, originResponseTimeoutSeconds: 60, tags: scope.tags }, childOptions(scope), t.profile),
    );
    sendDiagnostics(scope, `${name}-profile`, this.profile.id, args.workspaceId, {}, t.diagnostics);
    const routed = args.origins.map((origin) => this.route(scope, origin, args, t));
    new cdn.SecurityPolicy(
      ...transformed(
        `${name}-waf-association`,
        {
          resourceGroupName: scope.resourceGroupName,
          profileName: this.profile.name,
          parameters: {
            type: "WebApplicationFirewall",
            wafPolicy: { id: this.wafPolicy.id },
            associations: [{ domains: routed.flatMap((r) => [{ id: r.endpoint.id }, ...(r.domain === undefined ? [] : [{ id: r.domain.id }])]), patternsToMatch: ["/*"] }],
          },
        },
        childOptions(scope),
        t.securityPolicy,
      ),
    );
    this.urls = Object.fromEntries(routed.map((r) => [r.origin.name, r.origin.domainName === undefined ? pulumi.interpolate`https://${r.endpoint.hostName}` : pulumi.output(`https://${r.origin.domainName}`)]));
    this.dnsRecords = Object.fromEntries(
      routed.flatMap((r) =>
        r.domain === undefined
          ? []
          : [[r.origin.name, pulumi.all([r.endpoint.hostName, r.domain.validationProperties]).apply(([target, validation]) => ({ cname: r.origin.domainName!, target, txtName: `_dnsauth.${r.origin.domainName!}`, txtValue: validation?.validationToken ?? "" }))]],
      ),
    );
    this.registerOutputs({ profileId: this.profile.id, urls: this.urls });
  }

  private route(scope: Scope, origin: FrontDoorOrigin, args: FrontDoorArgs, t: NonNullable<FrontDoorArgs["transform"]>): { origin: FrontDoorOrigin; endpoint: cdn.AFDEndpoint; domain?: cdn.AFDCustomDomain } {
    const base = { resourceGroupName: scope.resourceGroupName, profileName: this.profile.name };
    const prefix = `${scope.name}-${origin.name}`;
    const endpoint = new cdn.AFDEndpoint(...transformed(prefix, { ...base, location: "global", enabledState: "Enabled", tags: scope.tags }, childOptions(scope), t.endpoint));
    const group = new cdn.AFDOriginGroup(
      ...transformed(
        `${prefix}-origins`,
        {
          ...base,
          healthProbeSettings: { probePath: origin.healthCheckPath, probeProtocol: "Https", probeRequestType: "GET", probeIntervalInSeconds: 30 },
          loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
          sessionAffinityState: "Disabled",
        },
        childOptions(scope),
        t.originGroup,
      ),
    );
    const target = new cdn.AFDOrigin(
      ...transformed(
        `${prefix}-origin`,
        { ...base, originGroupName: group.name, hostName: origin.hostName, originHostHeader: origin.hostName, httpsPort: 443, enforceCertificateNameCheck: true, enabledState: "Enabled" },
        childOptions(scope),
        t.origin,
      ),
    );
    const domain =
      origin.domainName === undefined
        ? undefined
        : new cdn.AFDCustomDomain(
            ...transformed(
              `${prefix}-domain`,
              { ...base, hostName: origin.domainName, tlsSettings: { certificateType: "ManagedCertificate", minimumTlsVersion: "TLS12" }, ...(args.dnsZone === undefined ? {} : { azureDnsZone: { id: args.dnsZone.id } }) },
              childOptions(scope),
              t.customDomain,
            ),
          );
    if (domain !== undefined && args.dnsZone !== undefined) {
      const token = domain.validationProperties.apply((v) => v?.validationToken ?? "");
      createDnsRecords(scope, prefix, args.dnsZone, origin.domainName!, { txtPrefix: "_dnsauth", value: token }, { hostName: endpoint.hostName, apex: { resourceId: endpoint.id } }, t.dnsRecord);
    }
    new cdn.Route(
      ...transformed(
        `${prefix}-route`,
        {
          ...base,
          endpointName: endpoint.name,
          originGroup: { id: group.id },
          supportedProtocols: ["Http", "Https"],
          httpsRedirect: "Enabled",
          forwardingProtocol: "HttpsOnly",
          linkToDefaultDomain: "Enabled",
          patternsToMatch: ["/*"],
          ...(domain === undefined ? {} : { customDomains: [{ id: domain.id }] }),
          ...(args.caching === true ? { cacheConfiguration: { queryStringCachingBehavior: "UseQueryString", compressionSettings: { isCompressionEnabled: true, contentTypesToCompress: ["text/html", "text/css", "application/javascript", "application/json", "image/svg+xml"] } } } : {}),
        },
        // A route needs an origin in its group.
        childOptions(scope, { dependsOn: [target] }),
        t.route,
      ),
    );
    return { origin, endpoint, ...(domain === undefined ? {} : { domain }) };
  }
}
