/**
 * Records in an Azure DNS zone for a service's domain: what a managed certificate needs before it is
 * issued (the ownership TXT record) and what sends the domain's traffic to the service. The apex of a
 * zone cannot be a CNAME, so there the service's address is an A record (an alias for Front Door).
 */
import * as dns from "@pulumi/azure-native/dns";
import type * as pulumi from "@pulumi/pulumi";
import { AZURE_DNS_ZONE_ID, PolycloudError, transformed, type Transform } from "@polycloud/core";
import { childOptions, type Scope } from "./scope";

/** An Azure DNS zone, by the parts of its resource id. */
export interface DnsZoneRef {
  readonly id: string;
  readonly resourceGroupName: string;
  readonly zoneName: string;
}

/** The resource group and name of a zone from its id. @throws PolycloudError naming `dnsZoneId` when it is not a zone id. */
export function dnsZoneOf(id: string): DnsZoneRef {
  if (!AZURE_DNS_ZONE_ID.test(id)) {
    throw new PolycloudError([{ path: "dnsZoneId", message: `"${id}" is not an Azure DNS zone id; allowed: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/dnszones/<zone>`, fix: "copy the zone's id from az network dns zone show --query id" }]);
  }
  // /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/dnszones/<zone>
  const parts = id.split("/");
  return { id, resourceGroupName: parts[4]!, zoneName: parts[8]!.toLowerCase() };
}

/** `domain` relative to the zone: `@` for the apex, undefined when the domain is not in the zone. */
export function relativeName(domain: string, zone: DnsZoneRef): string | undefined {
  const name = domain.toLowerCase();
  if (name === zone.zoneName) return "@";
  return name.endsWith(`.${zone.zoneName}`) ? name.slice(0, -(zone.zoneName.length + 1)) : undefined;
}

/** Where the domain's traffic goes: a host name (CNAME, or an A record at the apex), or a resource to alias at the apex. */
export interface RecordTarget {
  readonly hostName: pulumi.Input<string>;
  /** The apex's A record: an IP address (a Container Apps environment's), or an alias to a resource (a Front Door endpoint). */
  readonly apex: { readonly ipAddress: pulumi.Input<string> } | { readonly resourceId: pulumi.Input<string> };
}

/**
 * The ownership TXT record `<txtPrefix>.<domain>` and the domain's own record in the zone.
 * @throws PolycloudError naming `domainName` when the domain is not in the zone.
 */
export function createDnsRecords(
  scope: Scope,
  name: string,
  zone: DnsZoneRef,
  domain: string,
  validation: { readonly txtPrefix: string; readonly value: pulumi.Input<string> },
  target: RecordTarget,
  transform?: Transform<dns.RecordSetArgs>,
): dns.RecordSet[] {
  const relative = relativeName(domain, zone);
  if (relative === undefined) {
    throw new PolycloudError([{ path: "domainName", message: `"${domain}" is not in DNS zone ${zone.zoneName}`, fix: `use a domain under ${zone.zoneName}, or the zone of ${domain}` }]);
  }
  const base = { resourceGroupName: zone.resourceGroupName, zoneName: zone.zoneName, ttl: 300 };
  const txt = new dns.RecordSet(
    ...transformed(
      `${name}-dns-validation`,
      { ...base, recordType: "TXT", relativeRecordSetName: relative === "@" ? validation.txtPrefix : `${validation.txtPrefix}.${relative}`, txtRecords: [{ value: [validation.value] }] },
      childOptions(scope),
      transform,
    ),
  );
  const address =
    relative !== "@"
      ? { recordType: "CNAME", cnameRecord: { cname: target.hostName } }
      : "ipAddress" in target.apex
        ? { recordType: "A", aRecords: [{ ipv4Address: target.apex.ipAddress }] }
        : { recordType: "A", targetResource: { id: target.apex.resourceId } };
  const record = new dns.RecordSet(...transformed(`${name}-dns`, { ...base, relativeRecordSetName: relative, ...address }, childOptions(scope), transform));
  return [txt, record];
}
