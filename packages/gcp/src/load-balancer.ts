/**
 * The global external Application Load Balancer in front of a public Cloud Run service: a serverless
 * network endpoint group, a backend service (request logging, Cloud Armor when asked, Cloud CDN when
 * asked), and either HTTPS with a Google-managed certificate and a modern TLS policy plus an HTTP to
 * HTTPS redirect, or plain HTTP when TLS is off. With a Cloud DNS zone, the host's A record too.
 */
import * as compute from "@pulumi/gcp/compute";
import * as dns from "@pulumi/gcp/dns";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";

/**
 * Cloud Armor's preconfigured WAF rules (ModSecurity CRS 3.3, sensitivity 1: the fewest false
 * positives), each denying with 403.
 */
export const WAF_RULES = ["sqli-v33-stable", "xss-v33-stable", "lfi-v33-stable", "rfi-v33-stable", "rce-v33-stable", "methodenforcement-v33-stable", "scannerdetection-v33-stable", "protocolattack-v33-stable", "sessionfixation-v33-stable"] as const;

export interface LoadBalancerTransforms {
  readonly address?: Transform<compute.GlobalAddressArgs>;
  readonly backendService?: Transform<compute.BackendServiceArgs>;
  readonly securityPolicy?: Transform<compute.SecurityPolicyArgs>;
  readonly urlMap?: Transform<compute.URLMapArgs>;
  readonly sslPolicy?: Transform<compute.SSLPolicyArgs>;
  readonly certificate?: Transform<compute.ManagedSslCertificateArgs>;
}

export interface LoadBalancerArgs {
  /** Physical name prefix, e.g. `shop-prd-api`. */
  readonly physicalName: string;
  readonly region: string;
  /** The Cloud Run service's name. */
  readonly serviceName: pulumi.Input<string>;
  readonly labels: Record<string, string>;
  /** The host served; a TLS load balancer needs one (its certificate's domain). */
  readonly host?: string;
  readonly tls: boolean;
  readonly waf: boolean;
  readonly cdn: boolean;
  /** Cloud DNS managed zone of the host, to create its A record in. */
  readonly dnsManagedZone?: string;
  readonly transform?: LoadBalancerTransforms;
}

export interface LoadBalancer {
  readonly address: compute.GlobalAddress;
  readonly backendService: compute.BackendService;
  readonly securityPolicy?: compute.SecurityPolicy;
  readonly certificate?: compute.ManagedSslCertificate;
  readonly urlMap: compute.URLMap;
  /** The forwarding rules: HTTPS (when TLS) and HTTP (the redirect, or the service itself without TLS). */
  readonly forwardingRules: readonly compute.GlobalForwardingRule[];
  readonly record?: dns.RecordSet;
  /** The address clients use: https://<host>, or http://<ip> without a host. */
  readonly url: pulumi.Output<string>;
}

export function createLoadBalancer(name: string, args: LoadBalancerArgs, opts: pulumi.CustomResourceOptions): LoadBalancer {
  const t = args.transform ?? {};
  const n = (suffix: string) => `${args.physicalName}-${suffix}`.slice(0, 63).replace(/-+$/, "");
  const address = new compute.GlobalAddress(...transformed(`${name}-lb-ip`, { name: n("lb"), addressType: "EXTERNAL", ipVersion: "IPV4", labels: args.labels }, opts, t.address));
  const neg = new compute.RegionNetworkEndpointGroup(`${name}-neg`, { name: n("neg"), region: args.region, networkEndpointType: "SERVERLESS", cloudRun: { service: args.serviceName } }, opts);
  const securityPolicy = args.waf
    ? new compute.SecurityPolicy(
        ...transformed(
          `${name}-armor`,
          {
            name: n("armor"),
            type: "CLOUD_ARMOR",
            description: "Preconfigured WAF rules (OWASP CRS 3.3) and adaptive protection",
            adaptiveProtectionConfig: { layer7DdosDefenseConfig: { enable: true } },
            rules: [
              ...WAF_RULES.map((rule, i) => ({
                action: "deny(403)",
                priority: 1000 + i,
                description: `Preconfigured WAF rule ${rule}`,
                match: { expr: { expression: `evaluatePreconfiguredWaf('${rule}', {'sensitivity': 1})` } },
              })),
              { action: "allow", priority: 2147483647, description: "Default rule: allow what no rule denies", match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } } },
            ],
          },
          opts,
          t.securityPolicy,
        ),
      )
    : undefined;
  const backendService = new compute.BackendService(
    ...transformed(
      `${name}-backend`,
      {
        name: n("backend"),
        loadBalancingScheme: "EXTERNAL_MANAGED",
        protocol: "HTTPS",
        backends: [{ group: neg.id }],
        logConfig: { enable: true, sampleRate: 1 },
        ...(securityPolicy === undefined ? {} : { securityPolicy: securityPolicy.id }),
        enableCdn: args.cdn,
        ...(args.cdn ? { cdnPolicy: { cacheMode: "CACHE_ALL_STATIC", defaultTtl: 3600, clientTtl: 3600, maxTtl: 86400, negativeCaching: true, serveWhileStale: 86400 } } : {}),
      },
      opts,
      t.backendService,
    ),
  );
  const urlMap = new compute.URLMap(...transformed(`${name}-urlmap`, { name: n("urlmap"), defaultService: backendService.id }, opts, t.urlMap));
  const rule = (suffix: string, target: pulumi.Input<string>, port: string) =>
    new compute.GlobalForwardingRule(`${name}-${suffix}`, { name: n(suffix), target, portRange: port, ipAddress: address.id, ipProtocol: "TCP", loadBalancingScheme: "EXTERNAL_MANAGED", labels: args.labels }, opts);
  let certificate: compute.ManagedSslCertificate | undefined;
  const forwardingRules: compute.GlobalForwardingRule[] = [];
  if (args.tls && args.host !== undefined) {
    certificate = new compute.ManagedSslCertificate(...transformed(`${name}-cert`, { name: n("cert"), managed: { domains: [args.host] } }, opts, t.certificate));
    const sslPolicy = new compute.SSLPolicy(...transformed(`${name}-tls`, { name: n("tls"), profile: "MODERN", minTlsVersion: "TLS_1_2" }, opts, t.sslPolicy));
    const httpsProxy = new compute.TargetHttpsProxy(`${name}-https`, { name: n("https"), urlMap: urlMap.id, sslCertificates: [certificate.id], sslPolicy: sslPolicy.id }, opts);
    forwardingRules.push(rule("https-rule", httpsProxy.id, "443"));
    const redirect = new compute.URLMap(`${name}-redirect`, { name: n("redirect"), defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false } }, opts);
    const httpProxy = new compute.TargetHttpProxy(`${name}-http`, { name: n("http"), urlMap: redirect.id }, opts);
    forwardingRules.push(rule("http-rule", httpProxy.id, "80"));
  } else {
    const httpProxy = new compute.TargetHttpProxy(`${name}-http`, { name: n("http"), urlMap: urlMap.id }, opts);
    forwardingRules.push(rule("http-rule", httpProxy.id, "80"));
  }
  const record =
    args.host !== undefined && args.dnsManagedZone !== undefined
      ? new dns.RecordSet(`${name}-record`, { managedZone: args.dnsManagedZone, name: `${args.host}.`, type: "A", ttl: 300, rrdatas: [address.address] }, opts)
      : undefined;
  const url = args.host === undefined ? pulumi.interpolate`http://${address.address}` : pulumi.output(`${certificate === undefined ? "http" : "https"}://${args.host}`);
  return { address, backendService, ...(securityPolicy === undefined ? {} : { securityPolicy }), ...(certificate === undefined ? {} : { certificate }), urlMap, forwardingRules, ...(record === undefined ? {} : { record }), url };
}
