import { programWarnings } from "./plan";

describe("programWarnings", () => {
  it("keeps warnings and marked errors, once each, and drops info when components log", () => {
    expect(
      programWarnings([
        { severity: "error", message: "no route to the database", urn: "urn:pulumi:dev::shop::polycloud:kubernetes:Database::shop-db" },
        { severity: "info", message: "planning shop" },
        { severity: "warning", message: "one replica only" },
        { severity: "warning", message: "one replica only" },
      ]),
    ).toEqual(["error: no route to the database", "one replica only"]);
  });
});
