export * from "./detection";
export * from "./file-probe";
export * from "./backends";
export * from "./platform";
