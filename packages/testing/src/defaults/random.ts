import type { Generator } from "./common";
import { hex } from "./common";
export const randomResource: Generator = (req) => ({ id: req.id ?? `${req.name}-${hex(req.urn, 8)}`, outputs: {} });
