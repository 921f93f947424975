/**
 * What every bucket of this package gets, data or logs: ACLs disabled, public access blocked, and
 * default encryption. One place, so a data bucket and a log bucket cannot drift apart.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { childOptions, type Scope } from "./scope";

/**
 * All four public access blocks (with `publicRead`, the audited opt-out, only the policy blocks are
 * relaxed: ACLs stay blocked) and `BucketOwnerEnforced` ownership (ACLs disabled). Returns the access
 * block: a bucket policy must wait for it, since S3 rejects a policy while the block is changing.
 */
export function blockPublicAccess(
  scope: Scope,
  name: string,
  bucketId: pulumi.Input<string>,
  options: {
    publicRead?: boolean;
    transforms: { publicAccessBlock?: Transform<aws.s3.BucketPublicAccessBlockArgs> | undefined; ownershipControls?: Transform<aws.s3.BucketOwnershipControlsArgs> | undefined };
  },
): aws.s3.BucketPublicAccessBlock {
  const publicRead = options.publicRead === true;
  const accessBlock = new aws.s3.BucketPublicAccessBlock(
    ...transformed(
      `${name}-public-access`,
      { bucket: bucketId, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: !publicRead, restrictPublicBuckets: !publicRead },
      childOptions(scope),
      options.transforms.publicAccessBlock,
    ),
  );
  new aws.s3.BucketOwnershipControls(
    ...transformed(`${name}-ownership`, { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } }, childOptions(scope), options.transforms.ownershipControls),
  );
  return accessBlock;
}

/** Default encryption: SSE-KMS with `kmsKeyArn` and a bucket key (up to 99% fewer KMS requests), else SSE-S3. */
export function encryptBucket(
  scope: Scope,
  name: string,
  bucketId: pulumi.Input<string>,
  kmsKeyArn: pulumi.Input<string> | undefined,
  t: Transform<aws.s3.BucketServerSideEncryptionConfigurationArgs> | undefined,
): aws.s3.BucketServerSideEncryptionConfiguration {
  return new aws.s3.BucketServerSideEncryptionConfiguration(
    ...transformed(
      `${name}-encryption`,
      {
        bucket: bucketId,
        rules: [
          kmsKeyArn === undefined
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true },
        ],
      },
      childOptions(scope),
      t,
    ),
  );
}
