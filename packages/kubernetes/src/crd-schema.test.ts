import * as k8s from "@pulumi/kubernetes";
import { runProgram } from "@polycloud/testing";
import { customResourceViolations, schemaViolations, type StructuralSchema } from "./crd-schema";
import { OPERATOR_CRDS, validateKubernetesObjects } from "./validation";

const schema: StructuralSchema = {
  type: "object",
  required: ["name"],
  properties: {
    name: { type: "string", pattern: "^[a-z]+$", maxLength: 5 },
    port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
    mode: { type: "string", enum: ["a", "b"] },
    count: { type: "integer", minimum: 1 },
    note: { type: "string", nullable: true },
    labels: { type: "object", additionalProperties: { type: "string" } },
    free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    ports: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"], items: { type: "object", properties: { port: { type: "integer" }, name: { type: "string" } } } },
    one: { type: "object", properties: { a: { type: "string" }, b: { type: "string" } }, oneOf: [{ required: ["a"] }, { required: ["b"] }] },
  },
};

describe("schemaViolations", () => {
  it("accepts what the schema declares", () => {
    expect(schemaViolations(schema, { name: "web", port: "http", mode: "a", count: 2, note: null, labels: { x: "y" }, free: { any: { thing: 1 } }, ports: [{ port: 80 }, { port: 443 }], one: { a: "x" } })).toEqual([]);
    expect(schemaViolations(schema, { name: "web", port: 8080 })).toEqual([]);
  });

  it.each([
    [{ port: 80 }, "name", "is required"],
    [{ name: "web", typo: 1 }, "typo", "unknown property"],
    [{ name: "Web" }, "name", "must match ^[a-z]+$"],
    [{ name: "toolong" }, "name", "must be at most 5 characters"],
    [{ name: "web", port: 1.5 }, "port", "must be an integer or a string"],
    [{ name: "web", mode: "c" }, "mode", 'must be one of "a", "b"'],
    [{ name: "web", count: 0 }, "count", "must be >= 1"],
    [{ name: "web", count: "1" }, "count", "must be an integer"],
    [{ name: "web", labels: { x: 1 } }, "labels.x", "must be a string"],
    [{ name: "web", ports: [{ port: 80 }, { port: 80, name: "again" }] }, "ports[1]", "duplicates an earlier item of a list of type map keyed by port"],
    [{ name: "web", ports: [{ port: 80, nmae: "typo" }] }, "ports[0].nmae", "unknown property"],
    [{ name: "web", one: { a: "x", b: "y" } }, "one", "must match exactly one of the schema's oneOf alternatives"],
    [{ name: null }, "name", "must not be null"],
  ])("reports %j at %s: %s", (value, path, message) => {
    expect(schemaViolations(schema, value)).toContainEqual({ path, message });
  });

  it("judges a custom resource without its metadata, which the API server checks as ObjectMeta", () => {
    expect(customResourceViolations({ type: "object", required: ["metadata"], properties: { metadata: { type: "object", properties: { name: { type: "string", maxLength: 3 } } } } }, { metadata: { name: "long", labels: { a: "b" } } })).toEqual([]);
  });
});

describe("the vendored operator CRDs", () => {
  it("cover every custom resource kind the components emit, at the targeted releases", () => {
    expect(Object.fromEntries(Object.entries(OPERATOR_CRDS).map(([type, crd]) => [type, `${crd.operator} ${crd.release}`]))).toEqual({
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule": "prometheus-operator v0.93.0",
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": "prometheus-operator v0.93.0",
      "kubernetes:monitoring.coreos.com/v1:PodMonitor": "prometheus-operator v0.93.0",
      "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig": "prometheus-operator v0.93.0",
      "kubernetes:argoproj.io/v1alpha1:Rollout": "argo-rollouts v1.9.1",
      "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate": "argo-rollouts v1.9.1",
      "kubernetes:postgresql.cnpg.io/v1:Cluster": "cloudnative-pg v1.29.2",
      "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup": "cloudnative-pg v1.29.2",
      "kubernetes:external-secrets.io/v1:ExternalSecret": "external-secrets v2.9.0",
    });
  });

  it("reports what the targeted release's CRD refuses, naming the release", async () => {
    const plan = await runProgram(() => {
      new k8s.apiextensions.CustomResource("rules", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "rules" },
        spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", for: "5 minutes", labels: { severity: "critical" } }] }] },
      });
      new k8s.apiextensions.CustomResource("routing", {
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "AlertmanagerConfig",
        metadata: { name: "routing" },
        spec: { route: { receiver: "r" }, receivers: [{ name: "r", emailConfigs: [{ to: "a@example.com", smarthostt: "smtp:25" }] }] },
      });
    });
    const problems = validateKubernetesObjects(plan).filter((p) => p.message.endsWith("(prometheus-operator v0.93.0 CRD)"));
    expect(problems).toEqual([
      expect.objectContaining({ kind: "PrometheusRule", path: "spec.groups[0].rules[0].for", message: expect.stringMatching(/^must match /) }),
      expect.objectContaining({ kind: "AlertmanagerConfig", path: "spec.receivers[0].emailConfigs[0].smarthostt", message: "unknown property (prometheus-operator v0.93.0 CRD)" }),
    ]);
    expect(validateKubernetesObjects(plan, { operatorCrds: false }).some((p) => p.message.includes("CRD)"))).toBe(false);
  });
});
