/**
 * Rollback on alerts: while a canary or blue-green candidate is not promoted, an alert policy watches the
 * candidate revision's 5xx ratio against the SLO's error rate. Its incidents go to a Pub/Sub notification
 * channel that triggers a small function (2nd gen Cloud Functions, as the Slack forwarder), which sets
 * the service's traffic back to 100% on the stable revision through the Cloud Run Admin API. The function
 * runs as a service account of its own that may only get and update that one service (and act as the
 * service's identity, which every service update requires).
 *
 * The policy names its service and the revision to restore in its user labels, which Cloud Monitoring
 * copies into each incident; the function acts only on its own service, and only for a revision of it.
 */
import * as cloudfunctionsv2 from "@pulumi/gcp/cloudfunctionsv2";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as monitoring from "@pulumi/gcp/monitoring";
import * as pubsub from "@pulumi/gcp/pubsub";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import type { ComponentDefaults } from "@polycloud/core";
import { revisionErrorRatio } from "./alerts";
import { nameOf, serviceAgentMember } from "./common";
import { inRollout } from "./rollout";

/** Minutes the candidate's 5xx ratio must stay above the SLO's error rate before traffic goes back. */
export const ROLLBACK_AFTER_MINUTES = 2;

/**
 * The function. `rollbackRequest(body, service)` is the decision, a pure function: for an open incident
 * of a policy naming this service and one of its revisions, the service's Admin API URL and the traffic
 * to set; anything else, null. The handler reads the service, sets that traffic and writes it back with
 * the etag it read (a concurrent change fails the write, and Pub/Sub retries).
 */
export const ROLLBACK_SOURCE = `const functions = require("@google-cloud/functions-framework");
const API = "https://run.googleapis.com/v2/";

function rollbackRequest(body, service) {
  const incident = (body && body.incident) || {};
  const labels = incident.policy_user_labels || {};
  const name = String(service).split("/").pop();
  const stable = labels.rollback_to;
  if (incident.state !== "open" || labels.rollback_service !== name) return null;
  if (typeof stable !== "string" || !/^[a-z0-9-]+$/.test(stable) || stable.indexOf(name + "-") !== 0) return null;
  return { url: API + service, traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: stable, percent: 100 }] };
}

async function call(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(url + " answered " + response.status + ": " + (await response.text()));
  return response.json();
}

async function rollback(event) {
  const body = JSON.parse(Buffer.from(event.data.message.data, "base64").toString("utf8"));
  const request = rollbackRequest(body, process.env.SERVICE);
  if (request === null) return;
  const token = await call("http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token", { headers: { "Metadata-Flavor": "Google" } });
  const headers = { authorization: "Bearer " + token.access_token, "content-type": "application/json" };
  const service = await call(request.url, { headers });
  await call(request.url, { method: "PATCH", headers, body: JSON.stringify(Object.assign({}, service, { traffic: request.traffic })) });
  console.log(JSON.stringify({ severity: "WARNING", message: "rolled back " + process.env.SERVICE + " to " + request.traffic[0].revision, incident: body.incident.url }));
}

functions.cloudEvent("rollback", rollback);
module.exports = { rollbackRequest, rollback };
`;

export interface RollbackArgs {
  readonly defaults: ComponentDefaults;
  readonly region: string;
  readonly labels: Record<string, string>;
  /** The spec's service name and its Cloud Run service. */
  readonly serviceName: string;
  readonly runName: string;
  readonly service: cloudrunv2.Service;
  /** The service's own account: updating the service needs permission to act as it. */
  readonly serviceAccount: serviceaccount.Account;
  /** The revision deployed and the stable one, when one is set. */
  readonly candidate: pulumi.Output<string>;
  readonly stable: string | undefined;
  /** The rollout is aborted: the stable revision already takes all traffic, so the policy stands down as after a promote. @default false */
  readonly aborted?: boolean;
  /** The SLO's error rate: the candidate's 5xx ratio above it rolls back. */
  readonly errorRatePercent: number;
}

export interface Rollback {
  readonly channel: monitoring.NotificationChannel;
  readonly function: cloudfunctionsv2.Function;
  /** The candidate's error-ratio policy, when a stable revision is set (enabled only while the candidate is not promoted). */
  readonly policy?: monitoring.AlertPolicy;
}

export function createRollback(name: string, args: RollbackArgs, parent: pulumi.Resource): Rollback {
  const opts = { parent };
  const { labels } = args;
  const topic = new pubsub.Topic(`${name}-rollback`, { name: nameOf(args.defaults, "resource", `${args.serviceName}-rollback`), labels, messageStoragePolicy: { allowedPersistenceRegions: [args.region] } }, opts);
  new pubsub.TopicIAMMember(`${name}-rollback-publisher`, { topic: topic.id, role: "roles/pubsub.publisher", member: serviceAgentMember(parent, "monitoringNotification") }, opts);
  const channel = new monitoring.NotificationChannel(`${name}-rollback`, { type: "pubsub", displayName: `${args.defaults.app} ${args.serviceName} rollback`, labels: { topic: topic.id }, userLabels: labels }, opts);

  const account = new serviceaccount.Account(
    `${name}-rollback-sa`,
    { accountId: nameOf(args.defaults, "serviceAccount", `${args.serviceName}-rollback`), displayName: `Rollback of Cloud Run service ${args.serviceName}`, description: "Sets the service's traffic back to its stable revision" },
    opts,
  );
  // Get and update this service only; an update of a service needs actAs on the identity it runs as.
  const grants = [
    new cloudrunv2.ServiceIamMember(`${name}-rollback-developer`, { name: args.service.name, location: args.service.location, role: "roles/run.developer", member: account.member }, opts),
    new serviceaccount.IAMMember(`${name}-rollback-act-as`, { serviceAccountId: args.serviceAccount.name, role: "roles/iam.serviceAccountUser", member: account.member }, opts),
  ];
  const source = new storage.Bucket(
    `${name}-rollback-source`,
    { name: nameOf(args.defaults, "gcsBucket", `${args.serviceName}-rollback-source`), location: args.region.toUpperCase(), uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", versioning: { enabled: true }, labels },
    opts,
  );
  const archive = new storage.BucketObject(
    `${name}-rollback-source`,
    {
      bucket: source.name,
      name: "rollback.zip",
      source: new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.StringAsset(ROLLBACK_SOURCE),
        "package.json": new pulumi.asset.StringAsset(JSON.stringify({ name: "rollback", version: "1.0.0", main: "index.js", dependencies: { "@google-cloud/functions-framework": "^3.4.0" } })),
      }),
    },
    opts,
  );
  const fn = new cloudfunctionsv2.Function(
    `${name}-rollback`,
    {
      name: nameOf(args.defaults, "cloudRunService", `${args.serviceName}-rollback`),
      location: args.region,
      description: `Sets ${args.runName}'s traffic back to its stable revision when the candidate's alert fires`,
      labels,
      buildConfig: { runtime: "nodejs22", entryPoint: "rollback", source: { storageSource: { bucket: source.name, object: archive.name } } },
      serviceConfig: {
        maxInstanceCount: 1,
        availableMemory: "256M",
        timeoutSeconds: 60,
        ingressSettings: "ALLOW_INTERNAL_ONLY",
        serviceAccountEmail: account.email,
        environmentVariables: { SERVICE: args.service.id },
      },
      eventTrigger: { triggerRegion: args.region, eventType: "google.cloud.pubsub.topic.v1.messagePublished", pubsubTopic: topic.id, retryPolicy: "RETRY_POLICY_RETRY", serviceAccountEmail: account.email },
    },
    { parent, dependsOn: grants },
  );
  // The trigger invokes the function's service as the function's own account.
  new cloudrunv2.ServiceIamMember(`${name}-rollback-invoker`, { name: fn.name, location: args.region, role: "roles/run.invoker", member: account.member }, opts);

  const stable = args.stable;
  if (stable === undefined) return { channel, function: fn };
  const title = `${args.defaults.app} ${args.serviceName}: new revision's 5xx ratio above ${args.errorRatePercent}%`;
  const aggregation = { alignmentPeriod: "60s", perSeriesAligner: "ALIGN_RATE", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.revision_name"] };
  const ratio = args.candidate.apply((candidate) => revisionErrorRatio(args.runName, candidate));
  const policy = new monitoring.AlertPolicy(
    `${name}-rollback`,
    {
      displayName: title,
      combiner: "OR",
      // Only while a rollout is in progress: once promoted, the candidate is the stable revision.
      enabled: args.candidate.apply((candidate) => args.aborted !== true && inRollout(candidate, stable)),
      conditions: [
        {
          displayName: `5xx ratio of the new revision above ${args.errorRatePercent}% for ${ROLLBACK_AFTER_MINUTES} minutes`,
          conditionThreshold: {
            filter: ratio.filter,
            denominatorFilter: ratio.denominatorFilter,
            aggregations: [aggregation],
            denominatorAggregations: [aggregation],
            comparison: "COMPARISON_GT",
            thresholdValue: args.errorRatePercent / 100,
            duration: `${ROLLBACK_AFTER_MINUTES * 60}s`,
          },
        },
      ],
      notificationChannels: [channel.id],
      documentation: { subject: title.slice(0, 255), content: `Traffic of ${args.runName} is set back to 100% on ${stable}. Fix the release, then deploy a new image.`, mimeType: "text/markdown" },
      alertStrategy: { autoClose: "1800s" },
      userLabels: { ...labels, alert: `${args.serviceName}-rollback`, rollback_service: args.runName, rollback_to: stable, rollback_from: args.candidate },
    },
    opts,
  );
  return { channel, function: fn, policy };
}
