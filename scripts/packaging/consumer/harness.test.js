// A harness test as a user writes it, with Jest and the published Jest matchers.
/* global require, describe, it, expect */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose */
"use strict";
const { parseSpec } = require("@polycloud/core");
const { Match, runProgram } = require("@polycloud/testing");
const { Network } = require("@polycloud/kubernetes");
require("@polycloud/testing/jest");

describe("Network", () => {
  it("denies all ingress in the namespace by default", async () => {
    const spec = parseSpec({ name: "shop", services: { web: { image: "ghcr.io/acme/shop:1.0.0" } } });
    const plan = await runProgram(() => new Network("shop", { app: spec.name, environment: spec.environment, network: spec.network }));
    expect(plan).toHaveResource("kubernetes:core/v1:Namespace");
    expect(plan).toHaveResource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
      spec: { podSelector: {}, policyTypes: Match.arrayWith(["Ingress"]) },
    });
  });
});
