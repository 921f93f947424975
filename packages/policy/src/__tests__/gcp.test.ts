import { gcpRules } from "../rules";
import { gcpFixtures } from "./fixtures/gcp";
import { describeRules } from "./fixture-suite";

describe("Google Cloud rules", () => describeRules("gcp", gcpRules, gcpFixtures));
