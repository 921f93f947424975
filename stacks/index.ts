// Entry point of the `polycloud` Pulumi project (see Pulumi.yaml): the stack outputs are the Platform's.
import { stackProgram } from "./program";

export = stackProgram();
