export * from "./detection-entry";
export * from "./platform";
