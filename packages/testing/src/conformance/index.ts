/**
 * @polycloud/testing/conformance: the suite that holds every backend to the same guarantees over the
 * same specs. A backend provides a reader (its plan -> an {@link Observation}); the suite builds each
 * spec of a corpus into the application model, plans it on the backend, and compares.
 */
export * from "./observation";
