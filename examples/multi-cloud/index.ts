// Entry point of the multi-cloud Pulumi program (see Pulumi.yaml).
import { multiCloud } from "./program";

export = multiCloud();
