import { PolycloudError } from "../errors";
import { backendOptions, configProblems } from "./config";

describe("GcpOptionsSchema stableRevisions", () => {
  it("takes a stable revision per service from stack config, and none by default", () => {
    const config = { "polycloud:gcp.stableRevisions.api": "shop-prd-api-3f9a1c2e" };
    expect(configProblems(config)).toEqual([]);
    expect(backendOptions("gcp", { providers: {} }, config).stableRevisions).toEqual({ api: "shop-prd-api-3f9a1c2e" });
    expect(backendOptions("gcp", { providers: {} }).stableRevisions).toBeUndefined();
  });

  it("refuses a value that is not a Cloud Run revision name, naming the key, the value, what is allowed and the fix", () => {
    const attempt = () => backendOptions("gcp", { providers: {} }, { "polycloud:gcp.stableRevisions.api": "Shop_API rev 2" });
    expect(attempt).toThrow(PolycloudError);
    expect(attempt).toThrow(
      'polycloud:gcp.stableRevisions.api: "Shop_API rev 2" is not valid; allowed: a Cloud Run revision name such as shop-prd-api-3f9a1c2e: lowercase letters, digits and hyphens, at most 63 characters; did you mean "shop-api-rev-2"?',
    );
  });
});
