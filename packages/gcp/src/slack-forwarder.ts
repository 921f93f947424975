/**
 * Slack routes: Cloud Monitoring's own Slack channels need a Slack app's OAuth token, and the spec gives
 * incoming-webhook URLs. Alerts of a severity with Slack routes go to a Pub/Sub notification channel; a
 * small Cloud Run function (2nd gen Cloud Functions) posts each incident to that severity's webhooks. The
 * webhook URLs are credentials: they live in a Secret Manager secret, never in the function's plain
 * environment. Topic, secret and source bucket are encrypted with the monitoring key.
 */
import * as cloudfunctionsv2 from "@pulumi/gcp/cloudfunctionsv2";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import type * as kms from "@pulumi/gcp/kms";
import * as monitoring from "@pulumi/gcp/monitoring";
import * as organizations from "@pulumi/gcp/organizations";
import * as pubsub from "@pulumi/gcp/pubsub";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import type { ComponentDefaults, Severity } from "@polycloud/core";
import { labelsOf, nameOf, serviceAgentMember } from "./common";
import { createSecret, grantSecretRead } from "./secrets";

/** The function: one incident in, one Slack message per webhook of its severity out. */
export const FORWARDER_SOURCE = `const functions = require("@google-cloud/functions-framework");
const webhooks = JSON.parse(process.env.SLACK_WEBHOOKS || "{}");
functions.cloudEvent("forward", async (event) => {
  const body = JSON.parse(Buffer.from(event.data.message.data, "base64").toString("utf8"));
  const incident = body.incident || {};
  const severity = (incident.policy_user_labels || {}).severity || "critical";
  const state = incident.state === "closed" ? "RESOLVED" : "FIRING";
  const text = "[" + severity + "] " + state + ": " + (incident.policy_name || "alert") + " " + (incident.summary || "") + " " + (incident.url || "");
  for (const url of webhooks[severity] || []) {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
    if (!response.ok) throw new Error("Slack answered " + response.status);
  }
});
`;

export interface SlackForwarderArgs {
  readonly defaults: ComponentDefaults;
  readonly region: string;
  readonly key: kms.CryptoKey;
  /** Resources the encrypted children wait for (the key's grants). */
  readonly keyGrants: readonly pulumi.Resource[];
  /** Webhook URLs by severity. */
  readonly webhooks: Readonly<Partial<Record<Severity, readonly string[]>>>;
}

export interface SlackForwarder {
  /** The Pub/Sub notification channel of each severity with Slack routes. */
  readonly channels: Partial<Record<Severity, monitoring.NotificationChannel>>;
  readonly function: cloudfunctionsv2.Function;
}

export function createSlackForwarder(name: string, args: SlackForwarderArgs, parent: pulumi.Resource): SlackForwarder {
  const opts = { parent };
  const afterKey = { parent, dependsOn: [...args.keyGrants] };
  const labels = labelsOf(args.defaults);
  // Messages are stored in the key's region (a publish from elsewhere is routed there, not refused).
  const topic = new pubsub.Topic(`${name}-slack`, { name: nameOf(args.defaults, "resource", "alerts-slack"), kmsKeyName: args.key.id, labels, messageStoragePolicy: { allowedPersistenceRegions: [args.region] } }, afterKey);
  new pubsub.TopicIAMMember(`${name}-slack-publisher`, { topic: topic.id, role: "roles/pubsub.publisher", member: serviceAgentMember(parent, "monitoringNotification") }, opts);
  const channels: Partial<Record<Severity, monitoring.NotificationChannel>> = {};
  for (const [severity, urls] of Object.entries(args.webhooks) as [Severity, readonly string[]][]) {
    if (urls.length === 0) continue;
    channels[severity] = new monitoring.NotificationChannel(
      `${name}-${severity}-slack`,
      { type: "pubsub", displayName: `${args.defaults.app} ${severity} alerts to Slack`, labels: { topic: topic.id }, userLabels: { ...labels, severity } },
      opts,
    );
  }
  const secret = createSecret(
    `${name}-slack-webhooks`,
    { secretId: nameOf(args.defaults, "secretId", "slack-webhooks"), region: args.region, kmsKeyName: args.key.id, labels, value: JSON.stringify(args.webhooks), dependsOn: [...args.keyGrants] },
    opts,
  );
  const account = new serviceaccount.Account(`${name}-slack-sa`, { accountId: nameOf(args.defaults, "serviceAccount", "alerts-slack"), displayName: "Slack alert forwarder", description: "Reads the Slack webhooks, receives alert events" }, opts);
  const read = grantSecretRead(`${name}-slack-webhooks-read`, secret.secret.id, account.member, parent);
  const source = new storage.Bucket(
    `${name}-slack-source`,
    {
      name: nameOf(args.defaults, "gcsBucket", "alerts-slack-source"),
      location: args.region.toUpperCase(),
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      encryption: { defaultKmsKeyName: args.key.id },
      labels,
    },
    afterKey,
  );
  const archive = new storage.BucketObject(
    `${name}-slack-source`,
    {
      bucket: source.name,
      name: "slack-forwarder.zip",
      source: new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.StringAsset(FORWARDER_SOURCE),
        "package.json": new pulumi.asset.StringAsset(JSON.stringify({ name: "slack-forwarder", version: "1.0.0", main: "index.js", dependencies: { "@google-cloud/functions-framework": "^3.4.0" } })),
      }),
    },
    opts,
  );
  const project = organizations.getProjectOutput({}, { parent }).apply((p) => p.projectId ?? "");
  const fn = new cloudfunctionsv2.Function(
    `${name}-slack-forwarder`,
    {
      name: nameOf(args.defaults, "cloudRunService", "alerts-slack"),
      location: args.region,
      description: "Posts Cloud Monitoring incidents to Slack incoming webhooks",
      labels,
      buildConfig: { runtime: "nodejs22", entryPoint: "forward", source: { storageSource: { bucket: source.name, object: archive.name } } },
      serviceConfig: {
        maxInstanceCount: 2,
        availableMemory: "256M",
        timeoutSeconds: 60,
        ingressSettings: "ALLOW_INTERNAL_ONLY",
        serviceAccountEmail: account.email,
        secretEnvironmentVariables: [{ key: "SLACK_WEBHOOKS", projectId: project, secret: secret.secret.secretId, version: "latest" }],
      },
      eventTrigger: { triggerRegion: args.region, eventType: "google.cloud.pubsub.topic.v1.messagePublished", pubsubTopic: topic.id, retryPolicy: "RETRY_POLICY_RETRY", serviceAccountEmail: account.email },
    },
    { parent, dependsOn: [read] },
  );
  // The trigger invokes the function's service as the forwarder's own account.
  new cloudrunv2.ServiceIamMember(`${name}-slack-invoker`, { name: fn.name, location: args.region, role: "roles/run.invoker", member: account.member }, opts);
  return { channels, function: fn };
}
