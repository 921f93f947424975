// Every AWS managed policy the package attaches, checked against the ARN AWS documents for it, not against
// the code that builds it: a wrong path (`service-role/` or none) is NoSuchEntity on a real account.
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildModel, loadSpec } from "@polycloud/core";
import { runProgram } from "@polycloud/testing";
import { backend } from "./backend";

/**
 * The ARNs under "Policy details" in the AWS Managed Policy Reference Guide
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<PolicyName>.html), read for this table.
 */
const DOCUMENTED_ARNS: Readonly<Record<string, string>> = {
  // "Type: AWS managed policy", created July 17, 2025: no path.
  AmazonECSInfrastructureRolePolicyForLoadBalancers: "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
  // "Type: Service role policy".
  AmazonRDSEnhancedMonitoringRole: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
  AWSBackupServiceRolePolicyForBackup: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  AWSBackupServiceRolePolicyForRestores: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
  // "Type: AWS managed policy" (the S3 ones, February 2022): no path.
  AWSBackupServiceRolePolicyForS3Backup: "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
  AWSBackupServiceRolePolicyForS3Restore: "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
};

describe("AWS managed policies", () => {
  it("attaches each managed policy by the ARN AWS documents for it when the production stack is built (canary deployments, Enhanced Monitoring, AWS Backup)", async () => {
    const model = buildModel(loadSpec(join(__dirname, "../../../stacks/prod.yaml")), "aws", {});
    const plan = await runProgram(
      () => {
        backend.build(model, new pulumi.ComponentResource("polycloud:index:Platform", model.app));
      },
      { provider: "aws" },
    );
    const attached = plan.resources(aws.iam.RolePolicyAttachment).map((a) => [a.name, a.inputs.policyArn as string] as const);
    // Every managed policy of the table is used, and nothing else is attached.
    expect([...new Set(attached.map(([, arn]) => arn))].sort()).toEqual(Object.values(DOCUMENTED_ARNS).sort());
    for (const [name, arn] of attached) {
      const policy = name.slice(name.lastIndexOf("-") + 1);
      expect([name, arn]).toEqual([name, DOCUMENTED_ARNS[policy]]);
    }
    // The canary services' ECS infrastructure role: a new one per traffic-shifting service (only the api canaries).
    expect(attached.filter(([, arn]) => arn.endsWith("/AmazonECSInfrastructureRolePolicyForLoadBalancers")).map(([name]) => name)).toEqual([
      "shop-api-deployment-role-AmazonECSInfrastructureRolePolicyForLoadBalancers",
    ]);
  });
});
