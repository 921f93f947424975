/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack node_modules/@polycloud/policy/crossguard`.
 * This entry constructs the PolicyPack, which starts the analyzer server: import it only from a
 * policy pack directory, never from a program or a test (use `./mapping` there).
 */
import { PolicyPack } from "@pulumi/policy";
import { toPolicies } from "./mapping";

new PolicyPack("polycloud", { policies: toPolicies() });
