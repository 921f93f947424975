import * as k8s from "@pulumi/kubernetes";
import type { core } from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import {
  PolycloudError,
  checkName,
  transformed,
  type Problem,
  type Transform,
  type WebServiceArgs as CoreWebServiceArgs,
  type WebServiceOutputs,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { commonOf, dnsLabelProblems, labelProblems, PUBLIC_LABEL, selectorLabels, workloadLabels } from "./labels";
import type { NamespaceRef } from "./network";
import { guaranteedResources, hardenedPodSpec, type ZoneSpread } from "./pod";
import { errorRatio, formatNumber, type RequestMetrics } from "./promql";
import { secretLocationProblems, type KubernetesSecretReference } from "./refs";
import { runAsProblems, type RunAs } from "./security";

/** Name of the container and Service port of metrics served apart from HTTP (`metricsPort`). */
export const METRICS_PORT_NAME = "metrics";

/** Every IPv4 and IPv6 address, for ingress-nginx's `denylist-source-range`. */
export const DENY_EVERY_ADDRESS = "0.0.0.0/0,::/0";

/** Where projected secret files are mounted when `secretDelivery` is `"files"`. */
export const SECRET_FILES_DIR = "/var/run/secrets/app";

/** A service this one may call: its name (in the same application and namespace) and its container port. */
export interface ServiceCall {
  readonly service: string;
  readonly port: number;
}

export interface WebServiceArgs extends CoreWebServiceArgs<NamespaceRef> {
  /**
   * Secrets injected by reference (a key of a Secret in the namespace), from a SecretStore, Database,
   * Cache or Bucket; never by value.
   * @default []
   */
  readonly secrets?: readonly KubernetesSecretReference[];
  /**
   * Extra pod labels, e.g. the `clientLabels` of a Database or Cache, which grant network access to it.
   * @default {}
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Services of the same application (in the same namespace) whose pods may connect to this service's
   * port. Under the namespace's default-deny, a NetworkPolicy `<service>-allow-callers` admits exactly
   * their pods (by their selector labels); besides them only the ingress controller (public services)
   * and Prometheus (the metrics port) get in. Each caller needs the matching `calls` entry.
   * @default [] (no workload of the namespace may connect)
   */
  readonly callers?: readonly string[];
  /**
   * Services of the same application this one may call, with their container port: a NetworkPolicy
   * `<service>-allow-calls` lets this service's pods send to theirs on that port. The callee must list
   * this service in its `callers`.
   * @default [] (no other service is reachable)
   */
  readonly calls?: readonly ServiceCall[];
  /**
   * How secrets reach the container: `"env"` as `secretKeyRef` environment variables, or `"files"`
   * mounted read-only under /var/run/secrets/app/<ENV_NAME> with `<ENV_NAME>_FILE` pointing at each
   * (files are not inherited by child processes and do not show in `kubectl describe`).
   * @default "env"
   */
  readonly secretDelivery?: "env" | "files";
  /**
   * Ingress host of a public service.
   * @default - `loadBalancer.domain`; without a domain the Ingress matches any host
   */
  readonly host?: string;
  /**
   * IngressClass of the Ingress. The `nginx.ingress.kubernetes.io/*` annotations (HTTPS redirect,
   * ModSecurity WAF) are set only for `"nginx"`; configure other controllers' equivalents on the controller.
   * @default "nginx"
   */
  readonly ingressClassName?: string;
  /** cert-manager ClusterIssuer that issues the certificate for `host` (annotation `cert-manager.io/cluster-issuer`). @default "letsencrypt" */
  readonly clusterIssuer?: string;
  /**
   * The Argo Rollouts controller is installed: `blue-green` and `canary` strategies create a `Rollout`
   * with an AnalysisTemplate on the error-rate SLO instead of a Deployment. Without it they fall back
   * to a Deployment: blue-green surges a full new ReplicaSet before any old pod stops (maxSurge 100%),
   * canary replaces pods in batches of the first step's percentage, each batch ready for
   * `intervalMinutes` before the next (minReadySeconds); a failed rollout stops the Pulumi update.
   * @default false
   */
  readonly argoRollouts?: boolean;
  /** Prometheus queried by the rollout analysis. @default "http://prometheus-operated.monitoring.svc:9090" */
  readonly prometheusAddress?: string;
  /** Path the service serves Prometheus metrics on. @default "/metrics" */
  readonly metricsPath?: string;
  /**
   * Container port the service serves its metrics on, when not its HTTP port: the pods and the Service
   * get a port named `metrics`, which the ServiceMonitor scrapes and the Ingress never routes to. The
   * sure way to keep metrics private on any ingress controller.
   * @default - metrics on the HTTP port; a public service's Ingress then refuses the metrics path
   * (ingress-nginx: a second Ingress for the path with `denylist-source-range` of every address,
   * answered 403; other classes: a warning)
   */
  readonly metricsPort?: number;
  /** Names of the service's HTTP metrics, for the rollout analysis. @default - Prometheus client conventions */
  readonly metrics?: RequestMetrics;
  /** UID/GID of the container (10001 or more). @default { uid: 10001, gid: 10001 } */
  readonly runAs?: RunAs;
  /** @default "Always" (a re-pushed tag is never served stale from a node's cache) */
  readonly imagePullPolicy?: "Always" | "IfNotPresent";
  /**
   * Extra egress the service needs beyond DNS and its database/cache grants, e.g. a payment API:
   * `[{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443 }] }]`.
   * @default [] (no other egress)
   */
  readonly egress?: readonly k8s.types.input.networking.v1.NetworkPolicyEgressRule[];
  /** Ignored on Kubernetes: container logs are kept by the cluster's log pipeline. @default - ignored */
  readonly logRetentionDays?: number;
  /** Spread across zones strictly (`DoNotSchedule`) or as a preference. @default "ScheduleAnyway" */
  readonly zoneSpread?: ZoneSpread;
  /** Adjust any child's args. @default {} */
  readonly transform?: {
    readonly serviceAccount?: Transform<k8s.core.v1.ServiceAccountArgs>;
    readonly deployment?: Transform<k8s.apps.v1.DeploymentArgs>;
    readonly rollout?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly analysisTemplate?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly service?: Transform<k8s.core.v1.ServiceArgs>;
    /** The blue-green preview Service (Argo Rollouts). */
    readonly previewService?: Transform<k8s.core.v1.ServiceArgs>;
    readonly horizontalPodAutoscaler?: Transform<k8s.autoscaling.v2.HorizontalPodAutoscalerArgs>;
    readonly podDisruptionBudget?: Transform<k8s.policy.v1.PodDisruptionBudgetArgs>;
    readonly ingress?: Transform<k8s.networking.v1.IngressArgs>;
    /** The Ingress that refuses the metrics path (ingress-nginx, metrics on the HTTP port). */
    readonly metricsIngress?: Transform<k8s.networking.v1.IngressArgs>;
    /** Every NetworkPolicy of the service: `egress`, `allow-callers` and `allow-calls`. */
    readonly networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
  };
}

/**
 * A stateless HTTP service: ServiceAccount (no token), Deployment (or Argo `Rollout` for blue-green
 * and canary) with a hardened pod, probes on the health-check path, zone spread and zero-downtime
 * rolling updates; ClusterIP Service; HorizontalPodAutoscaler on CPU and memory;
 * PodDisruptionBudget; and for public services an Ingress with TLS (cert-manager issues the
 * certificate when a host is known); NetworkPolicies admitting its callers and letting it reach the
 * services it calls. Secrets arrive by reference only.
 *
 * Pass an explicit `k8s.Provider` through the resource options to target another cluster.
 */
export class WebService extends PolycloudComponent implements WebServiceOutputs {
  readonly serviceName: string;
  readonly url: pulumi.Output<string>;
  readonly namespaceName: string;
  /** Labels that select the service's pods. */
  readonly selector: Readonly<Record<string, string>>;
  readonly service: k8s.core.v1.Service;
  /** Name of the Service port that serves HTTP. */
  readonly portName: string;
  /** Where Prometheus scrapes the service: the Service port's name (`http`, or `metrics` with `metricsPort`) and the path. */
  readonly metricsEndpoint: { readonly port: string; readonly path: string };

  constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    PolycloudError.throwIfAny(validate(args));
    super("kubernetes", "WebService", name, args, opts);
    const spec = args.service;
    this.portName = "http";
    this.metricsEndpoint = { port: args.metricsPort === undefined ? this.portName : METRICS_PORT_NAME, path: args.metricsPath ?? "/metrics" };
    const common = commonOf(this.defaults);
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    this.serviceName = spec.name;
    this.namespaceName = args.network.namespaceName;
    this.selector = selectorLabels(common.app, spec.name);
    const labels = workloadLabels(common, spec.name, "web");
    const metadata = { name: spec.name, namespace, labels };
    const strategy = spec.deployment.strategy;
    const useRollout = strategy !== "rolling" && args.argoRollouts === true;

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      ...transformed(`${name}-service-account`, { metadata, automountServiceAccountToken: false }, this.childOptions(), t.serviceAccount),
    );

    const secrets = secretWiring(args.secrets ?? [], args.secretDelivery ?? "env");
    const podTemplate: core.v1.PodTemplateSpec = {
      metadata: {
        labels: {
          ...labels,
          ...args.podLabels,
          ...(spec.public ? { [PUBLIC_LABEL]: "true" } : {}),
        },
      },
      spec: hardenedPodSpec({
        serviceAccountName: serviceAccount.metadata.name,
        selector: this.selector,
        runAs: args.runAs ?? {},
        runAsPath: "runAs",
        ...(args.zoneSpread === undefined ? {} : { zoneSpread: args.zoneSpread }),
        volumes: secrets.volumes,
        container: {
          name: spec.name,
          image: spec.image,
          imagePullPolicy: args.imagePullPolicy ?? "Always",
          ...(spec.command === undefined ? {} : { command: [...spec.command] }),
          ...(spec.args === undefined ? {} : { args: [...spec.args] }),
          ports: [
            { name: this.portName, containerPort: spec.port, protocol: "TCP" },
            ...(args.metricsPort === undefined ? [] : [{ name: METRICS_PORT_NAME, containerPort: args.metricsPort, protocol: "TCP" }]),
          ],
          env: [...Object.entries(spec.env).map(([envName, value]) => ({ name: envName, value })), ...secrets.env],
          resources: guaranteedResources(spec.cpu, spec.memory),
          ...probes(spec.healthCheck, this.portName),
          volumeMounts: secrets.mounts,
        },
      }),
    };

    const workload = useRollout
      ? this.createRollout(name, args, metadata, podTemplate, t)
      : new k8s.apps.v1.Deployment(
          ...transformed(
            `${name}-deployment`,
            {
              metadata: {
                ...metadata,
                ...(strategy === "rolling" ? {} : { annotations: { "polycloud.dev/strategy": `${strategy} (plain-Kubernetes fallback)` } }),
              },
              spec: {
                // No `replicas`: the HorizontalPodAutoscaler owns the count, and an update must not reset it.
                selector: { matchLabels: this.selector },
                revisionHistoryLimit: 5,
                ...deploymentPacing(spec.deployment),
                template: podTemplate,
              },
            },
            this.childOptions(awaitTimeouts(spec.deployment)),
            t.deployment,
          ),
        );

    this.service = this.createService(`${name}-service`, spec.name, metadata, args.metricsPort, t.service);

    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      ...transformed(
        `${name}-autoscaler`,
        {
          metadata,
          spec: {
            scaleTargetRef: useRollout
              ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: spec.name }
              : { apiVersion: "apps/v1", kind: "Deployment", name: spec.name },
            // The HPA cannot scale to zero; one replica is the floor.
            minReplicas: Math.max(1, spec.replicas.min),
            maxReplicas: Math.max(1, spec.replicas.max),
            metrics: (
              [
                ["cpu", spec.autoscaling.cpuPercent],
                ["memory", spec.autoscaling.memoryPercent],
              ] as const
            ).map(([resource, percent]) => ({
              type: "Resource",
              resource: { name: resource, target: { type: "Utilization", averageUtilization: percent } },
            })),
          },
        },
        this.childOptions({ dependsOn: [workload] }),
        t.horizontalPodAutoscaler,
      ),
    );

    new k8s.policy.v1.PodDisruptionBudget(
      ...transformed(
        `${name}-disruption-budget`,
        // One pod at a time during drains and upgrades, and a drain is never blocked forever.
        { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: this.selector } } },
        this.childOptions(),
        t.podDisruptionBudget,
      ),
    );

    this.createNetworkPolicies(name, args, metadata, t);

    const internalUrl = `http://${spec.name}.${this.namespaceName}.svc.cluster.local`;
    this.url = spec.public ? this.createIngress(name, args, metadata, t) : pulumi.output(internalUrl);
    this.registerOutputs({ serviceName: this.serviceName, url: this.url });
  }

  /** A ClusterIP Service on port 80 to the pods' http port (the active one, or blue-green's preview), and their metrics port when it is another. */
  private createService(
    child: string,
    objectName: string,
    metadata: k8s.types.input.meta.v1.ObjectMeta,
    metricsPort: number | undefined,
    userTransform: Transform<k8s.core.v1.ServiceArgs> | undefined,
  ): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
      ...transformed(
        child,
        {
          metadata: { ...metadata, name: objectName },
          spec: {
            type: "ClusterIP",
            selector: { ...this.selector },
            ports: [
              { name: this.portName, port: 80, targetPort: this.portName, protocol: "TCP" },
              // For the ServiceMonitor only: no Ingress routes to it.
              ...(metricsPort === undefined ? [] : [{ name: METRICS_PORT_NAME, port: metricsPort, targetPort: METRICS_PORT_NAME, protocol: "TCP" }]),
            ],
          },
        },
        this.childOptions(),
        userTransform,
      ),
    );
  }

  /**
   * The service's own NetworkPolicies under the namespace's default-deny: its callers' pods may
   * connect to its port, it may send to the services it calls on theirs, and the extra `egress`.
   */
  private createNetworkPolicies(name: string, args: WebServiceArgs, metadata: k8s.types.input.meta.v1.ObjectMeta, t: NonNullable<WebServiceArgs["transform"]>): void {
    const spec = args.service;
    const policy = (suffix: string, policySpec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(
        ...transformed(`${name}-${suffix}`, { metadata: { ...metadata, name: `${spec.name}-${suffix}` }, spec: policySpec }, this.childOptions(), t.networkPolicy),
      );
    const own = { matchLabels: { ...this.selector } };
    const callers = args.callers ?? [];
    if (callers.length > 0) {
      policy("allow-callers", {
        podSelector: own,
        policyTypes: ["Ingress"],
        ingress: [{ from: callers.map((caller) => ({ podSelector: { matchLabels: selectorLabels(args.app, caller) } })), ports: [{ protocol: "TCP", port: spec.port }] }],
      });
    }
    const calls = args.calls ?? [];
    if (calls.length > 0) {
      policy("allow-calls", {
        podSelector: own,
        policyTypes: ["Egress"],
        egress: calls.map((call) => ({ to: [{ podSelector: { matchLabels: selectorLabels(args.app, call.service) } }], ports: [{ protocol: "TCP", port: call.port }] })),
      });
    }
    if (args.egress !== undefined && args.egress.length > 0) {
      policy("egress", { podSelector: own, policyTypes: ["Egress"], egress: [...args.egress] });
    }
  }

  private createIngress(name: string, args: WebServiceArgs, metadata: k8s.types.input.meta.v1.ObjectMeta, t: NonNullable<WebServiceArgs["transform"]>): pulumi.Output<string> {
    const spec = args.service;
    const lb = args.loadBalancer;
    const host = args.host ?? lb.domain;
    const ingressClassName = args.ingressClassName ?? "nginx";
    const nginx = ingressClassName === "nginx";
    if (lb.waf && !nginx) {
      pulumi.log.warn(`network.loadBalancer.waf is on, but ingress class "${ingressClassName}" is not nginx: enable a WAF on that controller yourself`, this);
    }
    const annotations: Record<string, string> = {
      ...(lb.tls && nginx ? { "nginx.ingress.kubernetes.io/force-ssl-redirect": "true" } : {}),
      ...(lb.tls && host !== undefined ? { "cert-manager.io/cluster-issuer": args.clusterIssuer ?? "letsencrypt" } : {}),
      // ModSecurity with the OWASP Core Rule Set: ingress-nginx's built-in web application firewall.
      ...(lb.waf && nginx ? { "nginx.ingress.kubernetes.io/enable-modsecurity": "true", "nginx.ingress.kubernetes.io/enable-owasp-core-rules": "true" } : {}),
    };
    const ingress = new k8s.networking.v1.Ingress(
      ...transformed(
        `${name}-ingress`,
        {
          metadata: { ...metadata, annotations },
          spec: {
            ingressClassName,
            rules: [
              {
                ...(host === undefined ? {} : { host }),
                http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: spec.name, port: { name: this.portName } } } }] },
              },
            ],
            // Without a host the controller serves its default certificate.
            ...(lb.tls ? { tls: [{ ...(host === undefined ? {} : { hosts: [host] }), secretName: `${spec.name}-tls` }] } : {}),
          },
        },
        this.childOptions({ dependsOn: [this.service] }),
        t.ingress,
      ),
    );
    this.refuseMetricsPath(name, args, metadata, { host, ingressClassName, tls: lb.tls }, ingress, t);
    const scheme = lb.tls ? "https" : "http";
    if (host !== undefined) return pulumi.output(`${scheme}://${host}`);
    return ingress.status.apply((status) => {
      const entry = status?.loadBalancer?.ingress?.[0];
      return `${scheme}://${entry?.hostname ?? entry?.ip ?? "pending"}`;
    });
  }

  /**
   * Metrics served on the HTTP port would be public through the Ingress. The Ingress API cannot exclude
   * a path, so for ingress-nginx a second Ingress for the same host takes the metrics path (Prefix: the
   * path and everything under it) and denies every client address (`denylist-source-range`, a
   * location-level annotation of low risk, unlike the snippet annotations that recent controllers
   * disable): nginx answers 403 and never proxies. Other controllers get a warning: set `metricsPort`.
   */
  private refuseMetricsPath(
    name: string,
    args: WebServiceArgs,
    metadata: k8s.types.input.meta.v1.ObjectMeta,
    o: { host: string | undefined; ingressClassName: string; tls: boolean },
    ingress: k8s.networking.v1.Ingress,
    t: NonNullable<WebServiceArgs["transform"]>,
  ): void {
    if (args.metricsPort !== undefined) return;
    const spec = args.service;
    const path = this.metricsEndpoint.path;
    if (o.ingressClassName !== "nginx") {
      pulumi.log.warn(
        `${spec.name} serves ${path} on its HTTP port, which the "${o.ingressClassName}" Ingress makes public: set metricsPort to serve metrics on a port of their own, or deny ${path} on the controller`,
        this,
      );
      return;
    }
    new k8s.networking.v1.Ingress(
      ...transformed(
        `${name}-metrics-ingress`,
        {
          metadata: { ...metadata, name: `${spec.name}-metrics`, annotations: { "nginx.ingress.kubernetes.io/denylist-source-range": DENY_EVERY_ADDRESS } },
          spec: {
            ingressClassName: o.ingressClassName,
            rules: [
              {
                ...(o.host === undefined ? {} : { host: o.host }),
                http: { paths: [{ path, pathType: "Prefix", backend: { service: { name: spec.name, port: { name: this.portName } } } }] },
              },
            ],
            // The same certificate as the service's Ingress, which cert-manager issues; no issuer annotation here, so it is issued once.
            ...(o.tls ? { tls: [{ ...(o.host === undefined ? {} : { hosts: [o.host] }), secretName: `${spec.name}-tls` }] } : {}),
          },
        },
        this.childOptions({ dependsOn: [ingress] }),
        t.metricsIngress,
      ),
    );
  }

  private createRollout(
    name: string,
    args: WebServiceArgs,
    metadata: k8s.types.input.meta.v1.ObjectMeta,
    template: core.v1.PodTemplateSpec,
    t: NonNullable<WebServiceArgs["transform"]>,
  ): pulumi.Resource {
    const spec = args.service;
    const deployment = spec.deployment;
    const analysisName = `${spec.name}-error-rate`;
    const analyse = deployment.rollback.onAlarm;
    if (analyse) {
      new k8s.apiextensions.CustomResource(
        ...transformed(
          `${name}-analysis`,
          {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AnalysisTemplate",
            metadata: { ...metadata, name: analysisName },
            spec: analysisTemplateSpec({
              namespace: this.namespaceName,
              maxErrorRatio: args.slo.errorRatePercent / 100,
              prometheusAddress: args.prometheusAddress ?? "http://prometheus-operated.monitoring.svc:9090",
              // Blue-green's pre-promotion analysis must end for the rollout to promote; the canary's runs in the background until the last step.
              ...(deployment.strategy === "blue-green" ? { count: BLUE_GREEN_MEASUREMENTS } : {}),
              ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
            }),
          },
          this.childOptions(),
          t.analysisTemplate,
        ),
      );
    }
    const analysis = (service: string) => ({
      templates: [{ templateName: analysisName }],
      args: [
        { name: "service", value: service },
        // The newest ReplicaSet's pods: the canary, or blue-green's preview before promotion.
        { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
      ],
    });
    let strategy: Record<string, unknown>;
    if (deployment.strategy === "canary") {
      const pause = { pause: { duration: `${deployment.canary.intervalMinutes}m` } };
      strategy = {
        canary: {
          maxUnavailable: 0,
          steps: deployment.canary.steps.filter((w) => w < 100).flatMap((w) => [{ setWeight: w }, pause]),
          ...(analyse ? { analysis: { ...analysis(spec.name), startingStep: 1 } } : {}),
        },
      };
    } else {
      const preview = `${spec.name}-preview`;
      this.createService(`${name}-preview-service`, preview, metadata, args.metricsPort, t.previewService);
      strategy = {
        blueGreen: {
          activeService: spec.name,
          previewService: preview,
          autoPromotionEnabled: true,
          scaleDownDelaySeconds: deployment.blueGreen.terminationWaitMinutes * 60,
          ...(analyse ? { prePromotionAnalysis: analysis(preview) } : {}),
        },
      };
    }
    return new k8s.apiextensions.CustomResource(
      ...transformed(
        `${name}-rollout`,
        {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Rollout",
          metadata,
          spec: { selector: { matchLabels: this.selector }, revisionHistoryLimit: 5, template, strategy },
        },
        this.childOptions(),
        t.rollout,
      ),
    );
  }
}

/** Measurements of blue-green's pre-promotion analysis, one a minute: the preview is judged on five minutes of its traffic. */
export const BLUE_GREEN_MEASUREMENTS = 5;

/** Measurements without a result (no traffic, no metrics) tolerated before the analysis turns Inconclusive and the rollout pauses. */
export const INCONCLUSIVE_LIMIT = 2;

/**
 * The error-rate AnalysisTemplate of a Rollout: the 5xx ratio over 2 minutes of the pods of the newest
 * ReplicaSet only (argument `canary-hash`, the Rollout's `podTemplateHashValue: Latest`, matched against
 * the series label `rollouts_pod_template_hash` that the ServiceMonitor copies from the pods) behind the
 * Service `service`. A measurement succeeds at or below the SLO's error ratio and fails above it; no
 * result at all (no traffic, or no metrics: an empty vector or NaN) is neither, so it is Inconclusive.
 * After {@link INCONCLUSIVE_LIMIT} such measurements the run is Inconclusive and Argo Rollouts pauses
 * the rollout for a person to promote or abort: a release whose metrics are missing is never promoted
 * by the analysis. One failed measurement is tolerated, the second aborts and rolls back.
 */
export function analysisTemplateSpec(o: { namespace: string; maxErrorRatio: number; prometheusAddress: string; count?: number; metrics?: RequestMetrics }): Record<string, unknown> {
  const threshold = formatNumber(o.maxErrorRatio);
  const measured = "len(result) > 0 && !isNaN(result[0])";
  return {
    args: [{ name: "service" }, { name: "canary-hash" }],
    metrics: [
      {
        name: "error-rate",
        interval: "1m",
        ...(o.count === undefined ? {} : { count: o.count }),
        successCondition: `${measured} && result[0] <= ${threshold}`,
        failureCondition: `${measured} && result[0] > ${threshold}`,
        failureLimit: 1,
        inconclusiveLimit: INCONCLUSIVE_LIMIT,
        provider: {
          prometheus: {
            address: o.prometheusAddress,
            query: errorRatio({ namespace: o.namespace, service: "{{args.service}}", podTemplateHash: "{{args.canary-hash}}" }, "2m", o.metrics),
          },
        },
      },
    ],
  };
}

function validate(args: WebServiceArgs): Problem[] {
  const problems = dnsLabelProblems("service.name", args.service.name);
  if (args.host !== undefined) {
    const problem = checkName("kubernetes", "dns1123Subdomain", args.host);
    if (problem !== undefined) problems.push({ path: "host", message: problem, fix: "use a DNS name such as shop.example.com" });
  }
  const plain = new Set(Object.keys(args.service.env));
  const seen = new Set<string>();
  (args.secrets ?? []).forEach((s, i) => {
    if (plain.has(s.envName)) {
      problems.push({
        path: `secrets[${i}].envName`,
        message: `"${s.envName}" is also a plain variable in service.env`,
        fix: `remove ${s.envName} from service.env; the secret provides it`,
      });
    }
    if (seen.has(s.envName)) problems.push({ path: `secrets[${i}].envName`, message: `"${s.envName}" is given twice`, fix: "pass each secret once" });
    seen.add(s.envName);
    problems.push(...secretLocationProblems(`secrets[${i}].location`, s.location));
  });
  (args.callers ?? []).forEach((caller, i) => problems.push(...dnsLabelProblems(`callers[${i}]`, caller)));
  (args.calls ?? []).forEach((call, i) => {
    problems.push(...dnsLabelProblems(`calls[${i}].service`, call.service));
    if (!Number.isInteger(call.port) || call.port < 1 || call.port > 65535) {
      problems.push({ path: `calls[${i}].port`, message: `${call.port} is not a port; allowed: a whole number from 1 to 65535`, fix: `set the container port of service ${call.service}` });
    }
  });
  if (args.metricsPath !== undefined && !/^\/[^\s;?#]*$/.test(args.metricsPath)) {
    problems.push({ path: "metricsPath", message: `"${args.metricsPath}" is not a URL path`, fix: "a path starting with /, e.g. /metrics" });
  }
  if (args.metricsPort !== undefined && (!Number.isInteger(args.metricsPort) || args.metricsPort < 1 || args.metricsPort > 65535 || args.metricsPort === args.service.port)) {
    problems.push({
      path: "metricsPort",
      message: `${args.metricsPort} is not allowed; allowed: a port from 1 to 65535 other than the service's port ${args.service.port}`,
      fix: "set the port the application serves metrics on, or leave metricsPort out when metrics share the HTTP port",
    });
  }
  problems.push(...labelProblems("podLabels", args.podLabels ?? {}, selectorLabels(args.app, args.service.name)));
  problems.push(...runAsProblems(args.runAs ?? {}, "runAs"));
  return problems;
}

/**
 * Probes on the health-check path. Readiness is strict: three failed checks at the spec's interval take
 * the pod out of the Service, and one success puts it back. Liveness restarts the container, so it is
 * lenient: checks half as often, waits twice as long for an answer and restarts only after five failures
 * in a row (10 intervals, against readiness's 3), so a pod that is merely busy or waiting on a dependency
 * is taken out of traffic, not killed. A startup probe covers the grace period; liveness waits for it.
 */
export function probes(health: WebServiceArgs["service"]["healthCheck"], port: string): Pick<core.v1.Container, "readinessProbe" | "livenessProbe" | "startupProbe"> {
  const httpGet = { path: health.path, port };
  const livenessPeriod = health.intervalSeconds * 2;
  return {
    readinessProbe: { httpGet, periodSeconds: health.intervalSeconds, timeoutSeconds: health.timeoutSeconds, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: { httpGet, periodSeconds: livenessPeriod, timeoutSeconds: Math.min(health.timeoutSeconds * 2, livenessPeriod), successThreshold: 1, failureThreshold: 5 },
    // Liveness waits until startup succeeds, so a slow start is not killed in a restart loop.
    startupProbe: { httpGet, periodSeconds: 5, timeoutSeconds: health.timeoutSeconds, failureThreshold: Math.max(1, Math.ceil(health.gracePeriodSeconds / 5)) },
  };
}

/** Deployment strategy: zero-downtime rolling, or the plain-Kubernetes fallbacks for blue-green and canary. */
export function deploymentPacing(deployment: WebServiceArgs["service"]["deployment"]): Pick<k8s.types.input.apps.v1.DeploymentSpec, "strategy" | "minReadySeconds" | "progressDeadlineSeconds"> {
  switch (deployment.strategy) {
    case "rolling":
      return { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } } };
    case "blue-green":
      return { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "100%" } } };
    case "canary": {
      const interval = deployment.canary.intervalMinutes * 60;
      return {
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: `${deployment.canary.steps[0] ?? 100}%` } },
        minReadySeconds: interval,
        progressDeadlineSeconds: Math.max(600, interval * 2),
      };
    }
  }
}

/**
 * How long Pulumi waits for a Deployment rollout. The canary fallback holds each batch (first step's
 * percentage) for the interval, which outlasts Pulumi's default 10 minutes: wait for every batch plus 10 minutes.
 */
export function awaitTimeouts(deployment: WebServiceArgs["service"]["deployment"]): { customTimeouts?: pulumi.CustomTimeouts } {
  if (deployment.strategy !== "canary") return {};
  const batches = Math.ceil(100 / (deployment.canary.steps[0] ?? 100));
  const timeout = `${batches * deployment.canary.intervalMinutes + 10}m`;
  return { customTimeouts: { create: timeout, update: timeout } };
}

/** Env vars (secretKeyRef) or projected files for the service's secret references. */
function secretWiring(refs: readonly KubernetesSecretReference[], delivery: "env" | "files"): { env: core.v1.EnvVar[]; volumes: core.v1.Volume[]; mounts: core.v1.VolumeMount[] } {
  if (delivery === "env") {
    return {
      env: refs.map((r) => ({ name: r.envName, valueFrom: { secretKeyRef: { name: r.location.secretName, key: r.location.key } } })),
      volumes: [],
      mounts: [],
    };
  }
  if (refs.length === 0) return { env: [], volumes: [], mounts: [] };
  return {
    env: refs.map((r) => ({ name: `${r.envName}_FILE`, value: `${SECRET_FILES_DIR}/${r.envName}` })),
    volumes: [
      {
        name: "secrets",
        projected: {
          defaultMode: 0o440,
          sources: refs.map((r) => ({ secret: { name: r.location.secretName, items: [{ key: r.location.key, path: r.envName }] } })),
        },
      },
    ],
    mounts: [{ name: "secrets", mountPath: SECRET_FILES_DIR, readOnly: true }],
  };
}
