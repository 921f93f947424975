/**
 * Running the suite: each case's spec is built into the application model for the backend's
 * provider, planned on the backend as an update (and as a preview, unless the case says otherwise)
 * with a distinctive value for every spec secret, read back by the backend's reader, and checked.
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { buildModel, PolycloudError, type AppModel, type Backend, type ResolvedSpec } from "@polycloud/core";
import { runProgram } from "../run-program";
import type { Plan } from "../plan";
import { checkObservation, checkPreviewEqualsUpdate, checkSecretValues, type Violation } from "./check";
import type { ConformanceReader, Observation, Waiver } from "./observation";

/** One spec of the corpus, with the stack config it is planned with. */
export interface ConformanceCase {
  readonly name: string;
  readonly spec: ResolvedSpec;
  /** Stack config, e.g. backend options (`polycloud:aws.backupRegion`). @default {} */
  readonly config?: Readonly<Record<string, string>>;
  /** Also plan it as a preview and require the same resources as an update. @default true */
  readonly preview?: boolean;
}

/** The backend under test. */
export interface ConformanceSubject {
  readonly backend: Backend;
  readonly reader: ConformanceReader;
  /** Guarantees the backend cannot give, with reasons. @default [] */
  readonly waivers?: readonly Waiver[];
}

/** What one case showed. */
export type CaseReport =
  | { readonly outcome: "refused"; readonly error: PolycloudError }
  | {
      readonly outcome: "checked";
      readonly model: AppModel;
      readonly observation: Observation;
      readonly violations: readonly Violation[];
      readonly plan: Plan;
    };

class ConformanceRoot extends pulumi.ComponentResource {
  constructor(name: string) {
    super("polycloud:conformance:Root", name, {});
  }
}

/**
 * Plans one case on the backend and checks every property. A spec the provider cannot build is
 * `refused` (the model's PolycloudError), never half-planned.
 */
export async function runConformanceCase(subject: ConformanceSubject, testCase: ConformanceCase): Promise<CaseReport> {
  const { backend } = subject;
  let model: AppModel;
  try {
    model = buildModel(testCase.spec, backend.provider, testCase.config ?? {});
  } catch (error) {
    if (error instanceof PolycloudError) return { outcome: "refused", error };
    throw error;
  }
  // Distinctive values, so any copy of one in the plan is found.
  const values = Object.fromEntries(Object.keys(model.secrets).map((name) => [name, `conformance-${name}-${randomBytes(8).toString("hex")}`]));
  const program = () => {
    const root = new ConformanceRoot(model.app);
    backend.build(model, root, { secretValues: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, pulumi.secret(value)])) });
  };
  const options = { provider: backend.provider, config: { ...testCase.config }, stack: model.environment, timeoutMs: 30_000 };
  const update = await runProgram(program, options);
  const preview = testCase.preview === false ? undefined : await runProgram(program, { ...options, preview: true });
  const observation = subject.reader(update, model);
  return {
    outcome: "checked",
    model,
    observation,
    plan: update,
    violations: [...checkObservation(model, observation, subject.waivers), ...checkSecretValues(update, Object.values(values)), ...(preview === undefined ? [] : checkPreviewEqualsUpdate(preview, update))],
  };
}

/** The report of a case as one message: every violation on its own line, by property. */
export function formatViolations(testCase: Pick<ConformanceCase, "name">, violations: readonly Violation[]): string {
  return [`${testCase.name}: ${violations.length} conformance violation(s)`, ...violations.map((v) => `  - [${v.property}] ${v.message}`)].join("\n");
}
