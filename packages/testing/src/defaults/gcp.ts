import type { Generator, InvokeDefault } from "./common";
import { hex } from "./common";
export const gcpResource: Generator = (req) => ({ id: req.id ?? `${req.name}-${hex(req.urn, 8)}`, outputs: {} });
export const gcpInvokes: Record<string, InvokeDefault> = {};
