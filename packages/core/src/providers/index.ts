/** Backends as core sees them: their options, their limits, AWS's size tables, and polycloud's stack config. */
export * from "./options";
export * from "./capabilities";
export * from "./config";
export * from "./aws-sizes";
