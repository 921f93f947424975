import * as k8s from "@pulumi/kubernetes";
import { Match, runProgram } from "@polycloud/testing";
import type { ResolvedSpec, SpecInput } from "@polycloud/core";
import { secretReference } from "./refs";
import { analysisTemplateSpec, WebService, type WebServiceArgs } from "./web-service";
import { namespace, spec } from "./__tests__/fixtures";

type Service = NonNullable<SpecInput["services"]>[string];

function args(service: Partial<Service> = {}, extra: Partial<WebServiceArgs> = {}, top: Partial<SpecInput> = {}): WebServiceArgs {
  const s: ResolvedSpec = spec({ services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true, ...service } }, ...top });
  return { app: s.name, service: s.services[0]!, network: namespace(), loadBalancer: s.network.loadBalancer, slo: s.slo, ...extra };
}

const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const ANALYSIS = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
/** The analysis argument with the newest ReplicaSet's pod-template hash. */
const CANARY_HASH = { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } };

describe("WebService", () => {
  it("runs a hardened pod when defaults are used", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args());
    });
    const deployment = plan.find(k8s.apps.v1.Deployment).inputs;
    const pod = deployment.spec.template.spec!;
    const container = pod.containers[0]!;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } });
    expect(container.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(container.imagePullPolicy).toBe("Always");
    expect(pod.topologySpreadConstraints!.map((c) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ["topology.kubernetes.io/zone", "ScheduleAnyway"],
      ["kubernetes.io/hostname", "ScheduleAnyway"],
    ]);
    plan.hasResource(k8s.core.v1.ServiceAccount, { metadata: { name: "api", namespace: "shop-dev" }, automountServiceAccountToken: false });
    expect(pod.serviceAccountName).toBe("api");
  });

  it("rolls out with zero unavailable pods and leaves the replica count to the autoscaler when defaults are used", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args());
    });
    const deployment = plan.find(k8s.apps.v1.Deployment).inputs;
    expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } });
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/name": "api" });
  });

  it("sets image, port, resources and probes from the service spec", async () => {
    const plan = await runProgram(() => {
      new WebService(
        "api",
        args({ port: 9000, cpu: 0.25, memory: 512, command: ["/app"], args: ["serve"], healthCheck: { path: "/ready", intervalSeconds: 10, timeoutSeconds: 3, gracePeriodSeconds: 30 } }),
      );
    });
    const container = plan.find(k8s.apps.v1.Deployment).inputs.spec.template.spec!.containers[0]!;
    expect(container).toMatchObject({
      name: "api",
      image: "ghcr.io/acme/shop-api:1.4.2",
      command: ["/app"],
      args: ["serve"],
      ports: [{ name: "http", containerPort: 9000, protocol: "TCP" }],
      resources: { requests: { cpu: "250m", memory: "512Mi", "ephemeral-storage": "256Mi" }, limits: { cpu: "250m", memory: "512Mi", "ephemeral-storage": "1Gi" } },
    });
    const httpGet = { path: "/ready", port: "http" };
    expect(container.readinessProbe).toEqual({ httpGet, periodSeconds: 10, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 3 });
    expect(container.livenessProbe).toEqual({ httpGet, periodSeconds: 20, timeoutSeconds: 6, successThreshold: 1, failureThreshold: 5 });
    expect(container.startupProbe).toEqual({ httpGet, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 6 });
  });

  it("takes a pod out of traffic well before it restarts it: liveness is lenient, readiness strict", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args());
    });
    const container = plan.find(k8s.apps.v1.Deployment).inputs.spec.template.spec!.containers[0]!;
    const readiness = container.readinessProbe!;
    const liveness = container.livenessProbe!;
    expect(liveness).not.toEqual(readiness);
    const failingFor = (p: typeof readiness) => (p.periodSeconds as number) * (p.failureThreshold as number);
    // Out of the Service after 45 s of failures, restarted only after 150 s.
    expect([failingFor(readiness), failingFor(liveness)]).toEqual([45, 150]);
    expect(liveness.timeoutSeconds as number).toBeGreaterThan(readiness.timeoutSeconds as number);
  });

  it("creates a ClusterIP service, CPU and memory autoscaling and a disruption budget", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({ replicas: { min: 2, max: 6 }, autoscaling: { cpuPercent: 60, memoryPercent: 75 } }));
    });
    plan.hasResource(k8s.core.v1.Service, {
      metadata: { name: "api" },
      spec: { type: "ClusterIP", ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
    });
    expect(plan.find(k8s.autoscaling.v2.HorizontalPodAutoscaler).inputs.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } },
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 75 } } },
      ],
    });
    plan.hasResource(k8s.policy.v1.PodDisruptionBudget, { spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } } });
  });

  it("exposes a public service through a TLS Ingress with a cert-manager certificate and WAF when a domain is given", async () => {
    const plan = await runProgram(() => {
      const service = new WebService("api", args({}, {}, { network: { loadBalancer: { domain: "shop.example.com", waf: true } } }));
      return { url: service.url };
    });
    const ingress = plan.find(k8s.networking.v1.Ingress, { metadata: { name: "api" } }).inputs;
    expect(ingress.metadata!.annotations).toEqual({
      "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
      "cert-manager.io/cluster-issuer": "letsencrypt",
      "nginx.ingress.kubernetes.io/enable-modsecurity": "true",
      "nginx.ingress.kubernetes.io/enable-owasp-core-rules": "true",
    });
    expect(ingress.spec).toEqual({
      ingressClassName: "nginx",
      rules: [{ host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } }] } }],
      tls: [{ hosts: ["shop.example.com"], secretName: "api-tls" }],
    });
    expect(plan.outputs.url).toBe("https://shop.example.com");
    const pod = plan.find(k8s.apps.v1.Deployment).inputs.spec.template;
    expect(pod.metadata!.labels).toMatchObject({ "polycloud.dev/public": "true" });
  });

  it("refuses the metrics path at ingress-nginx: a second Ingress for the same host denies every address on /metrics", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({}, {}, { network: { loadBalancer: { domain: "shop.example.com" } } }));
    });
    const metrics = plan.find(k8s.networking.v1.Ingress, { metadata: { name: "api-metrics" } }).inputs;
    // A location-level annotation: only this Ingress's path is denied, with 403, never proxied.
    expect(metrics.metadata!.annotations).toEqual({ "nginx.ingress.kubernetes.io/denylist-source-range": "0.0.0.0/0,::/0" });
    expect(metrics.spec).toEqual({
      ingressClassName: "nginx",
      rules: [{ host: "shop.example.com", http: { paths: [{ path: "/metrics", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } }] } }],
      // The service's certificate, issued once for its main Ingress (no issuer annotation here).
      tls: [{ hosts: ["shop.example.com"], secretName: "api-tls" }],
    });
    // The main Ingress still routes everything else.
    expect(plan.find(k8s.networking.v1.Ingress, { metadata: { name: "api" } }).inputs.spec!.rules![0]!.http!.paths.map((p) => p.path)).toEqual(["/"]);
  });

  it("serves metrics on their own port, scraped by name and never routed, when metricsPort is given", async () => {
    let endpoint: WebService["metricsEndpoint"] | undefined;
    const plan = await runProgram(() => {
      endpoint = new WebService("api", args({ port: 8080 }, { metricsPort: 9100, metricsPath: "/internal/metrics" })).metricsEndpoint;
    });
    expect(endpoint).toEqual({ port: "metrics", path: "/internal/metrics" });
    expect(plan.find(k8s.apps.v1.Deployment).inputs.spec.template.spec!.containers[0]!.ports).toEqual([
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "metrics", containerPort: 9100, protocol: "TCP" },
    ]);
    expect(plan.find(k8s.core.v1.Service, { metadata: { name: "api" } }).inputs.spec!.ports).toEqual([
      { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: 9100, targetPort: "metrics", protocol: "TCP" },
    ]);
    // Nothing to refuse: the Ingress routes the http port only.
    expect(plan.findAll(k8s.networking.v1.Ingress).map((i) => i.inputs.metadata!.name)).toEqual(["api"]);
    expect(() => new WebService("bad", args({ port: 8080 }, { metricsPort: 8080 }))).toThrow(/metricsPort: 8080 is not allowed; allowed: a port from 1 to 65535 other than the service's port 8080/);
  });

  it("creates no Ingress and no public label and returns the in-cluster URL when the service is private", async () => {
    const plan = await runProgram(() => ({ url: new WebService("api", args({ public: false })).url }));
    plan.resourceCountIs(k8s.networking.v1.Ingress, 0);
    expect(plan.outputs.url).toBe("http://api.shop-dev.svc.cluster.local");
    expect(plan.find(k8s.apps.v1.Deployment).inputs.spec.template.metadata!.labels).not.toHaveProperty("polycloud.dev/public");
  });

  it("uses the host, ingress class and issuer given", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({}, { host: "api.example.com", ingressClassName: "traefik", clusterIssuer: "internal-ca" }));
    });
    plan.hasResource(k8s.networking.v1.Ingress, {
      metadata: { annotations: Match.objectLike({ "cert-manager.io/cluster-issuer": "internal-ca" }) },
      spec: { ingressClassName: "traefik", rules: [{ host: "api.example.com" }] },
    });
    // No Ingress can exclude a path on every controller: other classes are told to set metricsPort.
    plan.resourceCountIs(k8s.networking.v1.Ingress, 1);
    expect(plan.logs).toContainEqual(expect.objectContaining({ severity: "warning", message: expect.stringMatching(/api serves \/metrics on its HTTP port, which the "traefik" Ingress makes public: set metricsPort/) }));
  });

  it("injects secrets by secretKeyRef and plain env by value when secrets are given", async () => {
    const plan = await runProgram(() => {
      new WebService(
        "api",
        args({ env: { LOG_LEVEL: "info" } }, { secrets: [secretReference("DATABASE_URL", "shop-postgres-app", "DATABASE_URL"), secretReference("STRIPE_KEY", "stripe-key", "value")] }),
      );
    });
    expect(plan.find(k8s.apps.v1.Deployment).inputs.spec.template.spec!.containers[0]!.env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "shop-postgres-app", key: "DATABASE_URL" } } },
      { name: "STRIPE_KEY", valueFrom: { secretKeyRef: { name: "stripe-key", key: "value" } } },
    ]);
  });

  it("mounts secrets as read-only files and points <NAME>_FILE at them when secretDelivery is files", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({}, { secretDelivery: "files", secrets: [secretReference("STRIPE_KEY", "stripe-key", "value")] }));
    });
    const pod = plan.find(k8s.apps.v1.Deployment).inputs.spec.template.spec!;
    expect(pod.containers[0]!.env).toEqual([{ name: "STRIPE_KEY_FILE", value: "/var/run/secrets/app/STRIPE_KEY" }]);
    expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: "secrets", mountPath: "/var/run/secrets/app", readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: "secrets",
      projected: { defaultMode: 0o440, sources: [{ secret: { name: "stripe-key", items: [{ key: "value", path: "STRIPE_KEY" }] } }] },
    });
  });

  it("admits exactly its callers' pods on its port, and lets it send to the services it calls, when callers and calls are given", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({ port: 9000 }, { callers: ["web", "worker"], calls: [{ service: "billing", port: 8080 }] }));
    });
    const selector = (name: string) => ({ matchLabels: { "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/name": name } });
    expect(plan.find(k8s.networking.v1.NetworkPolicy, { metadata: { name: "api-allow-callers" } }).inputs.spec).toEqual({
      podSelector: selector("api"),
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: selector("web") }, { podSelector: selector("worker") }], ports: [{ protocol: "TCP", port: 9000 }] }],
    });
    expect(plan.find(k8s.networking.v1.NetworkPolicy, { metadata: { name: "api-allow-calls" } }).inputs.spec).toEqual({
      podSelector: selector("api"),
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: selector("billing") }], ports: [{ protocol: "TCP", port: 8080 }] }],
    });
  });

  it("creates no caller or call policy when the service has neither", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args());
    });
    plan.resourceCountIs(k8s.networking.v1.NetworkPolicy, 0);
  });

  it("adds pod labels and an egress policy when podLabels and egress are given", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({}, { podLabels: { "access.polycloud.dev/postgres": "true" }, egress: [{ ports: [{ port: 443 }] }] }));
    });
    expect(plan.find(k8s.apps.v1.Deployment).inputs.spec.template.metadata!.labels).toMatchObject({ "access.polycloud.dev/postgres": "true" });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "api-egress" },
      spec: { podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: 443 }] }] },
    });
  });

  it.each([
    ["blue-green", { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "100%" } }, undefined, undefined],
    // Ten batches of 10% held 5 minutes each, plus 10 minutes: longer than Pulumi's default 10-minute await.
    ["canary", { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "10%" } }, 300, { create: "60m", update: "60m" }],
  ] as const)("falls back to a paced Deployment for %s when Argo Rollouts is not installed", async (strategy, expected, minReadySeconds, customTimeouts) => {
    const plan = await runProgram(() => {
      new WebService("api", args({ deployment: { strategy } }));
    });
    plan.resourceCountIs(ROLLOUT, 0);
    const deployment = plan.find(k8s.apps.v1.Deployment).inputs;
    expect(deployment.spec.strategy).toEqual(expected);
    expect(deployment.spec.minReadySeconds).toBe(minReadySeconds);
    expect(plan.find(k8s.apps.v1.Deployment).options.customTimeouts).toEqual(customTimeouts);
    expect(deployment.metadata!.annotations).toEqual({ "polycloud.dev/strategy": `${strategy} (plain-Kubernetes fallback)` });
  });

  it("creates a canary Rollout with steps and error-rate analysis when Argo Rollouts is installed", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({ deployment: { strategy: "canary", canary: { steps: [20, 60, 100], intervalMinutes: 3 } } }, { argoRollouts: true }));
    });
    plan.resourceCountIs(k8s.apps.v1.Deployment, 0);
    const rollout = plan.find(ROLLOUT).inputs;
    expect(rollout.spec.strategy).toEqual({
      canary: {
        maxUnavailable: 0,
        steps: [{ setWeight: 20 }, { pause: { duration: "3m" } }, { setWeight: 60 }, { pause: { duration: "3m" } }],
        analysis: { templates: [{ templateName: "api-error-rate" }], args: [{ name: "service", value: "api" }, CANARY_HASH], startingStep: 1 },
      },
    });
    expect(rollout.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    const analysis = plan.find(ANALYSIS).inputs;
    expect(analysis.spec.args).toEqual([{ name: "service" }, { name: "canary-hash" }]);
    const metric = analysis.spec.metrics[0];
    // Only the canary's pods: the series carry the pods' rollouts-pod-template-hash.
    expect(metric.provider.prometheus.query).toBe(
      'sum by (namespace, service) (rate(http_requests_total{namespace="shop-dev",service="{{args.service}}",rollouts_pod_template_hash="{{args.canary-hash}}",code=~"5.."}[2m]))' +
        ' / sum by (namespace, service) (rate(http_requests_total{namespace="shop-dev",service="{{args.service}}",rollouts_pod_template_hash="{{args.canary-hash}}"}[2m]))',
    );
    // The background analysis runs until the last step (no count).
    expect(metric).toMatchObject({ interval: "1m", failureLimit: 1, inconclusiveLimit: 2 });
    expect(metric.count).toBeUndefined();
    plan.hasResource(k8s.autoscaling.v2.HorizontalPodAutoscaler, { spec: { scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "api" } } });
  });

  it("creates a blue-green Rollout with a preview service and pre-promotion analysis when Argo Rollouts is installed", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({ deployment: { strategy: "blue-green", blueGreen: { terminationWaitMinutes: 2 } } }, { argoRollouts: true }));
    });
    expect(plan.find(ROLLOUT).inputs.spec.strategy).toEqual({
      blueGreen: {
        activeService: "api",
        previewService: "api-preview",
        autoPromotionEnabled: true,
        scaleDownDelaySeconds: 120,
        // Before promotion the new pods serve only the preview Service: measure that one, and only them.
        prePromotionAnalysis: { templates: [{ templateName: "api-error-rate" }], args: [{ name: "service", value: "api-preview" }, CANARY_HASH] },
      },
    });
    plan.hasResource(k8s.core.v1.Service, { metadata: { name: "api-preview" } });
    // A pre-promotion analysis must end for the rollout to promote: five measurements.
    expect(plan.find(ANALYSIS).inputs.spec.metrics[0]).toMatchObject({ interval: "1m", count: 5, failureLimit: 1, inconclusiveLimit: 2 });
  });

  describe("its analysis", () => {
    // Argo Rollouts' own evaluation (utils/evaluate): success when successCondition holds, failure when failureCondition does, Inconclusive when neither.
    const spec = analysisTemplateSpec({ namespace: "shop-prd", maxErrorRatio: 0.001, prometheusAddress: "http://prometheus" });
    const metric = (spec["metrics"] as { successCondition: string; failureCondition: string }[])[0]!;
    const holds = (condition: string, result: number[]): boolean =>
      // The conditions use &&, len, isNaN, indexing and comparisons only: JavaScript reads them the same, short-circuit included.
      new Function("result", "len", "isNaN", `return ${condition};`)(result, (a: unknown[]) => a.length, Number.isNaN) as boolean;
    const phase = (result: number[]) => (holds(metric.successCondition, result) ? "Successful" : holds(metric.failureCondition, result) ? "Failed" : "Inconclusive");

    it.each([
      [[], "Inconclusive"],
      [[Number.NaN], "Inconclusive"],
      [[0], "Successful"],
      [[0.001], "Successful"],
      [[0.0011], "Failed"],
      [[0.5], "Failed"],
    ])("measures %p as %s: no result never promotes", (result, expected) => {
      expect(phase(result)).toBe(expected);
    });
  });

  it("adjusts the preview Service with its own transform key", async () => {
    const plan = await runProgram(() => {
      new WebService(
        "api",
        args(
          { deployment: { strategy: "blue-green" } },
          { argoRollouts: true, transform: { previewService: (a) => ({ args: { ...a, metadata: { ...a.metadata, annotations: { preview: "yes" } } } }) } },
        ),
      );
    });
    expect(plan.find(k8s.core.v1.Service, { metadata: { name: "api-preview" } }).inputs.metadata!.annotations).toEqual({ preview: "yes" });
    expect(plan.find(k8s.core.v1.Service, { metadata: { name: "api" } }).inputs.metadata!.annotations).toBeUndefined();
  });

  it("skips the analysis when rollback on alarm is off", async () => {
    const plan = await runProgram(() => {
      new WebService("api", args({ deployment: { strategy: "canary", rollback: { onHealthCheckFailure: true, onAlarm: false } } }, { argoRollouts: true }));
    });
    plan.resourceCountIs(ANALYSIS, 0);
    expect(plan.find(ROLLOUT).inputs.spec.strategy.canary.analysis).toBeUndefined();
  });

  it("throws a PolycloudError listing every problem when args conflict", () => {
    const bad = args({ env: { STRIPE_KEY: "x" } }, { secrets: [secretReference("STRIPE_KEY", "s", "v")], runAs: { uid: 1000 }, host: "Not A Host" });
    expect(() => new WebService("api", bad)).toThrow(
      /host: .*\n.*secrets\[0\]\.envName: "STRIPE_KEY" is also a plain variable in service.env; remove STRIPE_KEY from service.env/,
    );
    expect(() => new WebService("api", args({}, { runAs: { uid: 1000 } }))).toThrow(/runAs.uid: 1000 is not allowed; allowed: an integer >= 10001/);
  });

  it("throws a PolycloudError up front when podLabels or secret references are malformed", () => {
    const bad = args(
      {},
      {
        podLabels: { "app.kubernetes.io/name": "other", "bad key!": "x", ok: "not ok!" },
        secrets: [secretReference("STRIPE_KEY", "arn:aws:secretsmanager:x", "value")],
        callers: ["Worker"],
        calls: [{ service: "worker", port: 0 }],
      },
    );
    let message = "";
    try {
      new WebService("api", bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/secrets\[0\]\.location\.secretName: Kubernetes name \(DNS-1123 subdomain\) "arn:aws:secretsmanager:x"/);
    expect(message).toMatch(/callers\[0\]: Kubernetes name \(DNS-1123 label\) "Worker"/);
    expect(message).toMatch(/calls\[0\]\.port: 0 is not a port; allowed: a whole number from 1 to 65535/);
    expect(message).toMatch(/podLabels\.app\.kubernetes\.io\/name: overrides the selector label app\.kubernetes\.io\/name="api"/);
    expect(message).toMatch(/podLabels\.bad key!: "bad key!" is not a valid label key/);
    expect(message).toMatch(/podLabels\.ok: "not ok!" is not a valid label value/);
  });

  it("sets nginx-only annotations only for the nginx ingress class", async () => {
    const plan = await runProgram(
      () => {
        new WebService("api", args({}, { host: "api.example.com", ingressClassName: "traefik" }, { network: { loadBalancer: { public: true, tls: true, waf: true } } }));
      },
    );
    expect(plan.find(k8s.networking.v1.Ingress, { metadata: { name: "api" } }).inputs.metadata!.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
    expect(plan.logs).toContainEqual(expect.objectContaining({ severity: "warning", message: expect.stringMatching(/waf is on, but ingress class "traefik" is not nginx/) }));
  });
});
