import * as k8s from "@pulumi/kubernetes";
import { validateKubernetesObjects } from "@polycloud/kubernetes/validation";
import { runProgram } from "@polycloud/testing";
import { resourceGraph } from "../resource-graph";
import program from "./index";

const WEB = { metadata: { name: "web" } };

describe("kubernetes-web-service example", () => {
  it("deploys the service publicly over TLS in its own namespace", async () => {
    const plan = await runProgram(program, { project: "kubernetes-web-service", config: { "kubernetes-web-service:domain": "app.example.org" } });
    expect(plan.outputs).toMatchObject({ namespace: "shop-dev", url: "https://app.example.org", databaseHost: "postgres.shop-dev.svc.cluster.local" });
    plan.hasResource(k8s.networking.v1.Ingress, { spec: { tls: [{ hosts: ["app.example.org"] }] } });
    expect(validateKubernetesObjects(plan)).toEqual([]);
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

  it("protects the database in production", async () => {
    const plan = await runProgram(program, { project: "kubernetes-web-service", config: { "kubernetes-web-service:environment": "production" } });
    expect(plan.find(k8s.apps.v1.StatefulSet, { metadata: { name: "postgres" } }).options.protect).toBe(true);
    // 3 availability burn-rate, 3 latency burn-rate, 2 p95, 1 error-rate; 2 per store.
    expect(plan.outputs.alertCount).toBe(13);
    expect(validateKubernetesObjects(plan)).toEqual([]);
  });
});
