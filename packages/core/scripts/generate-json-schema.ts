// Writes schema/polycloud-spec.schema.json from the zod schema. A test fails when the file is stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { specJsonSchema } from "../src/json-schema";

const file = join(__dirname, "..", "schema", "polycloud-spec.schema.json");
writeFileSync(file, `${JSON.stringify(specJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
