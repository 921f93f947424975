// The same program as an ES module: named imports from the CommonJS build.
/* global console */
import assert from "node:assert/strict";
import { parseSpec } from "@polycloud/core";
import { runProgram } from "@polycloud/testing";
import { Network, WebService } from "@polycloud/kubernetes";

const spec = parseSpec({ name: "shop", services: { web: { image: "ghcr.io/acme/shop:1.0.0", public: true } } });

const plan = await runProgram(() => {
  const common = { app: spec.name, environment: spec.environment };
  const network = new Network("shop", { ...common, network: spec.network });
  new WebService("web", { ...common, network, service: spec.services[0], loadBalancer: spec.network.loadBalancer, slo: spec.slo });
});
assert.equal(plan.resources("kubernetes:apps/v1:Deployment").length, 1);
assert.ok(plan.resources("kubernetes:networking.k8s.io/v1:NetworkPolicy").length > 0);
console.log(`import: ${plan.resources().length} resources`);
