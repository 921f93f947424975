/** The application model: what a spec means on any backend. */
export * from "./types";
export * from "./build";
export * from "./escalation";
