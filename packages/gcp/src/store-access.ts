/**
 * Who may open connections to a store on private service access: egress firewall rules of the VPC.
 * Every instance of the VPC is denied the store's range; each client's network tag is allowed on the
 * store's port, at a higher priority. Cloud Run services carry their tag on Direct VPC egress.
 */
import * as compute from "@pulumi/gcp/compute";
import type * as pulumi from "@pulumi/pulumi";
import type { PrivateRange } from "./network";

/** Priorities: allows win over the store's deny. */
export const STORE_RULE_PRIORITY = { allow: 1000, deny: 1100 } as const;

export interface StoreFirewallArgs {
  readonly networkId: pulumi.Input<string>;
  readonly range: PrivateRange;
  readonly port: number;
  /** Physical name prefix of the rules, e.g. `shop-prd-database`. */
  readonly ruleName: string;
}

export class StoreFirewall {
  readonly deny: compute.Firewall;
  readonly allows: Record<string, compute.Firewall> = {};

  constructor(
    private readonly name: string,
    private readonly args: StoreFirewallArgs,
    private readonly parent: pulumi.Resource,
  ) {
    this.deny = new compute.Firewall(
      `${name}-deny-egress`,
      {
        name: `${args.ruleName}-deny`,
        network: args.networkId,
        direction: "EGRESS",
        priority: STORE_RULE_PRIORITY.deny,
        destinationRanges: [args.range.cidr],
        denies: [{ protocol: "all" }],
        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
        description: "Only the store's clients reach it",
      },
      { parent },
    );
  }

  /** Lets instances tagged `tag` (a client service) connect on the store's port. */
  allowFrom(client: string, tag: pulumi.Input<string>): compute.Firewall {
    const rule = new compute.Firewall(
      `${this.name}-from-${client}`,
      {
        name: `${this.args.ruleName}-${client}`.slice(0, 63).replace(/-+$/, ""),
        network: this.args.networkId,
        direction: "EGRESS",
        priority: STORE_RULE_PRIORITY.allow,
        destinationRanges: [this.args.range.cidr],
        targetTags: [tag],
        allows: [{ protocol: "tcp", ports: [String(this.args.port)] }],
        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
        description: `${client} connects to the store`,
      },
      { parent: this.parent },
    );
    this.allows[client] = rule;
    return rule;
  }
}
