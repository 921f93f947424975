import { azureRules } from "../rules";
import { azureFixtures } from "./fixtures/azure";
import { describeRules } from "./fixture-suite";

describe("Azure rules", () => describeRules("azure", azureRules, azureFixtures));
