import type { Generator, InvokeDefault } from "./common";
import { hex } from "./common";
export const awsResource: Generator = (req) => ({ id: req.id ?? `${req.name}-${hex(req.urn, 8)}`, outputs: {} });
export const awsInvokes: Record<string, InvokeDefault> = {};
