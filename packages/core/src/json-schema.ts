import { z } from "zod";
import { SpecSchema } from "./spec";

/** JSON Schema of spec files (the input shape), for editors: generated from the zod schema, never by hand. */
export function specJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(SpecSchema, { io: "input", target: "draft-2020-12" }),
    $id: "https://polycloud.dev/schema/polycloud-spec.schema.json",
    title: "polycloud infrastructure specification",
  };
}
