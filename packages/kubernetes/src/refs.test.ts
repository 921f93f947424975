import { parseSecretRef, secretRef } from "./refs";

describe("parseSecretRef", () => {
  it.each([
    ["postgres-app/DATABASE_URL", { name: "postgres-app", key: "DATABASE_URL" }],
    ["stripe-key/value", { name: "stripe-key", key: "value" }],
    [secretRef("a.b", "k_1"), { name: "a.b", key: "k_1" }],
  ])("splits %s", (ref, expected) => {
    expect(parseSecretRef(ref)).toEqual(expected);
  });
  it.each(["no-key", "/value", "Upper/value", "a/b/c", "arn:aws:secretsmanager:x"])("throws for %s", (ref) => {
    expect(() => parseSecretRef(ref)).toThrow(/is not "<secret name>\/<key>"/);
  });
});
