/** Shared test inputs (not shipped: excluded from the build and from package.json `files`). */
import * as pulumi from "@pulumi/pulumi";
import { buildModel, parseSpec, type AppModel, type SpecInput } from "@polycloud/core";
import type { NetworkRef } from "../network";

/** An existing VPC's ids: components under test without the ~40 resources of a Network. */
export const existingNetwork = (): NetworkRef => ({
  networkId: pulumi.output("vpc-0123456789abcdef0"),
  cidr: "10.0.0.0/16",
  publicSubnetIds: ["subnet-pub1", "subnet-pub2"],
  privateSubnetIds: ["subnet-prv1", "subnet-prv2"],
  isolatedSubnetIds: ["subnet-iso1", "subnet-iso2"],
});

/** Ingress and egress rule type tokens (their args are required, so typed selectors infer `never`). */
export const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** The AWS application model of a spec, as the platform builds it (`config`: stack config such as `polycloud:aws.hostedZoneId`). */
export const awsModel = (spec: SpecInput, config: Readonly<Record<string, unknown>> = {}): AppModel<"aws"> => buildModel(parseSpec(spec), "aws", config);
