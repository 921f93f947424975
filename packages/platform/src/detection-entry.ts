/**
 * `@polycloud/platform/detection`: detection and the backend registry without the Platform facade,
 * so tools that only decide or validate (the CLI's `detect`, `validate`, `--help`) load no Pulumi.
 */
export * from "./detection";
export * from "./file-probe";
export * from "./backends";
