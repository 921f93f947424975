import { onNetwork, service } from "./__tests__/fixtures";
import { WebService } from "./web-service";

describe("WebService outputs", () => {
  it("registers the container app's latest revision, where polycloud promote reads the candidate of a rollout", async () => {
    const plan = await onNetwork((network) => ({
      latest: new WebService("shop-web", {
        app: "shop",
        environment: "development",
        service: service(),
        network,
        loadBalancer: { public: true, tls: true, waf: false, domain: "shop.example.com" },
        slo: { availability: 99.9, latencyP95Ms: 300, errorRatePercent: 0.5 },
      }).containerApp.latestRevisionName,
    }));
    expect(plan.outputs["latest"]).toMatch(/\S/);
    expect(plan.find("polycloud:azure:WebService").outputs["latestRevision"]).toBe(plan.outputs["latest"]);
  });
});
