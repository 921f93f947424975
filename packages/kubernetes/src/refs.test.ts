import { secretLocationProblems, secretReference } from "./refs";

describe("secretReference", () => {
  it("names the Secret and key the variable is read from", () => {
    expect(secretReference("DATABASE_URL", "postgres-app", "DATABASE_URL")).toEqual({ envName: "DATABASE_URL", location: { secretName: "postgres-app", key: "DATABASE_URL" } });
  });
});

describe("secretLocationProblems", () => {
  it.each([
    ["postgres-app", "DATABASE_URL"],
    ["stripe-key", "value"],
    ["a.b", "k_1.-x"],
  ])("accepts Secret %s key %s", (secretName, key) => {
    expect(secretLocationProblems("secrets[0].location", { secretName, key })).toEqual([]);
  });

  it.each([
    ["Upper", "value", ["secrets[0].location.secretName"]],
    ["stripe-key", "a/b", ["secrets[0].location.key"]],
    ["arn:aws:secretsmanager:x", "", ["secrets[0].location.secretName", "secrets[0].location.key"]],
  ])("reports Secret %j key %j at %j", (secretName, key, paths) => {
    expect(secretLocationProblems("secrets[0].location", { secretName, key }).map((p) => p.path)).toEqual(paths);
  });
});
