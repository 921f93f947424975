import * as app from "@pulumi/azure-native/app";
import type * as authorization from "@pulumi/azure-native/authorization";
import type * as dns from "@pulumi/azure-native/dns";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as privatedns from "@pulumi/azure-native/privatedns";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import { containerAppsSizeProblems, PolycloudError, transformed, type BucketAccess, type ServiceSpec, type Transform, type WebServiceArgs as CoreWebServiceArgs, type WebServiceOutputs } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { assignRole } from "./access";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import { createDnsRecords, type DnsZoneRef } from "./dns-records";
import type { Network } from "./network";
import { createRollback, type Rollback, type RollbackTransforms } from "./rollback";
import type { AzureSecretReference } from "./secret-store";
import { childOptions, clientContext, physicalNameOf, placed, scopeOf, type Scope } from "./scope";

/** A bucket a service may use: its container and the access granted. */
export interface BucketGrant {
  readonly containerId: pulumi.Input<string>;
  readonly access: BucketAccess;
}

export interface WebServiceArgs extends CoreWebServiceArgs<Network> {
  readonly secrets?: readonly AzureSecretReference[];
  /** Buckets the service may use, by name: a blob data role on exactly that container. @default {} */
  readonly buckets?: Readonly<Record<string, BucketGrant>>;
  /** DNS name the service answers on (`network.loadBalancer.domain`, or `<service>.<domain>`). @default - the environment's generated name only */
  readonly domainName?: string;
  /**
   * Served through Front Door (see FrontDoor): the domain and its certificate are Front Door's, and
   * this service's URL is given by it.
   * @default false
   */
  readonly frontDoor?: boolean;
  /**
   * The Azure DNS zone of `domainName`: its certificate's ownership record (`asuid`) and its CNAME (an
   * A record at the zone's apex) are created there, before the certificate.
   * @default - none: `dnsRecords` lists the records to create by hand
   */
  readonly dnsZone?: DnsZoneRef;
  /** Application Insights connection string, given to the app as `APPLICATIONINSIGHTS_CONNECTION_STRING`. @default - none */
  readonly applicationInsightsConnectionString?: pulumi.Input<string>;
  /** Log Analytics workspace of the environment's logs and metrics. @default - the network's */
  readonly workspaceId?: pulumi.Input<string>;
  /** Concurrent HTTP requests per replica before another replica is added. @default 50 */
  readonly concurrentRequests?: number;
  /**
   * The revision serving production traffic, for blue-green and canary (revision mode Multiple):
   * canary sends the first step's share to the latest revision and the rest here; blue-green sends
   * everything here and labels the latest `green` for testing. Promote by setting it to the latest.
   * While the latest revision is not this one, `rollback.onAlarm` sets all traffic back here when the
   * latest's 5xx ratio exceeds the SLO's error rate (and, with `rollback.onHealthCheckFailure`, when
   * one of its replicas restarts): see rollback.ts.
   * @default - none: the latest revision takes all traffic (the first deployment)
   */
  readonly stableRevision?: string;
  /**
   * The rollout is aborted (`polycloud abort`): the stable revision takes all traffic and the latest none,
   * keeping its label (`canary` or `green`) so it can still be reached; the rollback on alerts stands
   * down. Needs `stableRevision`. The backend takes it from `polycloud:azure.abortedRollouts.<service>`.
   * @default false
   */
  readonly rolloutAborted?: boolean;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: DiagnosticsTransforms & RollbackTransforms & {
    identity?: Transform<managedidentity.UserAssignedIdentityArgs>;
    roleAssignment?: Transform<authorization.RoleAssignmentArgs>;
    environment?: Transform<app.ManagedEnvironmentArgs>;
    environmentZone?: Transform<privatedns.PrivateZoneArgs>;
    environmentZoneRecord?: Transform<privatedns.PrivateRecordSetArgs>;
    environmentZoneLink?: Transform<privatedns.VirtualNetworkLinkArgs>;
    dnsRecord?: Transform<dns.RecordSetArgs>;
    certificate?: Transform<app.ManagedCertificateArgs>;
    containerApp?: Transform<app.ContainerAppArgs>;
  };
}

/** A Container Apps secret name for an environment variable: lowercase letters, digits and hyphens. */
export function secretNameOf(envName: string): string {
  return envName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * A service on Azure Container Apps, in a managed environment of its own on its own subnet (so the
 * subnet's NSG decides exactly who may call it), logs and metrics to Log Analytics, zone-redundant in
 * production, mutual TLS between its replicas. The container app runs as a user-assigned managed
 * identity granted exactly its secrets (Key Vault Secrets User on each) and buckets (a blob data role on
 * each container); secrets are Key Vault references resolved through that identity, never values.
 * Ingress is HTTPS only (HTTP redirects), public services' environment is internet facing and private
 * services' is internal to the VNet, with a private DNS zone resolving it; a managed certificate serves
 * the service's domain. Startup, liveness (lenient) and readiness (strict) probes on the health check;
 * scale rules on HTTP concurrency, CPU and memory between the spec's min and max replicas. Rolling
 * deployments use one active revision; blue-green and canary use multiple, with traffic weights, and
 * roll back to the stable revision on the new revision's errors or restarts (see rollback.ts).
 */
export class WebService extends PolycloudComponent implements WebServiceOutputs {
  readonly serviceName: string;
  /** The container app's name (what its metrics are recorded under). */
  readonly appName: string;
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly environment: app.ManagedEnvironment;
  readonly containerApp: app.ContainerApp;
  readonly url: pulumi.Output<string>;
  /** The container app's own host name (`<app>.<environment domain>`). */
  readonly fqdn: pulumi.Output<string>;
  /**
   * The records the service's domain needs before its managed certificate is issued (a CNAME to the
   * app, a TXT `asuid.<domain>` with the environment's verification id); none without a certificate.
   */
  readonly dnsRecords?: pulumi.Output<{ readonly cname: string; readonly target: string; readonly txtName: string; readonly txtValue: string }>;
  /** The identity's principal id: what grants on stores name. */
  readonly principalId: pulumi.Output<string>;
  /** Rollback on alerts, for canary and blue-green with `rollback.onAlarm` and a stable revision. */
  readonly rollback?: Rollback;

  constructor(name: string, args: WebServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "WebService", name, args, opts);
    const spec = args.service;
    PolycloudError.throwIfAny(containerAppsSizeProblems(spec, `services.${spec.name}`), `WebService ${name} cannot be built on Azure`);
    const net = args.network;
    const scope = scopeOf(this, name, { resourceGroupName: net.resourceGroupName, location: net.location });
    const t = args.transform ?? {};
    const client = clientContext(this);
    this.serviceName = spec.name;
    this.appName = physicalNameOf(scope, "containerApp");

    this.identity = new managedidentity.UserAssignedIdentity(...transformed(`${name}-identity`, { ...placed(scope) }, childOptions(scope), t.identity));
    this.principalId = this.identity.principalId;
    const grant = (label: string, role: Parameters<typeof assignRole>[2]["role"], target: pulumi.Input<string>) =>
      assignRole(scope, `${name}-${label}`, { principalId: this.identity.principalId, role, scope: target, subscriptionId: client.subscriptionId }, t.roleAssignment);
    const grants = [
      ...(args.secrets ?? []).map((s) => grant(`reads-${secretNameOf(s.envName)}`, "keyVaultSecretsUser", s.location.secretId)),
      ...Object.entries(args.buckets ?? {}).map(([bucket, g]) => grant(`${g.access}-bucket-${bucket}`, g.access === "read" ? "storageBlobDataReader" : "storageBlobDataContributor", g.containerId)),
    ];

    this.environment = this.createEnvironment(scope, args, t);
    const certificate = args.domainName !== undefined && args.loadBalancer.tls && spec.public && args.frontDoor !== true ? this.createCertificate(scope, args.domainName, args, t) : undefined;
    this.containerApp = new app.ContainerApp(
      ...transformed(
        name,
        {
          ...placed(scope),
          // Accepted policy finding, visible in every policy report: Application Insights' SDKs read their
          // connection string from this variable, and Microsoft documents it as an ingestion address, not a secret.
          ...(args.applicationInsightsConnectionString === undefined
            ? {}
            : { tags: { ...scope.tags, "polycloud:suppress:PC-AZ-APP-002": "the Application Insights connection string is an ingestion address that Microsoft does not treat as a secret" } }),
          containerAppName: this.appName,
          environmentId: this.environment.id,
          workloadProfileName: "Consumption",
          identity: { type: "UserAssigned", userAssignedIdentities: [this.identity.id] },
          configuration: {
            activeRevisionsMode: spec.deployment.strategy === "rolling" ? "Single" : "Multiple",
            maxInactiveRevisions: 10,
            ingress: {
              // Outside its own environment: the internet for public services, the VNet (internal environment) for the rest.
              external: true,
              targetPort: spec.port,
              transport: "auto",
              allowInsecure: false,
              traffic: trafficOf(spec, args.stableRevision, args.rolloutAborted === true),
              ...(certificate === undefined ? {} : { customDomains: [{ name: args.domainName!, bindingType: "SniEnabled", certificateId: certificate.id }] }),
            },
            secrets: (args.secrets ?? []).map((s) => ({ name: secretNameOf(s.envName), keyVaultUrl: s.location.secretUri, identity: this.identity.id })),
          },
          template: {
            containers: [containerOf(spec, args, this.identity.clientId)],
            scale: {
              minReplicas: spec.replicas.min,
              maxReplicas: spec.replicas.max,
              rules: [
                { name: "http-concurrency", http: { metadata: { concurrentRequests: String(args.concurrentRequests ?? 50) } } },
                { name: "cpu", custom: { type: "cpu", metadata: { type: "Utilization", value: String(spec.autoscaling.cpuPercent) } } },
                { name: "memory", custom: { type: "memory", metadata: { type: "Utilization", value: String(spec.autoscaling.memoryPercent) } } },
              ],
            },
          },
        },
        // Key Vault references are resolved when the revision starts: the identity must be allowed first.
        childOptions(scope, { dependsOn: grants }),
        t.containerApp,
      ),
    );
    sendDiagnostics(scope, name, this.containerApp.id, args.workspaceId ?? net.workspaceId, { logs: false }, t.diagnostics);
    const { strategy, rollback } = spec.deployment;
    if (strategy !== "rolling" && rollback.onAlarm && args.stableRevision !== undefined) {
      this.rollback = createRollback(
        scope,
        name,
        {
          serviceName: spec.name,
          containerApp: this.containerApp,
          stable: args.stableRevision,
          aborted: args.rolloutAborted === true,
          errorRatePercent: args.slo.errorRatePercent,
          onHealthCheckFailure: rollback.onHealthCheckFailure,
          workspaceId: args.workspaceId ?? net.workspaceId,
          subscriptionId: client.subscriptionId,
        },
        t,
      );
    }
    this.fqdn = this.containerApp.configuration.apply((c) => c?.ingress?.fqdn ?? "");
    if (certificate !== undefined) {
      const domain = args.domainName!;
      this.dnsRecords = pulumi
        .all([this.fqdn, this.environment.customDomainConfiguration])
        .apply(([target, custom]) => ({ cname: domain, target, txtName: `asuid.${domain}`, txtValue: custom?.customDomainVerificationId ?? "" }));
    }
    this.url = args.domainName !== undefined ? pulumi.output(`${args.loadBalancer.tls ? "https" : "http"}://${args.domainName}`) : pulumi.interpolate`https://${this.fqdn}`;
    // The latest revision is what a canary or blue-green deployment rolls out: `polycloud promote` reads it
    // from the state and makes it the stable revision.
    this.registerOutputs({ url: this.url, fqdn: this.fqdn, principalId: this.principalId, latestRevision: this.containerApp.latestRevisionName });
  }

  private createEnvironment(scope: Scope, args: WebServiceArgs, t: NonNullable<WebServiceArgs["transform"]>): app.ManagedEnvironment {
    const net = args.network;
    const internal = !args.service.public;
    const environment = new app.ManagedEnvironment(
      ...transformed(
        `${scope.name}-env`,
        {
          ...placed(scope),
          workloadProfiles: [{ name: "Consumption", workloadProfileType: "Consumption" }],
          vnetConfiguration: { infrastructureSubnetId: net.subnetId({ kind: "service", name: args.service.name }), internal },
          // Logs go through the diagnostic setting below: no workspace key in the environment's config.
          appLogsConfiguration: { destination: "azure-monitor" },
          zoneRedundant: scope.environment === "production",
          peerTrafficConfiguration: { encryption: { enabled: true } },
          publicNetworkAccess: internal ? "Disabled" : "Enabled",
        },
        childOptions(scope),
        t.environment,
      ),
    );
    sendDiagnostics(scope, `${scope.name}-env`, environment.id, args.workspaceId ?? net.workspaceId, {}, t.diagnostics);
    if (internal) {
      // An internal environment's names resolve only through a private zone of its default domain.
      const zone = new privatedns.PrivateZone(
        ...transformed(`${scope.name}-env-dns`, { resourceGroupName: scope.resourceGroupName, privateZoneName: environment.defaultDomain, location: "global", tags: scope.tags }, childOptions(scope), t.environmentZone),
      );
      new privatedns.PrivateRecordSet(
        ...transformed(
          `${scope.name}-env-dns-wildcard`,
          { resourceGroupName: scope.resourceGroupName, privateZoneName: zone.name, recordType: "A", relativeRecordSetName: "*", ttl: 300, aRecords: [{ ipv4Address: environment.staticIp }] },
          childOptions(scope),
          t.environmentZoneRecord,
        ),
      );
      new privatedns.VirtualNetworkLink(
        ...transformed(
          `${scope.name}-env-dns-link`,
          { resourceGroupName: scope.resourceGroupName, privateZoneName: zone.name, location: "global", virtualNetwork: { id: net.networkId }, registrationEnabled: false, tags: scope.tags },
          childOptions(scope),
          t.environmentZoneLink,
        ),
      );
    }
    return environment;
  }

  private createCertificate(scope: Scope, domainName: string, args: WebServiceArgs, t: NonNullable<WebServiceArgs["transform"]>): app.ManagedCertificate {
    const appHost = pulumi.interpolate`${this.appName}.${this.environment.defaultDomain}`;
    const records =
      args.dnsZone === undefined
        ? []
        : createDnsRecords(
            scope,
            scope.name,
            args.dnsZone,
            domainName,
            { txtPrefix: "asuid", value: this.environment.customDomainConfiguration.apply((c) => c?.customDomainVerificationId ?? "") },
            { hostName: appHost, apex: { ipAddress: this.environment.staticIp } },
            t.dnsRecord,
          );
    return new app.ManagedCertificate(
      ...transformed(
        `${scope.name}-cert`,
        // At the apex Azure validates by HTTP (a CNAME cannot exist there), elsewhere by the CNAME.
        { ...placed(scope), environmentName: this.environment.name, properties: { subjectName: domainName, domainControlValidation: args.dnsZone !== undefined && domainName.toLowerCase() === args.dnsZone.zoneName ? "HTTP" : "CNAME" } },
        childOptions(scope, { dependsOn: records }),
        t.certificate,
      ),
    );
  }
}

/** The container: image, command, sizes, plain env, secrets by reference, identity and telemetry settings, probes. */
function containerOf(spec: ServiceSpec, args: WebServiceArgs, clientId: pulumi.Output<string>): inputs.app.ContainerArgs {
  const hc = spec.healthCheck;
  const probe = (type: string, failureThreshold: number, initialDelaySeconds: number): inputs.app.ContainerAppProbeArgs => ({
    type,
    httpGet: { path: hc.path, port: spec.port, scheme: "HTTP" },
    periodSeconds: hc.intervalSeconds,
    timeoutSeconds: hc.timeoutSeconds,
    failureThreshold,
    initialDelaySeconds,
  });
  return {
    name: spec.name,
    image: spec.image,
    ...(spec.command === undefined ? {} : { command: [...spec.command] }),
    ...(spec.args === undefined ? {} : { args: [...spec.args] }),
    resources: { cpu: spec.cpu, memory: `${spec.memory / 1024}Gi` },
    env: [
      ...Object.entries(spec.env).map(([envName, value]) => ({ name: envName, value })),
      ...(args.secrets ?? []).map((s) => ({ name: s.envName, secretRef: secretNameOf(s.envName) })),
      // DefaultAzureCredential picks the user-assigned identity by its client id (Key Vault, blobs, Redis).
      { name: "AZURE_CLIENT_ID", value: clientId },
      // The service's name in Application Insights (AppRoleName), which its SLO alerts select.
      { name: "OTEL_SERVICE_NAME", value: spec.name },
      ...(args.applicationInsightsConnectionString === undefined ? [] : [{ name: "APPLICATIONINSIGHTS_CONNECTION_STRING", value: args.applicationInsightsConnectionString }]),
    ],
    probes: [
      // Startup allows the whole grace period; liveness restarts only after three misses; readiness drops traffic at once.
      probe("Startup", Math.max(1, Math.min(10, Math.ceil(hc.gracePeriodSeconds / hc.intervalSeconds))), 0),
      probe("Liveness", 3, 0),
      probe("Readiness", 1, 0),
    ],
  };
}

/**
 * Traffic of the revisions: one revision for rolling; weights between latest and stable for blue-green and
 * canary. An aborted rollout sends all traffic to the stable revision, the latest keeping its label at 0%.
 */
export function trafficOf(spec: ServiceSpec, stableRevision: string | undefined, aborted = false): inputs.app.TrafficWeightArgs[] {
  const latest = (weight: number, label?: string): inputs.app.TrafficWeightArgs => ({ latestRevision: true, weight, ...(label === undefined ? {} : { label }) });
  if (spec.deployment.strategy === "rolling" || stableRevision === undefined) return [latest(100)];
  if (spec.deployment.strategy === "blue-green") return [latest(0, "green"), { revisionName: stableRevision, weight: 100, label: "blue" }];
  if (aborted) return [latest(0, "canary"), { revisionName: stableRevision, weight: 100, label: "stable" }];
  const first = spec.deployment.canary.steps[0] ?? 10;
  return [latest(first, "canary"), { revisionName: stableRevision, weight: 100 - first, label: "stable" }];
}
