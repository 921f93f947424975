import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CommonArgs, Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { createEcsCluster } from "./ecs-cluster";
import { createKey, type KeyTransforms } from "./keys";
import { createLoadBalancerLogBucket, type LogBucketTransforms } from "./logs";
import { accountContext, scopeOf } from "./scope";

/** An ECS cluster a service runs in: a {@link Cluster}'s `cluster`, an `aws.ecs.Cluster`, or the ARN and name of an existing one. */
export interface EcsClusterRef {
  readonly arn: pulumi.Input<string>;
  readonly name: pulumi.Input<string>;
}

export interface ClusterArgs extends CommonArgs {
  /** Retention of the load balancer access logs, in days. @default the preset's log retention */
  readonly logRetentionDays?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms & LogBucketTransforms & { cluster?: Transform<aws.ecs.ClusterArgs> };
}

/**
 * What the web services of one application share, created once instead of once per service: the ECS
 * cluster (Container Insights on), the KMS key that encrypts the services' log groups, and the bucket
 * that receives their load balancers' access logs (private, TLS-only, SSE-S3, expiring after the log
 * retention; protected in production with the key).
 *
 * @example
 * const cluster = new Cluster("shop", { app: "shop" });
 * const api = new WebService("api", { ...cluster.serviceArgs, app: "shop", service, network, loadBalancer, slo });
 */
export class Cluster extends PolycloudComponent {
  readonly cluster: aws.ecs.Cluster;
  /** Encrypts the services' log groups; its key policy admits CloudWatch Logs of this account. */
  readonly key: aws.kms.Key;
  readonly accessLogBucket: aws.s3.Bucket;
  /** The args that make a {@link WebService} use this cluster, key and log bucket. */
  readonly serviceArgs: { readonly cluster: EcsClusterRef; readonly kmsKeyArn: pulumi.Output<string>; readonly accessLogBucket: pulumi.Output<string> };

  constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "Cluster", name, args, opts);
    const scope = scopeOf(this, "cluster", name);
    const t = args.transform ?? {};
    const account = accountContext(this);

    this.cluster = createEcsCluster(scope, name, t.cluster);
    this.key = createKey(scope, "key", { description: `Service logs of ${scope.app} (${scope.environment})`, account, users: ["logs"], transforms: t });
    const logs = createLoadBalancerLogBucket(scope, account, scope.logRetentionDays, t);
    this.accessLogBucket = logs.bucket;
    this.serviceArgs = {
      cluster: this.cluster,
      kmsKeyArn: this.key.arn,
      // The bucket name as an output of its policy: load balancers given it wait until ELB may write.
      accessLogBucket: logs.policy.bucket,
    };
    this.registerOutputs({ clusterArn: this.cluster.arn, clusterName: this.cluster.name, keyArn: this.key.arn, accessLogBucket: this.accessLogBucket.bucket });
  }
}
