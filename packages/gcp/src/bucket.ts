/**
 * Bucket: a Cloud Storage bucket with uniform bucket-level access, public access prevention enforced,
 * versioning, soft delete for the backup retention, a customer-managed key, the spec's lifecycle rules
 * and usage logs delivered to a log bucket of its own (hardened the same way, expiring with log retention).
 */
import type * as kms from "@pulumi/gcp/kms";
import * as storage from "@pulumi/gcp/storage";
import type * as pulumi from "@pulumi/pulumi";
import { PolycloudError, transformed, type BucketAccess, type BucketArgs as CoreBucketArgs, type BucketOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { labelsOf, nameOf, regionOf } from "./common";
import { createKey } from "./keys";

/** Soft delete keeps deleted objects at most 90 days. */
export const MAX_SOFT_DELETE_DAYS = 90;

/** The predefined role of each access: read objects, or read, create, overwrite and delete them (never IAM). */
export const BUCKET_ROLES: Readonly<Record<BucketAccess, string>> = { read: "roles/storage.objectViewer", readwrite: "roles/storage.objectUser" };

export interface BucketArgs extends CoreBucketArgs {
  /** Key ring of the bucket's key. */
  readonly keyRing: pulumi.Input<string>;
  /** Region of the bucket, its log bucket and its key. @default stack config gcp:region */
  readonly region?: string;
  /** Days a deleted or overwritten object can be restored (soft delete), at most 90. @default the preset's backup retention */
  readonly backupRetentionDays?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: {
    readonly bucket?: Transform<storage.BucketArgs>;
    readonly logBucket?: Transform<storage.BucketArgs>;
    readonly key?: Transform<kms.CryptoKeyArgs>;
  };
}

export class Bucket extends PolycloudComponent implements BucketOutputs {
  readonly bucket: storage.Bucket;
  readonly logBucket: storage.Bucket;
  readonly key: kms.CryptoKey;
  readonly bucketName: pulumi.Output<string>;
  private readonly componentName: string;

  constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "Bucket", name, args, opts);
    this.componentName = name;
    const region = regionOf(args.region, `Bucket ${name}`);
    const retention = args.backupRetentionDays ?? this.defaults.preset.backupRetentionDays;
    if (!Number.isInteger(retention) || retention < 0 || retention > MAX_SOFT_DELETE_DAYS) {
      throw new PolycloudError([{ path: "backupRetentionDays", message: `${retention} is not a soft delete retention Cloud Storage offers; allowed: 0 to ${MAX_SOFT_DELETE_DAYS} whole days`, fix: `set backupRetentionDays to ${MAX_SOFT_DELETE_DAYS} or less` }], `Invalid bucket ${name}`);
    }
    const t = args.transform ?? {};
    const labels = labelsOf(this.defaults, { bucket: args.bucket.name });
    const stateful = this.childOptions({ stateful: true });
    const { key, grants } = createKey(name, { keyRing: args.keyRing, labels, agents: ["storage"], ...(t.key === undefined ? {} : { transform: { key: t.key } }) }, stateful);
    this.key = key;
    const hardened = {
      location: region.toUpperCase(),
      storageClass: "STANDARD",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      forceDestroy: false,
      encryption: { defaultKmsKeyName: key.id },
      labels,
    } satisfies Partial<storage.BucketArgs>;
    const afterKey = { dependsOn: [...grants] };

    this.logBucket = new storage.Bucket(
      ...transformed(
        `${name}-logs`,
        {
          ...hardened,
          name: nameOf(this.defaults, "gcsBucket", `${args.bucket.name}-logs`),
          versioning: { enabled: false },
          lifecycleRules: [{ action: { type: "Delete" }, condition: { age: this.defaults.logRetentionDays } }],
        },
        { ...this.childOptions(), ...afterKey },
        t.logBucket,
      ),
    );
    // Usage and storage logs are written by this Google group (uniform access: a bucket-level grant).
    new storage.BucketIAMMember(`${name}-logs-writer`, { bucket: this.logBucket.name, role: "roles/storage.objectCreator", member: "group:cloud-storage-analytics@google.com" }, { parent: this });

    const { lifecycle, versioning, publicRead } = args.bucket;
    this.bucket = new storage.Bucket(
      ...transformed(
        name,
        {
          ...hardened,
          name: nameOf(this.defaults, "gcsBucket", args.bucket.name),
          ...(publicRead ? { publicAccessPrevention: "inherited" } : {}),
          versioning: { enabled: versioning },
          softDeletePolicy: { retentionDurationSeconds: retention * 86400 },
          logging: { logBucket: this.logBucket.name },
          lifecycleRules: [
            ...(lifecycle.expireAfterDays === undefined ? [] : [{ action: { type: "Delete" }, condition: { age: lifecycle.expireAfterDays } }]),
            ...(lifecycle.expireNoncurrentAfterDays === undefined ? [] : [{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: lifecycle.expireNoncurrentAfterDays, withState: "ARCHIVED" } }]),
            ...(lifecycle.transitionToInfrequentAccessAfterDays === undefined
              ? []
              : [{ action: { type: "SetStorageClass", storageClass: "NEARLINE" }, condition: { age: lifecycle.transitionToInfrequentAccessAfterDays, matchesStorageClasses: ["STANDARD"] } }]),
          ],
        },
        { ...stateful, ...afterKey },
        t.bucket,
      ),
    );
    // publicRead is the spec's explicit opt-out: anyone may read objects, never list or write them.
    if (publicRead) new storage.BucketIAMMember(`${name}-public-read`, { bucket: this.bucket.name, role: "roles/storage.objectViewer", member: "allUsers" }, { parent: this });
    this.bucketName = this.bucket.name;
    this.registerOutputs({ bucketName: this.bucketName, logBucketName: this.logBucket.name, keyId: key.id });
  }

  /** Lets `member` (a service's `serviceAccount:<email>`) use the bucket's objects as `access` says, and nothing more. */
  allowAccess(who: string, member: pulumi.Input<string>, access: BucketAccess): storage.BucketIAMMember {
    return new storage.BucketIAMMember(`${this.componentName}-${who}-${access}`, { bucket: this.bucket.name, role: BUCKET_ROLES[access], member }, { parent: this });
  }
}
