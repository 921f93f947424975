/**
 * WebService: a Cloud Run (v2) service with a service account of its own that holds only what it is
 * granted (each secret it reads, added by reference; buckets and stores by the backend), min/max
 * instances, CPU and memory, startup and liveness probes on the health check, Direct VPC egress with all
 * traffic through the VPC (so the firewall decides what it reaches, and Cloud NAT its way out) under a
 * network tag of its own. A public service takes traffic only from its global external Application Load
 * Balancer (ingress internal-and-load-balancing); a private one only from the VPC, and only from the
 * callers granted `roles/run.invoker`.
 *
 * Deployments: every revision has a deterministic name (`<service>-<hash of its template>`), so the
 * program names the revision it deploys (the candidate) and, from `stableRevision`, the one serving
 * before it. Canary sends the first step's share to the candidate and the rest to the stable revision;
 * blue-green keeps all traffic on the stable revision and serves the candidate only at its `preview` tag;
 * promotion makes the candidate the stable revision. Cloud Run sends traffic to a revision only once its
 * startup probe passes, so a revision that fails its health check never serves (rollback on failed
 * health, for every strategy); with `rollback.onAlarm`, the candidate's 5xx ratio above the SLO's error
 * rate sets the traffic back to the stable revision (see rollback.ts).
 */
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import type * as input from "@pulumi/gcp/types/input";
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_RUN_MAX, cloudRunRevisionProblem, PolycloudError, transformed, type Problem, type Transform, type WebServiceArgs as CoreWebServiceArgs, type DnsRecord, type WebServiceOutputs } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { labelsOf, nameOf, regionOf } from "./common";
import { createLoadBalancer, type LoadBalancer, type LoadBalancerTransforms } from "./load-balancer";
import type { Network } from "./network";
import { grantSecretRead, type GcpSecretReference } from "./secrets";
import { createRollback, type Rollback } from "./rollback";
import { inRollout, promoteCommand, revisionName, tagUrl, trafficOf, type RevisionTraffic } from "./rollout";
import { cloudRunSize } from "./sizing";

/** Cloud Run's probe limits (core's): a startup probe waits at most 240 s before it starts, and probes every 1 to 240 s. */
const MAX_STARTUP_DELAY_SECONDS = CLOUD_RUN_MAX.probeSeconds;

export interface WebServiceArgs extends CoreWebServiceArgs<Network> {
  readonly secrets?: readonly GcpSecretReference[];
  /** Region of the Cloud Run service (and its network endpoint group). @default the network's region */
  readonly region?: string;
  /** Cloud CDN on the public load balancer. @default false */
  readonly cdn?: boolean;
  /** The host the load balancer serves (its certificate's domain). @default none: plain HTTP on the load balancer's address */
  readonly host?: string;
  /** Cloud DNS managed zone of `host`: its A record is created there. @default none: create the record yourself (see `dnsRecords`) */
  readonly dnsManagedZone?: string;
  /** Requests one instance serves at once. @default 80 */
  readonly concurrency?: number;
  /**
   * The revision serving before this deployment, for canary and blue-green: it keeps the traffic the
   * candidate does not take, and is what a rollback on alerts restores. Set it to the candidate (output
   * `revision`) to promote it. The backend takes it from `polycloud:gcp.stableRevisions.<service>`.
   * @default none: a first deployment, all traffic to the revision deployed
   * @example "shop-prd-api-3f9a1c2e"
   */
  readonly stableRevision?: string;
  /**
   * The rollout is aborted (`polycloud abort`): the stable revision takes all traffic and the candidate
   * none, keeping its tag (`canary` or `preview`) so it can still be reached; the rollback on alerts
   * stands down. Needs `stableRevision`. The backend takes it from `polycloud:gcp.abortedRollouts.<service>`.
   * @default false
   */
  readonly rolloutAborted?: boolean;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: LoadBalancerTransforms & {
    readonly service?: Transform<cloudrunv2.ServiceArgs>;
    readonly serviceAccount?: Transform<serviceaccount.AccountArgs>;
  };
}

/**
 * Problems with a service's args that Cloud Run would refuse, every one at once.
 * @param runName the Cloud Run service's name, which its revisions' names begin with.
 */
export function webServiceProblems(args: WebServiceArgs, runName: string): Problem[] {
  const { service } = args;
  const problems: Problem[] = [];
  const at = (field: string) => `services.${service.name}.${field}`;
  if (!Number.isInteger(service.replicas.min) || service.replicas.min < 0 || service.replicas.max < Math.max(1, service.replicas.min)) {
    problems.push({ path: at("replicas"), message: `min ${service.replicas.min} and max ${service.replicas.max} are not a range Cloud Run scales in; allowed: 0 <= min <= max, max >= 1`, fix: "make min <= max and max at least 1" });
  }
  const health = service.healthCheck;
  if (health.gracePeriodSeconds > MAX_STARTUP_DELAY_SECONDS) {
    problems.push({ path: at("healthCheck.gracePeriodSeconds"), message: `${health.gracePeriodSeconds} is longer than a Cloud Run startup probe may wait; allowed: 0 to ${MAX_STARTUP_DELAY_SECONDS}`, fix: `set gracePeriodSeconds to ${MAX_STARTUP_DELAY_SECONDS} or less` });
  }
  if (health.intervalSeconds > MAX_STARTUP_DELAY_SECONDS || health.timeoutSeconds >= health.intervalSeconds) {
    problems.push({ path: at("healthCheck"), message: `interval ${health.intervalSeconds} s and timeout ${health.timeoutSeconds} s are not probe timings Cloud Run accepts; allowed: timeout < interval <= ${MAX_STARTUP_DELAY_SECONDS}`, fix: "make timeoutSeconds smaller than intervalSeconds" });
  }
  const notARevision = args.stableRevision === undefined ? undefined : cloudRunRevisionProblem("stableRevision", args.stableRevision, runName);
  if (notARevision !== undefined) problems.push(notARevision);
  if (args.loadBalancer.tls && args.host === undefined && service.public) {
    problems.push({ path: "host", message: "is not set, and a public service with TLS needs the domain its Google-managed certificate is issued for", fix: "set host, or set loadBalancer.tls to false" });
  }
  return problems;
}

export class WebService extends PolycloudComponent implements WebServiceOutputs {
  readonly serviceName: string;
  /** The Cloud Run service's name, known at plan time (monitoring filters name it). */
  readonly runName: string;
  /** The host the load balancer serves, when one was given. */
  readonly host?: string;
  /** Whether the service is public (behind its load balancer), served over HTTPS. */
  readonly exposure: { readonly public: boolean; readonly tls: boolean; readonly healthPath: string };
  /** The spec's utilisation targets, which the service's resource alerts use. */
  readonly autoscaling: { readonly cpuPercent: number; readonly memoryPercent: number };
  readonly serviceAccount: serviceaccount.Account;
  readonly service: cloudrunv2.Service;
  readonly loadBalancer?: LoadBalancer;
  /** The network tag on the service's Direct VPC egress: firewall rules name it. */
  readonly networkTag: string;
  /** `serviceAccount:<email>` of the service, for grants. */
  readonly member: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  /** The revision this deployment serves or rolls out (`<Cloud Run service>-<hash of its template>`). */
  readonly revision: pulumi.Output<string>;
  /** While a canary or blue-green candidate is not promoted: its own URL (its `canary` or `preview` tag), reachable as the service's ingress allows. */
  readonly candidateUrl: pulumi.Output<string | undefined>;
  /** While a candidate is not promoted: the command that promotes it. */
  readonly promotion: pulumi.Output<string | undefined>;
  /** Rollback on alerts, for canary and blue-green with `rollback.onAlarm`. */
  readonly rollback?: Rollback;
  /** DNS records to create by hand when no Cloud DNS zone is given (host -> A address). */
  readonly dnsRecords: pulumi.Output<DnsRecord[]>;
  private readonly componentName: string;

  constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "WebService", name, args, opts);
    const spec = args.service;
    this.runName = nameOf(this.defaults, "cloudRunService", spec.name);
    PolycloudError.throwIfAny(webServiceProblems(args, this.runName), `Invalid web service ${name}`);
    this.componentName = name;
    const region = regionOf(args.region ?? args.network.region, `WebService ${name}`);
    const t = args.transform ?? {};
    const labels = labelsOf(this.defaults, { service: spec.name });
    const child = this.childOptions();
    this.serviceName = spec.name;
    this.networkTag = nameOf(this.defaults, "resource", spec.name);
    if (args.host !== undefined) this.host = args.host;
    this.autoscaling = spec.autoscaling;
    this.exposure = { public: spec.public, tls: spec.public && args.loadBalancer.tls && args.host !== undefined, healthPath: spec.healthCheck.path };

    this.serviceAccount = new serviceaccount.Account(
      ...transformed(`${name}-sa`, { accountId: nameOf(this.defaults, "serviceAccount", spec.name), displayName: `Cloud Run service ${spec.name} of ${this.defaults.app}`, description: "Holds only the grants of the service" }, child, t.serviceAccount),
    );
    this.member = this.serviceAccount.member;
    // Exactly the secrets the service references, each readable by its own account only; the service waits for the grants.
    const secretGrants = (args.secrets ?? []).map((ref) => grantSecretRead(`${name}-reads-${ref.envName.toLowerCase()}`, ref.location.secret, this.member, this));
    const size = cloudRunSize(spec.cpu, spec.memory);
    const health = spec.healthCheck;
    const probe = { httpGet: { path: health.path, port: spec.port }, periodSeconds: health.intervalSeconds, timeoutSeconds: health.timeoutSeconds };
    const [serviceName, serviceArgs, serviceOpts] = transformed(
      `${name}-service`,
      {
        name: this.runName,
        location: region,
        description: `${spec.name} of ${this.defaults.app}`,
        ingress: spec.public ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_INTERNAL_ONLY",
        launchStage: "GA",
        deletionProtection: false,
        labels,
        template: {
          serviceAccount: this.serviceAccount.email,
          labels,
          executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
          maxInstanceRequestConcurrency: args.concurrency ?? 80,
          scaling: { minInstanceCount: spec.replicas.min, maxInstanceCount: spec.replicas.max },
          vpcAccess: { egress: "ALL_TRAFFIC", networkInterfaces: [{ network: args.network.networkId, subnetwork: args.network.subnetwork.id, tags: [this.networkTag] }] },
          containers: [
            {
              name: spec.name,
              image: spec.image,
              ...(spec.command === undefined ? {} : { commands: [...spec.command] }),
              ...(spec.args === undefined ? {} : { args: [...spec.args] }),
              ports: { containerPort: spec.port },
              resources: { limits: { cpu: size.cpu, memory: size.memory }, cpuIdle: true, startupCpuBoost: true },
              envs: [
                ...Object.entries(spec.env).map(([envName, value]) => ({ name: envName, value })),
                ...(args.secrets ?? []).map((ref) => ({ name: ref.envName, valueSource: { secretKeyRef: { secret: ref.location.secret, version: ref.location.version } } })),
              ],
              startupProbe: { ...probe, initialDelaySeconds: health.gracePeriodSeconds, failureThreshold: 3 },
              // Liveness is lenient: a busy instance answering slowly is not restarted at once.
              livenessProbe: { ...probe, failureThreshold: 5 },
            },
          ],
        },
      },
      { ...child, dependsOn: secretGrants },
      t.service,
    );
    // The revision's name hashes the template as Cloud Run receives it (outputs resolved, transforms applied).
    const template = pulumi.output(serviceArgs.template);
    this.revision = template.apply((tpl) => tpl.revision ?? revisionName(this.runName, tpl));
    const deployment = spec.deployment;
    const stable = args.stableRevision;
    const aborted = args.rolloutAborted === true;
    this.service = new cloudrunv2.Service(
      serviceName,
      {
        ...serviceArgs,
        template: withRevision(serviceArgs.template, this.revision),
        // Rolling: Cloud Run's latest ready revision serves. Canary and blue-green: the split between candidate and stable.
        traffics:
          serviceArgs.traffics ??
          (deployment.strategy === "rolling" ? [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }] : this.revision.apply((candidate) => rolloutTraffic(deployment, candidate, stable, aborted))),
      },
      serviceOpts,
    );
    // The candidate's own URL while it is not promoted: Cloud Run's, once reported, else the one its tag makes.
    this.candidateUrl = pulumi.all([this.revision, this.service.uri, this.service.trafficStatuses]).apply(([candidate, uri, statuses]) => {
      const tag = rolloutTraffic(deployment, candidate, stable, aborted).find((target) => target.tag !== undefined)?.tag;
      return tag === undefined ? undefined : (statuses?.find((status) => status.tag === tag)?.uri ?? tagUrl(uri, tag));
    });
    this.promotion = this.revision.apply((candidate) => {
      if (deployment.strategy === "rolling" || !inRollout(candidate, stable)) return undefined;
      const command = promoteCommand(spec.name, candidate, aborted);
      pulumi.log.info(
        aborted
          ? `service ${spec.name}: ${deployment.strategy} of revision ${candidate} aborted (polycloud:gcp.abortedRollouts.${spec.name}): ${stable} takes all traffic; promote it with polycloud promote`
          : `service ${spec.name}: ${deployment.strategy} of revision ${candidate} (stable ${stable}); promote it with: ${command}`,
        this,
      );
      return command;
    });
    if (deployment.strategy !== "rolling" && deployment.rollback.onAlarm) {
      this.rollback = createRollback(
        name,
        { defaults: this.defaults, region, labels, serviceName: spec.name, runName: this.runName, service: this.service, serviceAccount: this.serviceAccount, candidate: this.revision, stable, aborted, errorRatePercent: args.slo.errorRatePercent },
        this,
      );
    }
    if (spec.public) {
      // The load balancer carries no identity: anyone may invoke, and ingress admits only the load balancer (and the VPC).
      new cloudrunv2.ServiceIamMember(`${name}-public-invoker`, { name: this.service.name, location: region, role: "roles/run.invoker", member: "allUsers" }, { parent: this });
      this.loadBalancer = createLoadBalancer(
        name,
        {
          physicalName: nameOf(this.defaults, "resource", spec.name),
          region,
          serviceName: this.service.name,
          labels,
          ...(args.host === undefined ? {} : { host: args.host }),
          tls: args.loadBalancer.tls,
          waf: args.loadBalancer.waf,
          cdn: args.cdn ?? false,
          ...(args.dnsManagedZone === undefined ? {} : { dnsManagedZone: args.dnsManagedZone }),
          transform: t,
        },
        child,
      );
      this.url = this.loadBalancer.url;
    } else {
      this.url = this.service.uri;
    }
    const address = this.loadBalancer?.address.address;
    this.dnsRecords =
      address === undefined || args.host === undefined || args.dnsManagedZone !== undefined ? pulumi.output([]) : address.apply((value) => [{ name: args.host!, type: "A", value, purpose: `routes ${args.host!} to the load balancer; its Google-managed certificate is issued once this resolves` }]);
    this.registerOutputs({ url: this.url, serviceAccount: this.serviceAccount.email, dnsRecords: this.dnsRecords, revision: this.revision, candidateUrl: this.candidateUrl, promotion: this.promotion });
  }

  /** Lets another service (its `serviceAccount:<email>`) call this one. */
  allowFrom(caller: string, member: pulumi.Input<string>): cloudrunv2.ServiceIamMember {
    return new cloudrunv2.ServiceIamMember(`${this.componentName}-invoker-${caller}`, { name: this.service.name, location: this.service.location, role: "roles/run.invoker", member }, { parent: this });
  }
}

/** A template with its revision's name: a template given as a value keeps its fields apart (a preview shows the known ones). */
function withRevision(template: pulumi.Input<input.cloudrunv2.ServiceTemplate>, revision: pulumi.Output<string>): pulumi.Input<input.cloudrunv2.ServiceTemplate> {
  return pulumi.Output.isInstance(template) || template instanceof Promise ? pulumi.all([template, revision]).apply(([value, name]) => ({ ...value, revision: name })) : { ...template, revision };
}

/**
 * The traffic of a canary or blue-green deployment: the strategy's split (rollout.ts), or, when the
 * rollout is aborted, all traffic to the stable revision and none to the candidate, which keeps its tag
 * (Cloud Run serves a tagged target at 0%). Nothing to abort without a stable revision other than the candidate.
 */
export function rolloutTraffic(deployment: Parameters<typeof trafficOf>[0], candidate: string, stable: string | undefined, aborted: boolean): RevisionTraffic[] {
  const split = trafficOf(deployment, candidate, stable);
  if (!aborted || !inRollout(candidate, stable) || deployment.strategy === "rolling") return split;
  const tag = split.find((target) => target.revision === candidate)?.tag;
  return [
    { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: stable, percent: 100 },
    { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: candidate, percent: 0, ...(tag === undefined ? {} : { tag }) },
  ];
}
