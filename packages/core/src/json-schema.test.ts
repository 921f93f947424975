import { readFileSync } from "node:fs";
import { join } from "node:path";
import { specJsonSchema } from "./json-schema";

describe("specJsonSchema", () => {
  it("matches the shipped schema file (run `pnpm --filter @polycloud/core generate` after changing the spec)", () => {
    const shipped = JSON.parse(readFileSync(join(__dirname, "..", "schema", "polycloud-spec.schema.json"), "utf8"));
    expect(shipped).toEqual(specJsonSchema());
  });

  it("forbids unknown fields and requires name and services, as the validator does", () => {
    const schema = specJsonSchema() as { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.required).toEqual(["name", "services"]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toContain("slo");
  });
});
