/** Every rule, by cloud. */
import type { Rule } from "../types";
import { awsRules } from "./aws";
import { azureRules } from "./azure";
import { gcpRules } from "./gcp";
import { kubernetesRules } from "./kubernetes";

export { awsRules, azureRules, gcpRules, kubernetesRules };

/** All rules of the pack, in a stable order (by cloud, then as declared). */
export const rules: readonly Rule[] = [...awsRules, ...azureRules, ...gcpRules, ...kubernetesRules];
