import * as k8s from "@pulumi/kubernetes";
import { validateKubernetesObjects } from "@polycloud/kubernetes/validation";
import { runProgram, secretConfig } from "@polycloud/testing";
import "@polycloud/policy/jest";
import { resourceGraph } from "../resource-graph";
import program from "./index";

const WEB = { metadata: { name: "web" } };

describe("kubernetes-web-service example", () => {
  it("deploys the service publicly over TLS in its own namespace", async () => {
    const plan = await runProgram(program, { project: "kubernetes-web-service", config: { "kubernetes-web-service:domain": "app.example.org" } });
    expect(plan.outputs).toMatchObject({ namespace: "shop-dev", url: "https://app.example.org", databaseHost: "postgres.shop-dev.svc.cluster.local" });
    plan.hasResource(k8s.networking.v1.Ingress, { spec: { tls: [{ hosts: ["app.example.org"] }] } });
    expect(validateKubernetesObjects(plan)).toEqual([]);
    // Zero mandatory policy findings; accepted ones are suppressions with a reason in the component.
    expect(plan).toPassPolicies();
    expect(resourceGraph(plan)).toMatchSnapshot();
  });

  it("wires the secrets by reference and grants the service its database and cache", async () => {
    const plan = await runProgram(program, { project: "kubernetes-web-service" });
    const template = plan.find(k8s.apps.v1.Deployment, WEB).inputs.spec.template;
    expect(template.metadata!.labels).toMatchObject({ "access.polycloud.dev/postgres": "true", "access.polycloud.dev/redis": "true" });
    expect(template.spec!.containers[0]!.env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "SESSION_KEY", valueFrom: { secretKeyRef: { name: "session-key", key: "value" } } },
      { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "postgres-app", key: "DATABASE_URL" } } },
      { name: "REDIS_URL", valueFrom: { secretKeyRef: { name: "redis-app", key: "REDIS_URL" } } },
    ]);
  });

  it("stores the session key from the stack's secret config, generated when there is none", async () => {
    const given = await runProgram(program, { project: "kubernetes-web-service", config: { "kubernetes-web-service:session-key": secretConfig("from-config") } });
    const secret = given.find(k8s.core.v1.Secret, { metadata: { name: "session-key" } });
    expect(secret.inputs.stringData).toEqual({ value: "from-config" });
    expect(secret.secretInputs).toContain("stringData");
    // The database's application and superuser passwords, and the cache's.
    given.resourceCountIs("random:index/randomPassword:RandomPassword", 3);
    // The spec says generate: true, so without config the key is generated (once, kept in state).
    const generated = await runProgram(program, { project: "kubernetes-web-service" });
    generated.resourceCountIs("random:index/randomPassword:RandomPassword", 4);
    const value = generated.findAll("random:index/randomPassword:RandomPassword").find((p) => p.name === "shop-session-key-value")!;
    expect(generated.find(k8s.core.v1.Secret, { metadata: { name: "session-key" } }).inputs.stringData).toEqual({ value: value.outputs.result });
  });

  it("escalates a warning that still holds 15 minutes after it fired to a critical alert", async () => {
    const plan = await runProgram(program, { project: "kubernetes-web-service" });
    const rules = (plan.find("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec.groups as { rules: { alert: string; for?: string; labels: Record<string, string> }[] }[]).flatMap((g) => g.rules);
    // The slow burn fires after holding 3 hours (half its short window); its escalation 15 minutes later.
    expect(rules.find((r) => r.alert === "WebSlowBurn")).toMatchObject({ for: "3h" });
    expect(rules.find((r) => r.alert === "WebSlowBurnEscalated")).toMatchObject({ for: "195m", labels: { severity: "critical", escalates: "WebSlowBurn" } });
  });

  it("emails the on-call through the SMTP server from the stack config, and labels its rules for kube-prometheus-stack", async () => {
    const plan = await runProgram(program, { project: "kubernetes-web-service", config: { "kubernetes-web-service:smtpSmarthost": "mail.acme.org:465", "kubernetes-web-service:smtpFrom": "ops@acme.org" } });
    const routing = plan.find("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig").inputs;
    expect(routing.spec.receivers[0].emailConfigs).toEqual([{ to: "oncall@example.com", from: "ops@acme.org", smarthost: "mail.acme.org:465", requireTLS: true, sendResolved: true }]);
    expect(plan.find("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
  });

  it("protects the database in production", async () => {
    const plan = await runProgram(program, { project: "kubernetes-web-service", config: { "kubernetes-web-service:environment": "production" } });
    expect(plan).toPassPolicies();
    expect(plan.find(k8s.apps.v1.StatefulSet, { metadata: { name: "postgres" } }).options.protect).toBe(true);
    // 3 availability burn-rate, 3 latency burn-rate, 2 p95, 1 error-rate; 2 per store; an escalation per warning (4 + 2).
    expect(plan.outputs.alertCount).toBe(19);
    expect(validateKubernetesObjects(plan)).toEqual([]);
  });
});
