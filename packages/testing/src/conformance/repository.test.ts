import { join } from "node:path";
import { repositorySpecs } from "./repository";

describe("repositorySpecs", () => {
  it("lists every stack and example spec of the repository, and previews the production ones", () => {
    const cases = repositorySpecs(join(__dirname, "..", "..", "..", ".."), { "aws:region": "eu-west-1" });
    expect(cases.map((c) => [c.name, c.preview])).toEqual(
      expect.arrayContaining([
        ["stacks/dev.yaml", false],
        ["stacks/staging.yaml", false],
        ["stacks/prod.yaml", true],
        ["examples/multi-cloud/specs/storefront.yaml", expect.any(Boolean)],
      ]),
    );
    expect(cases.every((c) => c.preview === (c.spec.environment === "production") && c.config?.["aws:region"] === "eu-west-1")).toBe(true);
  });
});
