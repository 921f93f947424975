/**
 * @polycloud/testing: run Pulumi programs on mocks with realistic provider outputs, inspect the
 * recorded plan, and assert on it with CDK-style matchers.
 */
export { runProgram, secretConfig } from "./run-program";
export type { ConfigPlainValue, ConfigValue, MockArgs, MockHandler, Program, RunOptions, SecretConfig } from "./run-program";
export { Plan, tokenOf } from "./plan";
export type {
  InputsOf,
  OutputsOf,
  PlanJson,
  PlanResourceJson,
  ResourceClass,
  ResourceOf,
  ResourceQuery,
  TypeSelector,
} from "./plan";
export { Capture, Match, Matcher, matchValue } from "./match";
export type { MatchContext, MatchResult, Mismatch, Pattern } from "./match";
export { AssertionError, ProgramHangError } from "./errors";
/** Bad input to the harness (options, mock answers): the one error class for bad input in polycloud. */
export { PolycloudError } from "@polycloud/core";
export { isUnknown, REDACTED, UNKNOWN } from "./values";
export { defaultInvokeTokens, HARNESS_DEFAULTS } from "./defaults";
export type { Unknown } from "./values";
export type { PropertyBag, ProviderName, RecordedAlias, RecordedInvoke, RecordedLog, RecordedOptions, RecordedResource } from "./types";
