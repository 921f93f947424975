/** The infrastructure specification: schema, resolved types, resolution, rules and loading. */
export * from "./schema";
export * from "./types";
export { envSecretProblems, imageTag, networkCidrProblems, replicaProblems, secretEnvName } from "./rules";
export { loadSpec, parseSpec, parseSpecText, type SpecSource } from "./load";
