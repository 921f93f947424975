import * as k8s from "@pulumi/kubernetes";
import { runProgram } from "@polycloud/testing";
import { Bucket, bucketSetupScript, readPolicy, type BucketArgs } from "./bucket";
import { namespace, spec } from "./__tests__/fixtures";

function args(bucket: Record<string, unknown> = {}, extra: Partial<BucketArgs> = {}): BucketArgs {
  return { app: "shop", bucket: spec({ buckets: { assets: bucket } }).buckets[0]!, network: namespace(), ...extra };
}

describe("Bucket", () => {
  it("runs a hardened MinIO with a retained volume, reachable only by its clients, when defaults are used", async () => {
    let clientLabels: Record<string, string> = {};
    const plan = await runProgram(() => {
      clientLabels = { ...new Bucket("assets", args()).clientLabels };
    });
    const set = plan.find(k8s.apps.v1.StatefulSet).inputs;
    expect(set.metadata!.name).toBe("bucket-assets");
    expect(set.spec.volumeClaimTemplates![0]!.spec!.resources!.requests).toEqual({ storage: "10Gi" });
    const container = set.spec.template.spec!.containers[0]!;
    expect(container.securityContext).toMatchObject({ runAsUser: 10001, readOnlyRootFilesystem: true });
    expect(container.env).toContainEqual({ name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "bucket-assets-root", key: "password" } } });
    expect(container.env).toContainEqual({ name: "MINIO_BROWSER", value: "off" });
    expect(clientLabels).toEqual({ "access.polycloud.dev/bucket-assets": "true" });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, { metadata: { name: "bucket-assets-allow-clients" }, spec: { ingress: [{ ports: [{ port: 9000 }] }] } });
  });

  it("creates the bucket and an application user with a setup Job that may reach the store", async () => {
    const plan = await runProgram(() => {
      new Bucket("assets", args());
    });
    const job = plan.find(k8s.batch.v1.Job).inputs;
    expect(job.spec!.template.metadata!.labels).toMatchObject({ "access.polycloud.dev/bucket-assets": "true" });
    const pod = job.spec!.template.spec!;
    expect(pod.restartPolicy).toBe("OnFailure");
    expect(pod.automountServiceAccountToken).toBe(false);
    // The bucket's own ServiceAccount (no token), not the namespace's shared default one.
    expect(pod.serviceAccountName).toBe("bucket-assets");
    plan.hasResource(k8s.core.v1.ServiceAccount, { metadata: { name: "bucket-assets" }, automountServiceAccountToken: false });
    expect(pod.containers[0]!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(pod.containers[0]!.env!.filter((e) => e.value !== undefined).map((e) => e.name)).toEqual(["ENDPOINT", "MC_CONFIG_DIR"]);
  });

  it("hands clients the endpoint and keys by reference", async () => {
    let bucket: Bucket | undefined;
    const plan = await runProgram(() => {
      bucket = new Bucket("assets", args());
      return { name: bucket.bucketName, endpoint: bucket.endpoint };
    });
    expect(plan.outputs).toEqual({ name: "assets", endpoint: "http://bucket-assets.shop-dev.svc.cluster.local:9000" });
    expect(bucket!.credentialsFor("readwrite").map((c) => [c.envName, `${c.location.secretName}/${c.location.key}`])).toEqual([
      ["BUCKET_ASSETS_S3_ENDPOINT", "bucket-assets-app/S3_ENDPOINT"],
      ["BUCKET_ASSETS_S3_BUCKET", "bucket-assets-app/S3_BUCKET"],
      ["BUCKET_ASSETS_AWS_ACCESS_KEY_ID", "bucket-assets-app/AWS_ACCESS_KEY_ID"],
      ["BUCKET_ASSETS_AWS_SECRET_ACCESS_KEY", "bucket-assets-app/AWS_SECRET_ACCESS_KEY"],
    ]);
    const app = plan.find(k8s.core.v1.Secret, { metadata: { name: "bucket-assets-app" } });
    expect(app.secretInputs.length).toBeGreaterThan(0);
    // Only readwrite credentials by default.
    expect(() => bucket!.credentialsFor("read")).toThrow(/access: does not include "read", so the bucket has no read credentials; add "read" to the Bucket's access/);
    plan.resourceCountIs(k8s.core.v1.Secret, 2);
  });

  it("creates a read-only user with a policy that cannot write, in its own Secret, when read access is asked for", async () => {
    let bucket: Bucket | undefined;
    const plan = await runProgram(() => {
      bucket = new Bucket("assets", args({}, { access: ["readwrite", "read"] }));
    });
    expect(bucket!.credentialsFor("read").map((c) => `${c.location.secretName}/${c.location.key}`)).toEqual([
      "bucket-assets-read/S3_ENDPOINT",
      "bucket-assets-read/S3_BUCKET",
      "bucket-assets-read/AWS_ACCESS_KEY_ID",
      "bucket-assets-read/AWS_SECRET_ACCESS_KEY",
    ]);
    const read = plan.find(k8s.core.v1.Secret, { metadata: { name: "bucket-assets-read" } });
    expect(read.name).toBe("assets-read-credentials");
    expect(read.inputs.stringData!.AWS_ACCESS_KEY_ID).toBe("assets-read");
    expect(read.inputs.stringData!.AWS_SECRET_ACCESS_KEY).not.toBe(plan.find(k8s.core.v1.Secret, { metadata: { name: "bucket-assets-app" } }).inputs.stringData!.AWS_SECRET_ACCESS_KEY);
    const job = plan.find(k8s.batch.v1.Job).inputs.spec!.template.spec!.containers[0]!;
    expect(job.env).toContainEqual({ name: "READ_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "bucket-assets-read", key: "AWS_ACCESS_KEY_ID" } } });
    expect(job.command![2]).toContain('mc admin policy attach store assets-read --user "$READ_ACCESS_KEY"');
  });

  it("keeps the logical names of the readwrite user's children", async () => {
    const plan = await runProgram(() => {
      new Bucket("assets", args({}, { access: ["read", "readwrite"] }));
    });
    expect(plan.resources().filter((r) => r.custom).map((r) => r.name).filter((n) => /password|credentials/.test(n)).sort()).toEqual([
      "assets-app-password",
      "assets-credentials",
      "assets-read-credentials",
      "assets-read-password",
      "assets-root-credentials",
      "assets-root-password",
    ]);
  });

  it("adjusts the root credentials with their own transform key", async () => {
    const plan = await runProgram(() => {
      new Bucket("assets", args({}, { transform: { rootSecret: { metadata: { annotations: { root: "yes" } } } } }));
    });
    expect(plan.find(k8s.core.v1.Secret, { metadata: { name: "bucket-assets-root" } }).inputs.metadata!.annotations).toEqual({ root: "yes" });
    expect(plan.find(k8s.core.v1.Secret, { metadata: { name: "bucket-assets-app" } }).inputs.metadata!.annotations).toBeUndefined();
  });

  it("protects the data volume and credentials in production", async () => {
    const plan = await runProgram(() => {
      new Bucket("assets", args({}, { environment: "production" }));
    });
    expect(plan.find(k8s.apps.v1.StatefulSet).options.protect).toBe(true);
    expect(plan.resources(k8s.core.v1.Secret).every((s) => s.options.protect)).toBe(true);
  });

  it("throws a PolycloudError when storageGb is not a positive whole number", () => {
    expect(() => new Bucket("assets", args({}, { storageGb: 0 }))).toThrow(/storageGb: 0 is not allowed/);
  });
});

describe("bucketSetupScript", () => {
  it.each([
    [{ versioning: true, publicRead: false, lifecycle: {} }, ["mc version enable store/assets", "mc anonymous set none store/assets"], ["ilm rule add"]],
    [
      { versioning: false, publicRead: true, lifecycle: { expireNoncurrentAfterDays: 30, expireAfterDays: 365 } },
      ["mc version suspend store/assets", "mc anonymous set download store/assets", "mc ilm rule add --noncurrent-expire-days 30 store/assets", "mc ilm rule add --expire-days 365 store/assets"],
      [],
    ],
  ])("applies %j", (settings, present, absent) => {
    const script = bucketSetupScript({ name: "assets", ...settings });
    for (const line of present) expect(script).toContain(line);
    for (const line of absent) expect(script).not.toContain(line);
    expect(script).toContain("mc mb --ignore-existing store/assets");
  });

  it("gives the readwrite user MinIO's readwrite policy and the read user a bucket policy without any write action", () => {
    const script = bucketSetupScript({ name: "assets", versioning: true, publicRead: false, lifecycle: {} }, ["readwrite", "read"]);
    expect(script).toContain('mc admin policy attach store readwrite --user "$APP_ACCESS_KEY"');
    expect(script).toContain(`printf '%s' '${JSON.stringify(readPolicy("assets"))}' > /tmp/assets-read.json`);
    expect(script).toContain("mc admin policy create store assets-read /tmp/assets-read.json");
    expect(script).toContain('mc admin policy attach store assets-read --user "$READ_ACCESS_KEY"');
    const actions = (readPolicy("assets").Statement as { Action: string[]; Resource: string[] }[]).flatMap((s) => s.Action);
    expect(actions.sort()).toEqual(["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"]);
    expect((readPolicy("assets").Statement as { Resource: string[] }[]).flatMap((s) => s.Resource)).toEqual(["arn:aws:s3:::assets", "arn:aws:s3:::assets/*"]);
  });

  it("creates no readwrite user when only read access is asked for", () => {
    const script = bucketSetupScript({ name: "assets", versioning: true, publicRead: false, lifecycle: {} }, ["read"]);
    expect(script).not.toContain("APP_ACCESS_KEY");
  });
});
