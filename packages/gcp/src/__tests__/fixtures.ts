/** Shared fixtures of the Google Cloud tests: the stack config a real stack has, and building a model on the mocks. */
import * as pulumi from "@pulumi/pulumi";
import { buildModel, parseSpec, type AppModel, type SpecInput } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { backend } from "../backend";

/** What a real stack is given: the project and region of the provider. */
export const GCP_CONFIG = { "gcp:project": "acme-shop", "gcp:region": "europe-west1" } as const;

export const gcpModel = (spec: SpecInput, config: Record<string, string> = {}): AppModel<"gcp"> => buildModel(parseSpec(spec), "gcp", config);

/** Plans a model on the backend (an update unless `preview`). */
export function planModel(model: AppModel<"gcp">, options: { preview?: boolean; secretValues?: Record<string, string>; config?: Record<string, string> } = {}): Promise<Plan> {
  return runProgram(
    () => {
      const root = new pulumi.ComponentResource("polycloud:index:Platform", model.app);
      const secretValues = Object.fromEntries(Object.entries(options.secretValues ?? {}).map(([name, value]) => [name, pulumi.secret(value)]));
      const built = backend.build(model, root, { secretValues });
      return { urls: built.services.map((s) => s.url), alerts: built.monitoring.alertCount, dns: built.dnsRecords };
    },
    { provider: "gcp", config: { ...GCP_CONFIG, ...options.config }, stack: model.environment, preview: options.preview ?? false },
  );
}

/** Runs a program of components under the mocks with the stack config a real stack has. */
export function planOf(program: () => unknown, options: { preview?: boolean; config?: Record<string, string> } = {}): Promise<Plan> {
  return runProgram(program, { provider: "gcp", config: { ...GCP_CONFIG, ...options.config }, preview: options.preview ?? false });
}

/** The spec's network section, resolved (what components take). */
export const NETWORK = parseSpec({ name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0" } } }).network;

/** The PolycloudError `fn` throws, as its problem lines. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error && "problems" in error) return (error as { problems: { path: string; message: string }[] }).problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error("expected a PolycloudError");
}
