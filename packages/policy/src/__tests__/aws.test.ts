import { awsRules } from "../rules";
import { awsFixtures } from "./fixtures/aws";
import { describeRules } from "./fixture-suite";

describe("AWS rules", () => describeRules("aws", awsRules, awsFixtures));
