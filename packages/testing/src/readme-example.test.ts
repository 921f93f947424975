// The package README's example, kept runnable: if this breaks, the README is wrong.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Match, runProgram } from "./index";
import "./jest";

/** A tiny static website, standing in for the README's `./website` module. */
class Website extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  constructor(name: string, args: { domain: string }, opts?: pulumi.ComponentResourceOptions) {
    super("example:index:Website", name, {}, opts);
    const content = new aws.s3.Bucket(`${name}-content`, {}, { parent: this, protect: true });
    new aws.s3.BucketPublicAccessBlock(`${name}-content`, { bucket: content.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { parent: this });
    new aws.s3.BucketPolicy(`${name}-content`, {
      bucket: content.id,
      policy: content.arn.apply((arn) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": false } } }] }),
      ),
    }, { parent: this });
    const cdn = new aws.cloudfront.Distribution(`${name}-cdn`, {
      enabled: true,
      aliases: [args.domain],
      origins: [{ originId: "s3", domainName: content.bucketRegionalDomainName }],
      defaultCacheBehavior: { targetOriginId: "s3", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    }, { parent: this });
    this.url = pulumi.interpolate`https://${cdn.domainName}`;
    this.registerOutputs({ url: this.url });
  }
}

describe("Website", () => {
  it("serves only over TLS from a private, protected bucket", async () => {
    const plan = await runProgram(() => ({ url: new Website("site", { domain: "example.com" }).url }), {
      config: { "aws:region": "eu-west-1" },
    });

    expect(plan).toHaveResource(aws.s3.BucketPublicAccessBlock, { blockPublicAcls: true, restrictPublicBuckets: true });
    expect(plan).toHaveResource(aws.s3.BucketPolicy, {
      policy: Match.serializedJson(
        Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": false } } })]),
        }),
      ),
    });
    expect(plan.find(aws.s3.Bucket, "site-content")).toHaveOptions({ protect: true });
    expect(plan.outputs.url).toMatch(/^https:\/\/d[a-z0-9]+\.cloudfront\.net$/);
  });
});
