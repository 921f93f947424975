/** Security group rules: one resource per rule, naming the peer group wherever the peer is ours. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { childOptions, type Scope } from "./scope";

export interface RuleTransforms {
  ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
  egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
}

/** One security group rule, ingress or egress, on one TCP port. */
export function createRule(
  scope: Scope,
  suffix: string,
  direction: "ingress" | "egress",
  rule: { securityGroupId: pulumi.Input<string>; peer: { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> }; port: number; description: string },
  transforms: RuleTransforms = {},
): aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule {
  const name = `${scope.name}-${suffix}`;
  const args = { securityGroupId: rule.securityGroupId, ...rule.peer, ipProtocol: "tcp", fromPort: rule.port, toPort: rule.port, description: rule.description, tags: scope.tags };
  return direction === "ingress"
    ? new aws.vpc.SecurityGroupIngressRule(...transformed(name, args, childOptions(scope), transforms.ingressRule))
    : new aws.vpc.SecurityGroupEgressRule(...transformed(name, args, childOptions(scope), transforms.egressRule));
}

/**
 * Lets `from` reach `to` on one TCP port: an ingress rule on `to` and the matching egress rule on
 * `from`, both naming the other group (never a CIDR), so nothing else gains access.
 */
export function allowTraffic(
  scope: Scope,
  suffix: string,
  rule: { from: pulumi.Input<string>; to: pulumi.Input<string>; port: number; description: string },
  transforms: RuleTransforms = {},
): void {
  const common = { port: rule.port, description: rule.description };
  createRule(scope, `${suffix}-in`, "ingress", { ...common, securityGroupId: rule.to, peer: { referencedSecurityGroupId: rule.from } }, transforms);
  createRule(scope, `${suffix}-out`, "egress", { ...common, securityGroupId: rule.from, peer: { referencedSecurityGroupId: rule.to } }, transforms);
}
