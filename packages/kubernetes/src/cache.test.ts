import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { runProgram } from "@polycloud/testing";
import { Cache, type CacheArgs } from "./cache";
import { namespace, spec } from "./__tests__/fixtures";

function args(extra: Partial<CacheArgs> = {}, cache: Record<string, unknown> = {}): CacheArgs {
  return { app: "shop", cache: spec({ cache }).cache!, network: namespace(), ...extra };
}

describe("Cache", () => {
  it("runs Redis with a password from its Secret and append-only persistence when defaults are used", async () => {
    const plan = await runProgram(() => {
      new Cache("cache", args());
    });
    const set = plan.find(k8s.apps.v1.StatefulSet).inputs;
    const container = set.spec.template.spec!.containers[0]!;
    expect(container.image).toBe("docker.io/library/redis:7.4.11-alpine");
    expect(container.imagePullPolicy).toBe("IfNotPresent");
    expect(container.args).toEqual(["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes", "--dir", "/data", "--maxmemory", "819mb", "--maxmemory-policy", "allkeys-lru"]);
    expect(container.env).toEqual([
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-app", key: "password" } } },
      { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: "redis-app", key: "password" } } },
    ]);
    expect(container.securityContext).toMatchObject({ runAsUser: 10001, readOnlyRootFilesystem: true });
    expect(set.spec.volumeClaimTemplates![0]!.spec!.resources!.requests).toEqual({ storage: "2Gi" });
    const generated = plan.find(random.RandomPassword).outputs.result as string;
    expect(generated).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(plan.find(k8s.core.v1.Secret).inputs.stringData!.REDIS_URL).toBe(`redis://:${generated}@redis.shop-dev.svc.cluster.local:6379/0`);
  });

  it("is ready only when Redis answers PONG, and alive whenever it answers at all", async () => {
    const plan = await runProgram(() => {
      new Cache("cache", args());
    });
    const container = plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!.containers[0]!;
    // redis-cli exits 0 on NOAUTH and LOADING replies too: readiness compares the reply.
    expect(container.readinessProbe).toEqual({ exec: { command: ["sh", "-c", '[ "$(redis-cli ping)" = "PONG" ]'] }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 });
    expect(container.livenessProbe).toEqual({ exec: { command: ["redis-cli", "ping"] }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 10, successThreshold: 1, failureThreshold: 6 });
  });

  it.each([
    ["7", "docker.io/library/redis:7.4.11-alpine"],
    ["7.2", "docker.io/library/redis:7.2.16-alpine"],
    ["6", "docker.io/library/redis:6.2.24-alpine"],
  ])("pins Redis %s to %s", async (version, image) => {
    const plan = await runProgram(() => {
      new Cache("cache", args({}, { version }));
    });
    expect(plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!.containers[0]!.image).toBe(image);
  });

  it("exposes the REDIS_URL reference and the client labels", async () => {
    let cache: Cache | undefined;
    const plan = await runProgram(() => {
      cache = new Cache("cache", args({ name: "sessions", maxmemoryPolicy: "noeviction" }, { size: "medium" }));
      return { endpoint: cache.endpoint, port: cache.port };
    });
    expect(cache!.connectionSecret).toEqual({ envName: "REDIS_URL", location: { secretName: "sessions-app", key: "REDIS_URL" } });
    expect(cache!.clientLabels).toEqual({ "access.polycloud.dev/sessions": "true" });
    expect(plan.outputs).toEqual({ endpoint: "sessions.shop-dev.svc.cluster.local", port: 6379 });
    expect(plan.find(k8s.apps.v1.StatefulSet).inputs.spec.template.spec!.containers[0]!.args).toContain("noeviction");
    plan.hasResource(k8s.networking.v1.NetworkPolicy, { metadata: { name: "sessions-allow-clients" }, spec: { ingress: [{ ports: [{ port: 6379 }] }] } });
  });
});
