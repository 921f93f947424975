import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import {
  PolycloudError,
  secretEnvName,
  transform,
  type BucketArgs as CoreBucketArgs,
  type BucketOutputs,
  type BucketSpec,
  type SecretReference,
  type Transform,
} from "@polycloud/core";
import { dnsLabelProblems, resolveCommon, workloadLabels } from "./labels";
import type { NamespaceRef } from "./network";
import { guaranteedResources, hardenedPodSpec } from "./pod";
import { secretRef } from "./refs";
import { runAsProblems, type RunAs } from "./security";
import { DEFAULT_BUCKET_STORAGE_GB, STATEFUL_SIZES } from "./sizing";
import { createAccessPolicies, createCredentials, createStatefulWorkload, envFromSecret, generatePassword, type StatefulTransforms } from "./stateful";

const PORT = 9000;

export interface BucketArgs extends CoreBucketArgs {
  readonly network: NamespaceRef;
  /** Size of the object store's volume in GiB. @default 10 */
  readonly storageGb?: number;
  /** StorageClass of the volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** MinIO server image. @default "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z" */
  readonly image?: string;
  /** MinIO client image of the setup Job. @default "quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z" */
  readonly clientImage?: string;
  /** @default { uid: 10001, gid: 10001 } */
  readonly runAs?: RunAs;
  /** Adjust any child's args. @default {} */
  readonly transform?: StatefulTransforms & {
    readonly password?: Transform<random.RandomPasswordArgs>;
    /** The Secret with MinIO's root credentials (`secret` adjusts the application's). */
    readonly rootSecret?: Transform<k8s.core.v1.SecretArgs>;
    readonly setupJob?: Transform<k8s.batch.v1.JobArgs>;
  };
}

/**
 * An S3-compatible bucket inside the cluster. Kubernetes has no native object storage, so this runs
 * a single-node MinIO (a hardened StatefulSet with a retained volume, reachable only from pods with
 * `clientLabels`) and a setup Job that creates the bucket with the spec's versioning, lifecycle and
 * public-read settings and an application user that is not the MinIO root. Clients get
 * `S3_ENDPOINT`, `S3_BUCKET`, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` by reference (`credentials`).
 * For durable, replicated object storage use the cloud backends' buckets instead.
 */
export class Bucket extends pulumi.ComponentResource implements BucketOutputs {
  readonly bucketName: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  /** References to the client settings, env names prefixed `BUCKET_<NAME>_`. */
  readonly credentials: readonly SecretReference[];
  /** Labels that grant a pod network access to the store. */
  readonly clientLabels: Readonly<Record<string, string>>;

  constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    const bucket = args.bucket;
    const objectName = `bucket-${bucket.name}`;
    const storageGb = args.storageGb ?? DEFAULT_BUCKET_STORAGE_GB;
    PolycloudError.throwIfAny([
      ...dnsLabelProblems("bucket.name", objectName),
      ...runAsProblems(args.runAs ?? {}, "runAs"),
      ...(Number.isInteger(storageGb) && storageGb >= 1 ? [] : [{ path: "storageGb", message: `${storageGb} is not allowed; allowed: a whole number of GiB >= 1`, fix: "set storageGb to 10" }]),
    ]);
    super("polycloud:kubernetes:Bucket", name, {}, opts);
    const common = resolveCommon(args);
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    const labels = workloadLabels(common, objectName, "bucket");
    const endpoint = `http://${objectName}.${args.network.namespaceName}.svc.cluster.local:${PORT}`;
    if (bucket.lifecycle.transitionToInfrequentAccessAfterDays !== undefined) {
      pulumi.log.warn(`buckets.${bucket.name}.lifecycle.transitionToInfrequentAccessAfterDays is ignored: a single MinIO volume has no colder tier`, this);
    }

    const password = (suffix: string) => generatePassword(this, `${name}-${suffix}-password`, { length: 40, protect: common.protect }, t.password);
    const root = createCredentials(
      this,
      `${name}-root`,
      { objectName: `${objectName}-root`, namespace, labels, protect: common.protect, data: { user: "admin", password: password("root") } },
      t.rootSecret,
    );
    const app = createCredentials(
      this,
      name,
      {
        objectName: `${objectName}-app`,
        namespace,
        labels,
        protect: common.protect,
        data: { S3_ENDPOINT: endpoint, S3_BUCKET: bucket.name, AWS_ACCESS_KEY_ID: `${bucket.name}-app`, AWS_SECRET_ACCESS_KEY: password("app") },
      },
      t.secret,
    );
    const size = STATEFUL_SIZES.small;
    const { statefulSet, serviceAccount, selector } = createStatefulWorkload(this, name, {
      objectName,
      component: "bucket",
      namespace,
      common,
      image: args.image ?? "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
      port: { name: "s3", port: PORT },
      args: ["server", "/data", "--address", `:${PORT}`],
      env: [
        envFromSecret("MINIO_ROOT_USER", root.metadata.name, "user"),
        envFromSecret("MINIO_ROOT_PASSWORD", root.metadata.name, "password"),
        // No web console: the bucket is for applications.
        { name: "MINIO_BROWSER", value: "off" },
        // MinIO keeps its config under $HOME; the root filesystem is read-only.
        { name: "HOME", value: "/tmp" },
      ],
      cpu: size.cpu,
      memory: size.memory,
      storageGb,
      ...(args.storageClassName === undefined ? {} : { storageClassName: args.storageClassName }),
      dataPath: "/data",
      readinessProbe: { httpGet: { path: "/minio/health/ready", port: "s3" }, periodSeconds: 10, timeoutSeconds: 5 },
      livenessProbe: { httpGet: { path: "/minio/health/live", port: "s3" }, initialDelaySeconds: 15, periodSeconds: 15, timeoutSeconds: 5 },
      runAs: args.runAs ?? {},
      transform: t,
    });
    this.clientLabels = createAccessPolicies(this, name, { store: objectName, namespace, labels, storeSelector: selector, ports: [PORT] }, t.networkPolicy);

    const setupName = `${objectName}-setup`;
    new k8s.batch.v1.Job(
      `${name}-setup`,
      transform(
        {
          metadata: { name: setupName, namespace, labels },
          spec: {
            backoffLimit: 10,
            template: {
              metadata: { labels: { ...labels, ...this.clientLabels, "app.kubernetes.io/name": setupName } },
              spec: {
                ...hardenedPodSpec({
                  // The bucket's own ServiceAccount (no token): never the namespace's shared `default`.
                  serviceAccountName: serviceAccount.metadata.name,
                  selector: { "app.kubernetes.io/name": setupName },
                  runAs: args.runAs ?? {},
                  runAsPath: "runAs",
                  container: {
                    name: "setup",
                    image: args.clientImage ?? "quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z",
                    imagePullPolicy: "Always",
                    command: ["sh", "-c", bucketSetupScript(bucket)],
                    env: [
                      { name: "ENDPOINT", value: endpoint },
                      { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
                      envFromSecret("ROOT_USER", root.metadata.name, "user"),
                      envFromSecret("ROOT_PASSWORD", root.metadata.name, "password"),
                      envFromSecret("APP_ACCESS_KEY", app.metadata.name, "AWS_ACCESS_KEY_ID"),
                      envFromSecret("APP_SECRET_KEY", app.metadata.name, "AWS_SECRET_ACCESS_KEY"),
                    ],
                    resources: guaranteedResources(0.25, 256),
                  },
                }),
                restartPolicy: "OnFailure",
              },
            },
          },
        },
        `${name}-setup`,
        t.setupJob,
      ),
      { parent: this, dependsOn: [statefulSet] },
    );

    this.bucketName = pulumi.output(bucket.name);
    this.endpoint = pulumi.output(endpoint);
    const prefix = `BUCKET_${secretEnvName(bucket.name)}_`;
    this.credentials = ["S3_ENDPOINT", "S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map((key) => ({
      envName: `${prefix}${key}`,
      ref: secretRef(`${objectName}-app`, key),
    }));
    this.registerOutputs({ bucketName: this.bucketName, endpoint: this.endpoint });
  }
}

/**
 * The setup Job's script: waits for MinIO, then (idempotently) creates the bucket, sets versioning,
 * replaces the lifecycle rules, sets anonymous access and creates the application user.
 */
export function bucketSetupScript(bucket: BucketSpec): string {
  const target = `store/${bucket.name}`;
  const { expireNoncurrentAfterDays, expireAfterDays } = bucket.lifecycle;
  return [
    "set -eu",
    'until mc alias set store "$ENDPOINT" "$ROOT_USER" "$ROOT_PASSWORD"; do sleep 5; done',
    `mc mb --ignore-existing ${target}`,
    `mc version ${bucket.versioning ? "enable" : "suspend"} ${target}`,
    `mc ilm rule rm --all --force ${target} || true`,
    ...(expireNoncurrentAfterDays === undefined ? [] : [`mc ilm rule add --noncurrent-expire-days ${expireNoncurrentAfterDays} ${target}`]),
    ...(expireAfterDays === undefined ? [] : [`mc ilm rule add --expire-days ${expireAfterDays} ${target}`]),
    `mc anonymous set ${bucket.publicRead ? "download" : "none"} ${target}`,
    'mc admin user add store "$APP_ACCESS_KEY" "$APP_SECRET_KEY"',
    'mc admin policy attach store readwrite --user "$APP_ACCESS_KEY" || true',
  ].join("\n");
}
