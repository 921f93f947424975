// The conformance suite on the AWS backend: every stack and example spec, and the generated
// variants; and proof that a backend which breaks one guarantee fails it by name.
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec, type AppModel } from "@polycloud/core";
import { conformanceCorpus, repositorySpecs, richSpec, runConformanceCase, type ConformanceSubject } from "@polycloud/testing/conformance";
import { describeConformance } from "@polycloud/testing/conformance/jest";
import { backend } from "./backend";
import { conformanceReader, conformanceWaivers } from "./conformance";

const subject: ConformanceSubject = { backend, reader: conformanceReader, waivers: conformanceWaivers };
// What a real AWS stack is given: the hosted zone (validation and alias records), a second region for backup copies.
const config = { "polycloud:aws.hostedZoneId": "Z0123456789ABCDEFGHIJ", "polycloud:aws.backupRegion": "us-west-2" };

describeConformance("the AWS backend", subject, conformanceCorpus(repositorySpecs(join(__dirname, "..", "..", ".."), config), config));

/** The backend with a Pulumi transformation over everything it creates. */
function broken(transformation: pulumi.ResourceTransformation): ConformanceSubject {
  return {
    ...subject,
    backend: {
      ...backend,
      build: (model, parent, options) => backend.build(model as AppModel<"aws">, new pulumi.ComponentResource("test:conformance:Broken", "broken", {}, { parent, transformations: [transformation] }), options),
    },
  };
}

describe("a deliberately broken AWS backend", () => {
  // One plan breaks three guarantees at once (plans are costly); each must be reported by name.
  it("fails encryption, reachability and bucket access by name when a key, a rule and a grant are broken", async () => {
    const tampered = broken((args) => {
      const change = (props: Record<string, unknown>) => ({ props: { ...args.props, ...props }, opts: args.opts });
      // A secret without its customer-managed key.
      if (args.type === "aws:secretsmanager/secret:Secret" && args.name.endsWith("signing-key")) return change({ kmsKeyId: undefined });
      // The rule that lets the worker reach the database, pointed elsewhere.
      if (args.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && /database-from-worker/.test(args.name)) return change({ referencedSecurityGroupId: undefined, cidrIpv4: "192.0.2.1/32" });
      // A read grant widened to writes.
      if (args.type === "aws:iam/rolePolicy:RolePolicy" && args.name.includes("web-task-role")) {
        return change({ policy: pulumi.output(args.props["policy"]).apply((text: string) => text.replace(/"s3:GetObject"/g, '"s3:GetObject","s3:PutObject"')) });
      }
      return undefined;
    });
    const report = await runConformanceCase(tampered, { name: "rich spec", spec: parseSpec(richSpec()), config, preview: false });
    if (report.outcome !== "checked") throw report.error;
    expect(report.violations.map((v) => `[${v.property}] ${v.message}`)).toEqual(
      expect.arrayContaining([
        "[encryption] secret signing-key is not encrypted with a key the stack controls",
        "[reachability] service worker cannot reach database, although the model grants it",
        "[reachability] anywhere can reach database, which the model does not grant",
        "[bucket-access] service web readwrite bucket reports is allowed, which the model does not grant",
      ]),
    );
  });
});
