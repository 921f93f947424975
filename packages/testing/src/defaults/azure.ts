import type { Generator, InvokeDefault } from "./common";
import { hex } from "./common";
export const azureResource: Generator = (req) => ({ id: req.id ?? `${req.name}-${hex(req.urn, 8)}`, outputs: {} });
export const azureInvokes: Record<string, InvokeDefault> = {};
