/** IAM roles that one AWS service assumes, with least-privilege policies. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { assumeRolePolicy, type AccountContext, type PolicyDocument } from "./policies";
import { childOptions, type Scope } from "./scope";

export interface RoleTransforms {
  role?: Transform<aws.iam.RoleArgs>;
  rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
  rolePolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
}

/** A service role, and its ARN once its policies are attached. */
export interface ServiceRole {
  readonly role: aws.iam.Role;
  /**
   * The role's ARN, resolved only after its inline and managed policies exist: services that check a
   * role's permissions when it is handed to them (CloudTrail, RDS Enhanced Monitoring) must get this one.
   */
  readonly arn: pulumi.Output<string>;
}

/**
 * A role that one AWS service assumes, with an optional inline policy and AWS managed policies (named by
 * their path after `policy/`, exactly as the AWS managed policy reference gives their ARN, e.g. `service-role/AmazonRDSEnhancedMonitoringRole`
 * or `AmazonECSInfrastructureRolePolicyForLoadBalancers`, which has no path). The trust policy admits the
 * service for this account only (`aws:SourceAccount`), except with `sourceAccountCondition: false`, for
 * services that do not send that key when they assume a role (the condition would lock them out).
 */
export function createServiceRole(
  scope: Scope,
  suffix: string,
  options: {
    service: string;
    account: AccountContext;
    policy?: pulumi.Input<PolicyDocument> | undefined;
    managedPolicies?: readonly string[];
    sourceAccountCondition?: boolean;
    transforms?: RoleTransforms | undefined;
  },
): ServiceRole {
  const name = `${scope.name}-${suffix}`;
  const t = options.transforms ?? {};
  const policies: pulumi.Resource[] = [];
  const trust = assumeRolePolicy(options.service, options.sourceAccountCondition === false ? undefined : options.account.accountId);
  const role = new aws.iam.Role(...transformed(name, { assumeRolePolicy: pulumi.jsonStringify(trust), tags: scope.tags }, childOptions(scope), t.role));
  if (options.policy !== undefined) {
    policies.push(new aws.iam.RolePolicy(...transformed(`${name}-policy`, { role: role.id, policy: pulumi.jsonStringify(options.policy) }, childOptions(scope), t.rolePolicy)));
  }
  for (const managed of options.managedPolicies ?? []) {
    // Named after the policy, so adding or removing one never renames the others.
    const attachment = `${name}-${managed.split("/").pop()!}`;
    policies.push(
      new aws.iam.RolePolicyAttachment(
        ...transformed(attachment, { role: role.name, policyArn: pulumi.interpolate`arn:${options.account.partition}:iam::aws:policy/${managed}` }, childOptions(scope), t.rolePolicyAttachment),
      ),
    );
  }
  // An output of the policies too, so whoever reads it depends on them.
  const arn = pulumi.all([role.arn, pulumi.all(policies.map((p) => p.urn))]).apply(([roleArn]) => roleArn);
  return { role, arn };
}
