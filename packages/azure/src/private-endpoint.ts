/**
 * Private endpoints: a data service reachable only from inside the virtual network, at an address
 * of the private-endpoint subnet, with its name resolved through the linked private DNS zone.
 */
import * as network from "@pulumi/azure-native/network";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { childOptions, placed, type Scope } from "./scope";

/** Transforms of a private endpoint's children. */
export interface PrivateEndpointTransforms {
  privateEndpoint?: Transform<network.PrivateEndpointArgs>;
  privateDnsZoneGroup?: Transform<network.PrivateDnsZoneGroupArgs>;
}

/** Where a private endpoint goes: the subnet, and the private DNS zone of its sub-resource. */
export interface PrivateEndpointPlacement {
  readonly subnetId: pulumi.Input<string>;
  readonly privateDnsZoneId: pulumi.Input<string>;
}

/**
 * A private endpoint `<name>-pe` to `resourceId`'s `groupId` sub-resource (`blob`, `vault`,
 * `redisEnterprise`), registered in the private DNS zone by a zone group.
 */
export function createPrivateEndpoint(
  scope: Scope,
  name: string,
  resourceId: pulumi.Input<string>,
  groupId: string,
  at: PrivateEndpointPlacement,
  transforms: PrivateEndpointTransforms = {},
): network.PrivateEndpoint {
  const endpoint = new network.PrivateEndpoint(
    ...transformed(
      `${name}-pe`,
      {
        ...placed(scope),
        subnet: { id: at.subnetId },
        privateLinkServiceConnections: [{ name: `${name}-${groupId}`, privateLinkServiceId: resourceId, groupIds: [groupId] }],
      },
      childOptions(scope),
      transforms.privateEndpoint,
    ),
  );
  new network.PrivateDnsZoneGroup(
    ...transformed(
      `${name}-pe-dns`,
      {
        resourceGroupName: scope.resourceGroupName,
        privateEndpointName: endpoint.name,
        privateDnsZoneGroupName: "default",
        privateDnsZoneConfigs: [{ name: groupId, privateDnsZoneId: at.privateDnsZoneId }],
      },
      childOptions(scope),
      transforms.privateDnsZoneGroup,
    ),
  );
  return endpoint;
}
