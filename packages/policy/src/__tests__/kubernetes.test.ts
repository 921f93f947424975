import { kubernetesRules } from "../rules";
import { kubernetesFixtures } from "./fixtures/kubernetes";
import { describeRules } from "./fixture-suite";

describe("Kubernetes rules", () => describeRules("kubernetes", kubernetesRules, kubernetesFixtures));
