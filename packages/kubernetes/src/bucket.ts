import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import {
  PolycloudError,
  secretEnvName,
  transformed,
  type BucketAccess,
  type BucketArgs as CoreBucketArgs,
  type BucketOutputs,
  type BucketSpec,
  type Transform,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { commonOf, dnsLabelProblems, workloadLabels } from "./labels";
import type { NamespaceRef } from "./network";
import { guaranteedResources, hardenedPodSpec } from "./pod";
import { secretReference, type KubernetesSecretReference } from "./refs";
import { runAsProblems, type RunAs } from "./security";
import { DEFAULT_BUCKET_STORAGE_GB, STATEFUL_SIZES } from "./sizing";
import { createAccessPolicies, createCredentials, createStatefulWorkload, envFromSecret, generatePassword, type StatefulTransforms } from "./stateful";

const PORT = 9000;

/** The keys of each application credentials Secret, which clients read as `BUCKET_<NAME>_<KEY>`. */
export const BUCKET_CREDENTIAL_KEYS = ["S3_ENDPOINT", "S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;

/**
 * Each access level's MinIO user: the suffix of its Secret (`bucket-<name>-<suffix>`) and access key,
 * and the prefix of the setup Job's variables holding its keys.
 */
const USERS: Readonly<Record<BucketAccess, { readonly suffix: string; readonly env: string }>> = {
  readwrite: { suffix: "app", env: "APP" },
  read: { suffix: "read", env: "READ" },
};

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
  /**
   * The access levels to create credentials for. Each is a MinIO user of its own (never the root) with
   * its own Secret: `readwrite` in `bucket-<name>-app` (MinIO's `readwrite` policy: read, write and
   * delete objects), `read` in `bucket-<name>-read` (a policy on this bucket that lists and reads
   * objects and nothing else). Give each client the {@link Bucket.credentialsFor} of its grant.
   * @default ["readwrite"]
   */
  readonly access?: readonly BucketAccess[];
  /** Adjust any child's args (`secret` adjusts the Secret of every access level). @default {} */
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
 * public-read settings and one user per access level (`access`), none of them the MinIO root. Clients
 * get `S3_ENDPOINT`, `S3_BUCKET`, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` of their access
 * level by reference ({@link Bucket.credentialsFor}).
 * For durable, replicated object storage use the cloud backends' buckets instead.
 */
export class Bucket extends PolycloudComponent implements BucketOutputs {
  readonly bucketName: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  /** References to the client settings of each access level created, env names prefixed `BUCKET_<NAME>_`. */
  readonly credentials: Readonly<Partial<Record<BucketAccess, readonly KubernetesSecretReference[]>>>;
  /** Labels that grant a pod network access to the store. */
  readonly clientLabels: Readonly<Record<string, string>>;

  constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    const bucket = args.bucket;
    const objectName = `bucket-${bucket.name}`;
    const storageGb = args.storageGb ?? DEFAULT_BUCKET_STORAGE_GB;
    const access: BucketAccess[] = [...new Set<BucketAccess>(args.access ?? ["readwrite"])];
    PolycloudError.throwIfAny([
      ...dnsLabelProblems("bucket.name", objectName),
      ...runAsProblems(args.runAs ?? {}, "runAs"),
      ...(Number.isInteger(storageGb) && storageGb >= 1 ? [] : [{ path: "storageGb", message: `${storageGb} is not allowed; allowed: a whole number of GiB >= 1`, fix: "set storageGb to 10" }]),
      ...access.flatMap((a, i) => (a in USERS ? [] : [{ path: `access[${i}]`, message: `"${String(a)}" is not an access level; allowed: read, readwrite`, fix: "use read or readwrite" }])),
    ]);
    super("kubernetes", "Bucket", name, args, opts);
    const common = commonOf(this.defaults);
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    const labels = workloadLabels(common, objectName, "bucket");
    const endpoint = `http://${objectName}.${args.network.namespaceName}.svc.cluster.local:${PORT}`;
    if (bucket.lifecycle.transitionToInfrequentAccessAfterDays !== undefined) {
      pulumi.log.warn(`buckets.${bucket.name}.lifecycle.transitionToInfrequentAccessAfterDays is ignored: a single MinIO volume has no colder tier`, this);
    }

    const password = (suffix: string) => generatePassword(this, `${name}-${suffix}-password`, 40, t.password);
    const root = createCredentials(this, `${name}-root`, { objectName: `${objectName}-root`, namespace, labels, data: { user: "admin", password: password("root") } }, t.rootSecret);
    // Logical names as before read credentials existed: the readwrite user's children are `<name>-credentials` and `<name>-app-password`.
    const users = access.map((level) => {
      const { suffix, env } = USERS[level];
      const secret = createCredentials(
        this,
        level === "readwrite" ? name : `${name}-${suffix}`,
        {
          objectName: `${objectName}-${suffix}`,
          namespace,
          labels,
          data: { S3_ENDPOINT: endpoint, S3_BUCKET: bucket.name, AWS_ACCESS_KEY_ID: `${bucket.name}-${suffix}`, AWS_SECRET_ACCESS_KEY: password(suffix) },
        },
        t.secret,
      );
      return { level, secretName: `${objectName}-${suffix}`, env: [envFromSecret(`${env}_ACCESS_KEY`, secret.metadata.name, "AWS_ACCESS_KEY_ID"), envFromSecret(`${env}_SECRET_KEY`, secret.metadata.name, "AWS_SECRET_ACCESS_KEY")] };
    });
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
      // Lenient: a MinIO that answers /minio/health/live is alive, even while it cannot serve (readiness).
      livenessProbe: { httpGet: { path: "/minio/health/live", port: "s3" }, initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 6 },
      runAs: args.runAs ?? {},
      transform: t,
    });
    this.clientLabels = createAccessPolicies(this, name, { store: objectName, namespace, labels, storeSelector: selector, ports: [PORT] }, t.networkPolicy);

    const setupName = `${objectName}-setup`;
    new k8s.batch.v1.Job(
      ...transformed(
        `${name}-setup`,
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
                    // A pinned release: a node's copy is that release.
                    imagePullPolicy: "IfNotPresent",
                    command: ["sh", "-c", bucketSetupScript(bucket, access)],
                    env: [
                      { name: "ENDPOINT", value: endpoint },
                      { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
                      envFromSecret("ROOT_USER", root.metadata.name, "user"),
                      envFromSecret("ROOT_PASSWORD", root.metadata.name, "password"),
                      ...users.flatMap((u) => u.env),
                    ],
                    resources: guaranteedResources(0.25, 256),
                  },
                }),
                restartPolicy: "OnFailure",
              },
            },
          },
        },
        this.childOptions({ dependsOn: [statefulSet] }),
        t.setupJob,
      ),
    );

    this.bucketName = pulumi.output(bucket.name);
    this.endpoint = pulumi.output(endpoint);
    const prefix = `BUCKET_${secretEnvName(bucket.name)}_`;
    this.credentials = Object.fromEntries(users.map((u) => [u.level, BUCKET_CREDENTIAL_KEYS.map((key) => secretReference(`${prefix}${key}`, u.secretName, key))]));
    this.registerOutputs({ bucketName: this.bucketName, endpoint: this.endpoint });
  }

  /**
   * The client settings of one access level, by reference, for `WebService.secrets`.
   * @throws PolycloudError when the bucket was created without that access level.
   */
  credentialsFor(access: BucketAccess): readonly KubernetesSecretReference[] {
    const refs = this.credentials[access];
    if (refs === undefined) {
      throw new PolycloudError([{ path: "access", message: `does not include "${access}", so the bucket has no ${access} credentials`, fix: `add "${access}" to the Bucket's access` }]);
    }
    return refs;
  }
}

/** The bucket-scoped MinIO policy of read-only clients: list the bucket, read its objects, nothing else. */
export function readPolicy(bucketName: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: [`arn:aws:s3:::${bucketName}`] },
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${bucketName}/*`] },
    ],
  };
}

/**
 * The setup Job's script: waits for MinIO, then (idempotently) creates the bucket, sets versioning,
 * replaces the lifecycle rules, sets anonymous access and creates one user per access level with its
 * policy: MinIO's `readwrite` for `readwrite`, {@link readPolicy} (created as `<bucket>-read`) for `read`.
 */
export function bucketSetupScript(bucket: BucketSpec, access: readonly BucketAccess[] = ["readwrite"]): string {
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
    ...access.flatMap((level) => {
      const { env } = USERS[level];
      const policy = level === "readwrite" ? "readwrite" : `${bucket.name}-read`;
      return [
        ...(level === "readwrite"
          ? []
          : [`printf '%s' '${JSON.stringify(readPolicy(bucket.name))}' > /tmp/${policy}.json`, `mc admin policy create store ${policy} /tmp/${policy}.json`]),
        `mc admin user add store "$${env}_ACCESS_KEY" "$${env}_SECRET_KEY"`,
        // attach fails when the policy is attached already (a re-run).
        `mc admin policy attach store ${policy} --user "$${env}_ACCESS_KEY" || true`,
      ];
    }),
  ].join("\n");
}
