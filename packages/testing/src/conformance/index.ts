/**
 * @polycloud/testing/conformance: the suite that holds every backend to the same guarantees over the
 * same specs. A backend provides a reader (its plan -> an {@link Observation}); the suite builds each
 * spec of a corpus into the application model, plans it on the backend as a preview and as an update,
 * and compares what was built with what the model says. The Jest wrapper, `describeConformance`, is
 * `@polycloud/testing/conformance/jest`, so readers can import these types without Jest's globals.
 */
export * from "./observation";
export { checkObservation, checkPreviewEqualsUpdate, checkSecretValues, refKey, routeEndpoint, type Violation } from "./check";
export { formatViolations, runConformanceCase, type CaseReport, type ConformanceCase, type ConformanceSubject } from "./run";
export { conformanceCorpus, richSpec, VARIANTS } from "./corpus";
export { repositorySpecs } from "./repository";
export { ModelComponents, ownerKey, type ComponentOwner } from "./components";
