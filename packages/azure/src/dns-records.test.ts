import { PolycloudError } from "@polycloud/core";
import { dnsZoneOf, relativeName } from "./dns-records";

const ZONE = "/subscriptions/0000/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/Example.com";

describe("dnsZoneOf", () => {
  it("reads the resource group and the zone name from a zone id", () => {
    expect(dnsZoneOf(ZONE)).toEqual({ id: ZONE, resourceGroupName: "dns-rg", zoneName: "example.com" });
  });

  it("throws PolycloudError naming dnsZoneId for anything else", () => {
    expect(() => dnsZoneOf("/subscriptions/0000/resourceGroups/dns-rg")).toThrow(PolycloudError);
    expect(() => dnsZoneOf("example.com")).toThrow('dnsZoneId: "example.com" is not an Azure DNS zone id');
  });
});

describe("relativeName", () => {
  const zone = dnsZoneOf(ZONE);
  it.each([
    ["example.com", "@"],
    ["shop.example.com", "shop"],
    ["api.shop.example.com", "api.shop"],
    ["SHOP.Example.com", "shop"],
    ["example.org", undefined],
    ["notexample.com", undefined],
  ])("names %s %s in the zone", (domain, relative) => expect(relativeName(domain, zone)).toBe(relative));
});
