// A Pulumi program as a CommonJS user writes it, run under the harness from the published packages.
/* global require, console */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose */
"use strict";
const assert = require("node:assert/strict");
const { parseSpec } = require("@polycloud/core");
const { runProgram } = require("@polycloud/testing");
const { Network, WebService } = require("@polycloud/kubernetes");

const spec = parseSpec({ name: "shop", services: { web: { image: "ghcr.io/acme/shop:1.0.0", public: true } } });

runProgram(() => {
  const common = { app: spec.name, environment: spec.environment };
  const network = new Network("shop", { ...common, network: spec.network });
  new WebService("web", { ...common, network, service: spec.services[0], loadBalancer: spec.network.loadBalancer, slo: spec.slo });
}).then((plan) => {
  assert.equal(plan.resources("kubernetes:apps/v1:Deployment").length, 1);
  assert.ok(plan.resources("kubernetes:networking.k8s.io/v1:NetworkPolicy").length > 0);
  console.log(`require: ${plan.resources().length} resources`);
});
