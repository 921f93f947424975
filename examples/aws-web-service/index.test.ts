import * as aws from "@pulumi/aws";
import { runProgram, secretConfig } from "@polycloud/testing";
import "@polycloud/policy/jest";
import { resourceGraph } from "../resource-graph";
import program from "./index";

const project = "aws-web-service";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("aws-web-service example", () => {
  it("serves the API over HTTPS on the configured domain and exports its endpoints", async () => {
    const plan = await runProgram(program, { project, provider: "aws", config: { [`${project}:domain`]: "app.example.org" } });
    // SLO, database and cache alerts, the deployment rollback, and the escalations of the warnings among them
    // (the service's 6 and its rollback, the database's 3, the cache node's 2).
    expect(plan.outputs).toMatchObject({ url: "https://app.example.org", alertCount: 11 + 3 + 2 + 1 + (7 + 3 + 2) });
    expect(plan.outputs.bucket).toMatch(/^shop-dev-assets-[0-9a-f]{6}$/);
    expect(plan.outputs.certificateValidationRecords).toEqual([expect.objectContaining({ type: "CNAME" })]);
    // No hosted zone: the validation record and the domain's CNAME to create by hand, and nothing waits for them.
    expect(plan.outputs.dnsRecords).toEqual([expect.objectContaining({ type: "CNAME" }), expect.objectContaining({ name: "app.example.org", type: "CNAME" })]);
    plan.resourceCountIs(aws.acm.CertificateValidation, 0);
    plan.hasResource(aws.acm.Certificate, { domainName: "app.example.org" });
    // Zero mandatory policy findings; accepted ones are suppressions with a reason in the component.
    expect(plan).toPassPolicies();
    expect(resourceGraph(plan)).toMatchSnapshot();
  });

  it("injects the three secrets by reference, lets only the service reach the database and cache, and grants it the bucket", async () => {
    const plan = await runProgram(program, { project, provider: "aws", config: { [`${project}:stripe-key`]: secretConfig("sk_test_example") } });
    const definitions = plan.find(TASK).inputs.containerDefinitions as string;
    expect(JSON.parse(definitions)[0].secrets.map((s: { name: string }) => s.name)).toEqual(["STRIPE_KEY", "DATABASE_URL", "REDIS_URL"]);
    expect(definitions).not.toContain("sk_test_example");
    const taskGroup = plan.find(aws.ec2.SecurityGroup, "api-task-sg").id;
    // The database's and the cache's security groups (both components are named "shop").
    const dataGroups = plan.resources(aws.ec2.SecurityGroup).filter((g) => g.name === "shop-sg");
    expect(dataGroups).toHaveLength(2);
    for (const group of dataGroups) {
      const sources = plan.resources(INGRESS).filter((r) => r.inputs.securityGroupId === group.id).map((r) => r.inputs.referencedSecurityGroupId);
      expect(sources).toEqual([taskGroup]);
    }
    const taskPolicy = JSON.parse(plan.find("aws:iam/rolePolicy:RolePolicy", (r) => r.name === "api-task-role-policy").inputs.policy as string);
    const assets = plan.find(aws.s3.Bucket, "assets").outputs.arn;
    expect(taskPolicy.Statement.map((s: { Action: unknown; Resource: unknown }) => [s.Action, s.Resource])).toEqual([
      ["s3:ListBucket", assets],
      [["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], `${assets}/*`],
      [["kms:Decrypt", "kms:GenerateDataKey"], plan.find(aws.kms.Key, "assets-key").outputs.arn],
    ]);
  });

  it("protects the database and its backups and spans three zones with a NAT gateway each in production", async () => {
    const plan = await runProgram(program, { project, provider: "aws", config: { [`${project}:environment`]: "production" } });
    expect(plan).toPassPolicies();
    expect(plan.find(aws.rds.Instance).options.protect).toBe(true);
    const vault = plan.find("aws:backup/vault:Vault");
    expect(vault.options.protect).toBe(true);
    expect(plan.find("aws:backup/selection:Selection").inputs.resources).toEqual([plan.find(aws.rds.Instance).outputs.arn, plan.find(aws.s3.Bucket, "assets").outputs.arn]);
    plan.resourceCountIs(aws.ec2.NatGateway, 3);
  });
});
