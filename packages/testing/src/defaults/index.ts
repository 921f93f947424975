/** Picks the default outputs and invoke answers for a type token. */
import type { ProviderName } from "../types";
import { awsInvokes, awsResource, DEFAULT_AWS_ACCOUNT, DEFAULT_AWS_REGION } from "./aws";
import { azureInvokes, azureResource, DEFAULT_LOCATION, DEFAULT_SUBSCRIPTION, DEFAULT_TENANT } from "./azure";
import type { Generated, Generator, InvokeDefault, ResourceRequest } from "./common";
import { hex, uuid } from "./common";
import { DEFAULT_GCP_PROJECT, DEFAULT_GCP_REGION, gcpInvokes, gcpResource } from "./gcp";
import { kubernetesResource } from "./kubernetes";
import { randomResource } from "./random";

export type { DefaultsEnv, Generated, ResourceRequest } from "./common";

/** What the harness assumes when config does not say: assert against these in tests. */
export const HARNESS_DEFAULTS = {
  aws: { accountId: DEFAULT_AWS_ACCOUNT, region: DEFAULT_AWS_REGION },
  azure: { subscriptionId: DEFAULT_SUBSCRIPTION, tenantId: DEFAULT_TENANT, location: DEFAULT_LOCATION },
  gcp: { project: DEFAULT_GCP_PROJECT, region: DEFAULT_GCP_REGION },
  kubernetes: { namespace: "default" },
} as const;

/** The cloud a type token belongs to, from its package prefix. */
export function providerOfToken(type: string): ProviderName | undefined {
  const pkg = type.startsWith("pulumi:providers:") ? type.slice("pulumi:providers:".length) : type.split(":")[0];
  switch (pkg) {
    case "aws":
      return "aws";
    case "azure-native":
      return "azure";
    case "gcp":
    case "google-native":
      return "gcp";
    case "kubernetes":
      return "kubernetes";
    default:
      return undefined;
  }
}

const GENERATORS: Record<string, Generator> = {
  aws: awsResource,
  "azure-native": azureResource,
  gcp: gcpResource,
  kubernetes: kubernetesResource,
  random: randomResource,
};

/** Default outputs for a custom resource. */
export function defaultResource(req: ResourceRequest): Generated {
  if (req.type.startsWith("pulumi:providers:")) {
    return { id: uuid(req.urn), outputs: {} };
  }
  if (req.type === "pulumi:pulumi:StackReference") {
    return { id: String(req.inputs["name"] ?? req.name), outputs: { outputs: {}, secretOutputNames: [] } };
  }
  const pkg = req.type.split(":")[0] ?? "";
  const generator = GENERATORS[pkg];
  if (generator !== undefined) return generator(req);
  return { id: req.id ?? `${req.name}-${hex(req.urn, 8)}`, outputs: {} };
}

const INVOKES: Record<string, InvokeDefault> = { ...awsInvokes, ...azureInvokes, ...gcpInvokes };

/** The built-in answer for an invoke token, if there is one. */
export function defaultInvoke(token: string): InvokeDefault | undefined {
  return INVOKES[token];
}

/** The invoke tokens answered out of the box. */
export function defaultInvokeTokens(): string[] {
  return Object.keys(INVOKES).sort();
}
