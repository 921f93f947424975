/**
 * What every Google Cloud component shares: labels (core's GCP label rules), physical names (core's
 * naming rules), the region, and the service agents that use customer-managed keys on our behalf.
 */
import * as pulumi from "@pulumi/pulumi";
import * as organizations from "@pulumi/gcp/organizations";
import { normalizeTags, physicalName, PolycloudError, type ComponentDefaults, type NameKind } from "@polycloud/core";

/** Labels of every labelled child: the user's tags normalised to GCP's rules, with managed-by, app and environment. */
export function labelsOf(defaults: ComponentDefaults, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return normalizeTags("gcp", { ...defaults.tags, ...extra }, { app: defaults.app, environment: defaults.environment });
}

/** A physical name `<app>-<env>-<name>` obeying the kind's rule. */
export function nameOf(defaults: ComponentDefaults, kind: NameKind<"gcp">, name?: string): string {
  return physicalName("gcp", kind, { app: defaults.app, environment: defaults.environment, ...(name === undefined ? {} : { name }) });
}

/** The region of a component: its `region` arg, else the provider's `gcp:region`. */
export function regionOf(region: string | undefined, what: string): string {
  const resolved = region ?? (new pulumi.Config("gcp").get("region") || undefined);
  if (resolved === undefined) {
    throw new PolycloudError([{ path: "region", message: `is not set, and ${what} is regional`, fix: "set providers.gcp.region (stack config polycloud:gcp.region), stack config gcp:region, or the component's region" }]);
  }
  return resolved;
}

/** Google-managed service agents, by the API they act for: they use our keys to encrypt that API's data. */
export const SERVICE_AGENT_DOMAINS = {
  storage: "gs-project-accounts.iam.gserviceaccount.com",
  sql: "gcp-sa-cloud-sql.iam.gserviceaccount.com",
  redis: "cloud-redis.iam.gserviceaccount.com",
  secretManager: "gcp-sa-secretmanager.iam.gserviceaccount.com",
  pubsub: "gcp-sa-pubsub.iam.gserviceaccount.com",
  monitoringNotification: "gcp-sa-monitoring-notification.iam.gserviceaccount.com",
  logging: "gcp-sa-logging.iam.gserviceaccount.com",
} as const;
export type ServiceAgent = keyof typeof SERVICE_AGENT_DOMAINS;

/** The IAM member of a project's service agent: `serviceAccount:service-<project number>@<domain>`. */
export function serviceAgentMember(parent: pulumi.Resource, agent: ServiceAgent): pulumi.Output<string> {
  return organizations.getProjectOutput({}, { parent }).number.apply((number) => `serviceAccount:service-${number}@${SERVICE_AGENT_DOMAINS[agent]}`);
}
