/**
 * AWS defaults: ids in the real formats (`vpc-0...`, `sg-0...`), ARNs from the region and account,
 * auto-names like the provider's (`logs-1a2b3c4`), and the computed outputs programs read
 * (endpoints, DNS names, URLs, certificate validation records).
 *
 * Region: the resource's `region` input, its explicit provider's, `aws:region`, else us-east-1.
 * Account: the first of `aws:allowedAccountIds`, else 123456789012.
 */
import type { PropertyBag } from "../types";
import { alnum, declares, digits, hex, kebab, lowerFirst, obj, parseToken, str, uuid } from "./common";
import type { DefaultsEnv, Generated, Generator, InvokeDefault, ResourceRequest } from "./common";

export const DEFAULT_AWS_ACCOUNT = "123456789012";
export const DEFAULT_AWS_REGION = "us-east-1";

/** Config value parsed as JSON when it is JSON. */
function configJson(env: DefaultsEnv, key: string): unknown {
  const raw = env.config(key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function regionOf(env: DefaultsEnv, provider: PropertyBag | undefined, inputs: PropertyBag = {}): string {
  return str(inputs, "region") ?? (provider === undefined ? undefined : str(provider, "region")) ?? env.config("aws:region") ?? DEFAULT_AWS_REGION;
}

function accountOf(env: DefaultsEnv, provider: PropertyBag | undefined): string {
  const allowed = provider?.["allowedAccountIds"] ?? configJson(env, "aws:allowedAccountIds");
  return Array.isArray(allowed) && typeof allowed[0] === "string" ? allowed[0] : DEFAULT_AWS_ACCOUNT;
}

function partitionOf(region: string): { partition: string; dnsSuffix: string } {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

/** `use1` for us-east-1, `apse2` for ap-southeast-2: as in AZ ids and ElastiCache host names. */
export function regionCode(region: string): string {
  const [area = "us", dir = "east", n = "1"] = region.split("-");
  const d = dir.replace(/^(north|south)(east|west)$/, (_m, a: string, b: string) => `${a.charAt(0)}${b.charAt(0)}`).replace(/^(north|south|east|west|central)$/, (m) => m.charAt(0));
  return `${area}${d}${n}`;
}

/** Everything an AWS rule needs to build ids and ARNs. */
interface Ctx {
  readonly req: ResourceRequest;
  readonly inputs: PropertyBag;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly dnsSuffix: string;
  /** Deterministic hex for a purpose. */
  hex(purpose: string, length: number): string;
  /** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
  arn(service: string, resource: string, scope?: "global" | "no-account"): string;
  /** The physical name: the input, or `<logical>-<7 hex>` like the provider's auto-naming. */
  physical(key: string, opts?: { lower?: boolean; max?: number }): string;
}

/** An EC2-style id: `vpc-0` and 16 hex digits. */
function ec2Id(ctx: Ctx, prefix: string): string {
  return `${prefix}-0${ctx.hex("id", 16)}`;
}

function ipv4(ctx: Ctx, purpose: string, first: number): string {
  const h = ctx.hex(purpose, 6);
  return `${first}.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${(parseInt(h.slice(4, 6), 16) % 253) + 1}`;
}

/** Per-type rule: an id and outputs, given what the resource declares. */
type Rule = (ctx: Ctx) => { id: string; outputs?: PropertyBag; names?: readonly string[] };

/** EC2 resources identified by a prefixed id, with `arn` as `<service>:...:<kind>/<id>`. */
function ec2(prefix: string, arnKind?: string, extra?: (ctx: Ctx, id: string) => PropertyBag): Rule {
  return (ctx) => {
    const id = ec2Id(ctx, prefix);
    return {
      id,
      outputs: {
        ...(arnKind === undefined ? {} : { arn: ctx.arn("ec2", `${arnKind}/${id}`) }),
        ownerId: ctx.account,
        ...(extra?.(ctx, id) ?? {}),
      },
    };
  };
}

/** Resources whose id is their (auto-)name and whose ARN is `<service>:...:<kind><name>`. */
function named(service: string, arnResource: (name: string, ctx: Ctx) => string, nameKey = "name", extra?: (ctx: Ctx, name: string) => PropertyBag, scope?: "global" | "no-account"): Rule {
  return (ctx) => {
    const name = ctx.physical(nameKey);
    return { id: name, names: [nameKey], outputs: { [nameKey]: name, arn: ctx.arn(service, arnResource(name, ctx), scope), ...(extra?.(ctx, name) ?? {}) } };
  };
}

/** Resources whose id is their ARN. */
function arnId(service: string, arnResource: (name: string, ctx: Ctx) => string, nameKey = "name", extra?: (ctx: Ctx, arn: string, name: string) => PropertyBag): Rule {
  return (ctx) => {
    const name = ctx.physical(nameKey);
    const arn = ctx.arn(service, arnResource(name, ctx));
    return { id: arn, names: [nameKey], outputs: { [nameKey]: name, arn, ...(extra?.(ctx, arn, name) ?? {}) } };
  };
}

const DB_PORTS: Record<string, number> = { postgres: 5432, "aurora-postgresql": 5432, mysql: 3306, "aurora-mysql": 3306, mariadb: 3306, aurora: 3306, "sqlserver-ex": 1433, "sqlserver-se": 1433, "sqlserver-ee": 1433, "sqlserver-web": 1433, "oracle-ee": 1521, "oracle-se2": 1521 };

function dbPort(inputs: PropertyBag): number {
  const port = inputs["port"];
  if (typeof port === "number") return port;
  return DB_PORTS[String(inputs["engine"] ?? "postgres")] ?? 5432;
}

function masterUserSecret(ctx: Ctx, name: string): PropertyBag[] | undefined {
  if (ctx.inputs["manageMasterUserPassword"] !== true) return undefined;
  return [
    {
      secretArn: ctx.arn("secretsmanager", `secret:rds!db-${uuid(`${ctx.req.urn}#secret`)}-${alnum(`${name}#s`, 6)}`),
      secretStatus: "active",
      kmsKeyId: str(ctx.inputs, "masterUserSecretKmsKeyId") ?? ctx.arn("kms", `key/${uuid(`${ctx.req.urn}#kms`)}`),
    },
  ];
}

function lastSegment(value: unknown): string | undefined {
  return typeof value === "string" ? value.split(/[/:]/).pop() : undefined;
}

/** The rules, by type token. Types not listed get the generic rule. */
const RULES: Record<string, Rule> = {
  // Networking
  "aws:ec2/vpc:Vpc": ec2("vpc", "vpc", (ctx) => {
    const table = ec2Id({ ...ctx, hex: (p, n) => ctx.hex(`rtb${p}`, n) }, "rtb");
    return {
      defaultSecurityGroupId: ec2Id({ ...ctx, hex: (p, n) => ctx.hex(`sg${p}`, n) }, "sg"),
      defaultNetworkAclId: ec2Id({ ...ctx, hex: (p, n) => ctx.hex(`acl${p}`, n) }, "acl"),
      defaultRouteTableId: table,
      mainRouteTableId: table,
      dhcpOptionsId: ec2Id({ ...ctx, hex: (p, n) => ctx.hex(`dopt${p}`, n) }, "dopt"),
      instanceTenancy: "default",
      enableDnsSupport: ctx.inputs["enableDnsSupport"] ?? true,
      enableDnsHostnames: ctx.inputs["enableDnsHostnames"] ?? false,
    };
  }),
  "aws:ec2/subnet:Subnet": ec2("subnet", "subnet", (ctx) => {
    const az = str(ctx.inputs, "availabilityZone") ?? `${ctx.region}a`;
    return { availabilityZone: az, availabilityZoneId: `${regionCode(ctx.region)}-az${"abcdef".indexOf(az.slice(-1)) + 1 || 1}`, mapPublicIpOnLaunch: ctx.inputs["mapPublicIpOnLaunch"] ?? false };
  }),
  "aws:ec2/securityGroup:SecurityGroup": (ctx) => {
    const id = ec2Id(ctx, "sg");
    const name = ctx.physical("name");
    return { id, names: ["name"], outputs: { name, arn: ctx.arn("ec2", `security-group/${id}`), ownerId: ctx.account, ingress: ctx.inputs["ingress"] ?? [], egress: ctx.inputs["egress"] ?? [] } };
  },
  "aws:ec2/securityGroupRule:SecurityGroupRule": (ctx) => ({ id: `sgrule-${digits(ctx.req.urn, 10)}`, outputs: { securityGroupRuleId: ec2Id(ctx, "sgr") } }),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2("sgr", "security-group-rule"),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ec2("sgr", "security-group-rule"),
  "aws:ec2/internetGateway:InternetGateway": ec2("igw", "internet-gateway"),
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": ec2("eigw", "egress-only-internet-gateway"),
  "aws:ec2/natGateway:NatGateway": ec2("nat", "natgateway", (ctx) => ({
    privateIp: ipv4(ctx, "private", 10),
    ...(ctx.inputs["connectivityType"] === "private" ? {} : { publicIp: ipv4(ctx, "public", 3) }),
    networkInterfaceId: ec2Id({ ...ctx, hex: (p, n) => ctx.hex(`eni${p}`, n) }, "eni"),
    connectivityType: ctx.inputs["connectivityType"] ?? "public",
  })),
  "aws:ec2/eip:Eip": (ctx) => {
    const id = ec2Id(ctx, "eipalloc");
    const ip = ipv4(ctx, "public", 3);
    return { id, outputs: { allocationId: id, publicIp: ip, publicDns: `ec2-${ip.replace(/\./g, "-")}.compute-1.amazonaws.com`, domain: "vpc", arn: ctx.arn("ec2", `elastic-ip/${id}`) } };
  },
  "aws:ec2/routeTable:RouteTable": ec2("rtb", "route-table"),
  "aws:ec2/route:Route": (ctx) => ({ id: `r-${String(ctx.inputs["routeTableId"] ?? "rtb")}${digits(ctx.req.urn, 10)}`, outputs: { state: "active", origin: "CreateRoute" } }),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2("rtbassoc"),
  "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": ec2("rtbassoc"),
  "aws:ec2/networkAcl:NetworkAcl": ec2("acl", "network-acl"),
  "aws:ec2/networkInterface:NetworkInterface": ec2("eni", "network-interface", (ctx) => ({ privateIp: ipv4(ctx, "private", 10), macAddress: ctx.hex("mac", 12).replace(/(..)(?!$)/g, "$1:") })),
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2("vpce", "vpc-endpoint", (ctx, id) => ({
    state: "available",
    prefixListId: `pl-${ctx.hex("pl", 8)}`,
    dnsEntries: ctx.inputs["vpcEndpointType"] === "Interface" ? [{ dnsName: `${id}-${alnum(ctx.req.urn, 8)}.${String(ctx.inputs["serviceName"] ?? "").split(".").pop()}.${ctx.region}.vpce.amazonaws.com`, hostedZoneId: `Z${alnum(`${ctx.region}#vpce`, 13).toUpperCase()}` }] : [],
    networkInterfaceIds: [],
  })),
  "aws:ec2/flowLog:FlowLog": ec2("fl", "vpc-flow-log"),
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ec2("pcx", "vpc-peering-connection", () => ({ acceptStatus: "active" })),
  "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation": ec2("vpc-cidr-assoc"),
  "aws:ec2/dhcpOptions:DhcpOptions": ec2("dopt", "dhcp-options"),
  "aws:ec2/customerGateway:CustomerGateway": ec2("cgw", "customer-gateway"),
  "aws:ec2/vpnGateway:VpnGateway": ec2("vgw", "vpn-gateway"),
  "aws:ec2/transitGateway:TransitGateway": ec2("tgw", "transit-gateway"),
  "aws:ec2transitgateway/transitGateway:TransitGateway": ec2("tgw", "transit-gateway", (ctx) => ({ associationDefaultRouteTableId: ec2Id({ ...ctx, hex: (p, n) => ctx.hex(`tgwrtb${p}`, n) }, "tgw-rtb") })),
  "aws:ec2transitgateway/vpcAttachment:VpcAttachment": ec2("tgw-attach", "transit-gateway-attachment"),
  "aws:ec2/instance:Instance": ec2("i", "instance", (ctx) => {
    const ip = ipv4(ctx, "private", 10);
    return { privateIp: ip, privateDns: `ip-${ip.replace(/\./g, "-")}.ec2.internal`, primaryNetworkInterfaceId: ec2Id({ ...ctx, hex: (p, n) => ctx.hex(`eni${p}`, n) }, "eni"), instanceState: "running", availabilityZone: str(ctx.inputs, "availabilityZone") ?? `${ctx.region}a` };
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": (ctx) => {
    const id = ec2Id(ctx, "lt");
    return { id, names: ["name"], outputs: { name: ctx.physical("name"), arn: ctx.arn("ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 } };
  },
  "aws:ec2/keyPair:KeyPair": (ctx) => {
    const name = ctx.physical("keyName");
    return { id: name, names: ["keyName"], outputs: { keyName: name, keyPairId: ec2Id(ctx, "key"), arn: ctx.arn("ec2", `key-pair/${name}`), fingerprint: ctx.hex("fp", 32).replace(/(..)(?!$)/g, "$1:") } };
  },
  "aws:ebs/volume:Volume": ec2("vol", "volume"),

  // Storage
  "aws:s3/bucket:Bucket": (ctx) => s3Bucket(ctx),
  "aws:s3/bucketV2:BucketV2": (ctx) => s3Bucket(ctx),
  "aws:s3/bucketObject:BucketObject": (ctx) => ({ id: String(ctx.inputs["key"] ?? ctx.req.name), outputs: { key: ctx.inputs["key"] ?? ctx.req.name, etag: ctx.hex("etag", 32), versionId: alnum(ctx.req.urn, 32) } }),
  "aws:s3/bucketObjectv2:BucketObjectv2": (ctx) => ({ id: String(ctx.inputs["key"] ?? ctx.req.name), outputs: { key: ctx.inputs["key"] ?? ctx.req.name, etag: ctx.hex("etag", 32), versionId: alnum(ctx.req.urn, 32), arn: `arn:${ctx.partition}:s3:::${String(ctx.inputs["bucket"] ?? "")}/${String(ctx.inputs["key"] ?? ctx.req.name)}` } }),
  "aws:efs/fileSystem:FileSystem": (ctx) => {
    const id = `fs-0${ctx.hex("id", 16)}`;
    return { id, outputs: { arn: ctx.arn("elasticfilesystem", `file-system/${id}`), dnsName: `${id}.efs.${ctx.region}.amazonaws.com`, ownerId: ctx.account } };
  },
  "aws:dynamodb/table:Table": named("dynamodb", (n) => `table/${n}`, "name", (ctx, name) =>
    ctx.inputs["streamEnabled"] === true ? { streamArn: ctx.arn("dynamodb", `table/${name}/stream/2024-01-01T00:00:00.000`), streamLabel: "2024-01-01T00:00:00.000" } : {},
  ),
  "aws:ecr/repository:Repository": named("ecr", (n) => `repository/${n}`, "name", (ctx, name) => ({ repositoryUrl: `${ctx.account}.dkr.ecr.${ctx.region}.${ctx.dnsSuffix}/${name}`, registryId: ctx.account })),

  // Databases and caches
  "aws:rds/instance:Instance": (ctx) => {
    const identifier = ctx.physical("identifier", { lower: true, max: 63 });
    const port = dbPort(ctx.inputs);
    const address = `${identifier}.${alnum(`${ctx.account}${ctx.region}`, 12)}.${ctx.region}.rds.amazonaws.com`;
    const secret = masterUserSecret(ctx, identifier);
    return {
      id: identifier,
      names: ["identifier"],
      outputs: {
        identifier,
        arn: ctx.arn("rds", `db:${identifier}`),
        resourceId: `db-${alnum(ctx.req.urn, 26).toUpperCase()}`,
        address,
        port,
        endpoint: `${address}:${port}`,
        hostedZoneId: "Z2R2ITUGPM61AM",
        status: "available",
        engineVersionActual: ctx.inputs["engineVersion"] ?? "16.3",
        ...(secret === undefined ? {} : { masterUserSecrets: secret }),
      },
    };
  },
  "aws:rds/cluster:Cluster": (ctx) => {
    const id = ctx.physical("clusterIdentifier", { lower: true, max: 63 });
    const suffix = alnum(`${ctx.account}${ctx.region}`, 12);
    const secret = masterUserSecret(ctx, id);
    return {
      id,
      names: ["clusterIdentifier"],
      outputs: {
        clusterIdentifier: id,
        arn: ctx.arn("rds", `cluster:${id}`),
        clusterResourceId: `cluster-${alnum(ctx.req.urn, 26).toUpperCase()}`,
        endpoint: `${id}.cluster-${suffix}.${ctx.region}.rds.amazonaws.com`,
        readerEndpoint: `${id}.cluster-ro-${suffix}.${ctx.region}.rds.amazonaws.com`,
        port: dbPort(ctx.inputs),
        hostedZoneId: "Z2R2ITUGPM61AM",
        ...(secret === undefined ? {} : { masterUserSecrets: secret }),
      },
    };
  },
  "aws:rds/clusterInstance:ClusterInstance": (ctx) => {
    const id = ctx.physical("identifier", { lower: true, max: 63 });
    const address = `${id}.${alnum(`${ctx.account}${ctx.region}`, 12)}.${ctx.region}.rds.amazonaws.com`;
    return { id, names: ["identifier"], outputs: { identifier: id, arn: ctx.arn("rds", `db:${id}`), endpoint: address, port: dbPort(ctx.inputs) } };
  },
  "aws:rds/subnetGroup:SubnetGroup": named("rds", (n) => `subgrp:${n}`),
  "aws:rds/parameterGroup:ParameterGroup": named("rds", (n) => `pg:${n}`),
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": named("rds", (n) => `cluster-pg:${n}`),
  "aws:elasticache/replicationGroup:ReplicationGroup": (ctx) => {
    const id = ctx.physical("replicationGroupId", { lower: true, max: 40 });
    const host = `${id}.${alnum(`${ctx.account}${ctx.region}`, 6)}.${regionCode(ctx.region)}.cache.amazonaws.com`;
    const clustered = typeof ctx.inputs["numNodeGroups"] === "number" && ctx.inputs["numNodeGroups"] > 1;
    return {
      id,
      names: ["replicationGroupId"],
      outputs: {
        replicationGroupId: id,
        arn: ctx.arn("elasticache", `replicationgroup:${id}`),
        port: ctx.inputs["port"] ?? 6379,
        ...(clustered ? { configurationEndpointAddress: `clustercfg.${host}` } : { primaryEndpointAddress: `master.${host}`, readerEndpointAddress: `replica.${host}` }),
        memberClusters: [`${id}-001`, `${id}-002`],
      },
    };
  },
  "aws:elasticache/cluster:Cluster": (ctx) => {
    const id = ctx.physical("clusterId", { lower: true, max: 40 });
    const host = `${id}.${alnum(`${ctx.account}${ctx.region}`, 6)}.0001.${regionCode(ctx.region)}.cache.amazonaws.com`;
    const port = ctx.inputs["port"] ?? (ctx.inputs["engine"] === "memcached" ? 11211 : 6379);
    return { id, names: ["clusterId"], outputs: { clusterId: id, arn: ctx.arn("elasticache", `cluster:${id}`), cacheNodes: [{ id: "0001", address: host, port, availabilityZone: `${ctx.region}a` }], clusterAddress: host, port } };
  },
  "aws:elasticache/subnetGroup:SubnetGroup": named("elasticache", (n) => `subnetgroup:${n}`),

  // Identity and secrets
  "aws:iam/role:Role": named("iam", (n, ctx) => `role${String(ctx.inputs["path"] ?? "/")}${n}`, "name", (ctx) => ({ uniqueId: `AROA${alnum(ctx.req.urn, 17).toUpperCase()}`, createDate: "2024-01-01T00:00:00Z" }), "global"),
  "aws:iam/user:User": named("iam", (n, ctx) => `user${String(ctx.inputs["path"] ?? "/")}${n}`, "name", (ctx) => ({ uniqueId: `AIDA${alnum(ctx.req.urn, 17).toUpperCase()}` }), "global"),
  "aws:iam/group:Group": named("iam", (n, ctx) => `group${String(ctx.inputs["path"] ?? "/")}${n}`, "name", (ctx) => ({ uniqueId: `AGPA${alnum(ctx.req.urn, 17).toUpperCase()}` }), "global"),
  "aws:iam/instanceProfile:InstanceProfile": named("iam", (n, ctx) => `instance-profile${String(ctx.inputs["path"] ?? "/")}${n}`, "name", (ctx) => ({ uniqueId: `AIPA${alnum(ctx.req.urn, 17).toUpperCase()}` }), "global"),
  "aws:iam/policy:Policy": (ctx) => {
    const name = ctx.physical("name");
    const arn = ctx.arn("iam", `policy${String(ctx.inputs["path"] ?? "/")}${name}`, "global");
    return { id: arn, names: ["name"], outputs: { name, arn, policyId: `ANPA${alnum(ctx.req.urn, 17).toUpperCase()}` } };
  },
  "aws:iam/rolePolicy:RolePolicy": (ctx) => {
    const name = ctx.physical("name");
    return { id: `${lastSegment(ctx.inputs["role"]) ?? "role"}:${name}`, names: ["name"], outputs: { name } };
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (ctx) => ({ id: `${lastSegment(ctx.inputs["role"]) ?? "role"}-${digits(ctx.req.urn, 26)}` }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (ctx) => {
    const url = String(ctx.inputs["url"] ?? "").replace(/^https:\/\//, "");
    const arn = ctx.arn("iam", `oidc-provider/${url}`, "global");
    return { id: arn, outputs: { arn } };
  },
  "aws:kms/key:Key": (ctx) => {
    const keyId = uuid(ctx.req.urn);
    return { id: keyId, outputs: { keyId, arn: ctx.arn("kms", `key/${keyId}`), enableKeyRotation: ctx.inputs["enableKeyRotation"] ?? false } };
  },
  "aws:kms/alias:Alias": (ctx) => {
    const name = str(ctx.inputs, "name") ?? `alias/${ctx.req.name}-${ctx.hex("name", 7)}`;
    return { id: name, names: ["name"], outputs: { name, arn: ctx.arn("kms", name), targetKeyArn: ctx.arn("kms", `key/${String(ctx.inputs["targetKeyId"] ?? "")}`) } };
  },
  "aws:secretsmanager/secret:Secret": arnId("secretsmanager", (n, ctx) => `secret:${n}-${alnum(`${ctx.req.urn}#suffix`, 6)}`),
  "aws:secretsmanager/secretVersion:SecretVersion": (ctx) => {
    const versionId = uuid(ctx.req.urn);
    return { id: `${String(ctx.inputs["secretId"] ?? "")}|${versionId}`, outputs: { versionId, arn: ctx.inputs["secretId"], versionStages: ["AWSCURRENT"] } };
  },
  "aws:ssm/parameter:Parameter": named("ssm", (n) => `parameter/${n.replace(/^\//, "")}`, "name", () => ({ version: 1 })),
  "aws:acm/certificate:Certificate": (ctx) => {
    const arn = ctx.arn("acm", `certificate/${uuid(ctx.req.urn)}`);
    const domains = [ctx.inputs["domainName"], ...(Array.isArray(ctx.inputs["subjectAlternativeNames"]) ? ctx.inputs["subjectAlternativeNames"] : [])].filter(
      (d, i, all): d is string => typeof d === "string" && all.indexOf(d) === i,
    );
    return {
      id: arn,
      outputs: {
        arn,
        status: "PENDING_VALIDATION",
        domainValidationOptions: domains.map((domain) => {
          const base = domain.replace(/^\*\./, "");
          return {
            domainName: domain,
            resourceRecordName: `_${hex(`${arn}#${base}`, 32)}.${base}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${hex(`${arn}#${base}#v`, 32)}.${alnum(`${arn}#${base}`, 10)}.acm-validations.aws.`,
          };
        }),
      },
    };
  },
  "aws:acm/certificateValidation:CertificateValidation": (ctx) => ({ id: String(ctx.inputs["certificateArn"] ?? "2024-01-01 00:00:00 +0000 UTC") }),

  // Compute
  "aws:ecs/cluster:Cluster": arnId("ecs", (n) => `cluster/${n}`),
  "aws:ecs/service:Service": (ctx) => {
    const name = ctx.physical("name");
    const cluster = lastSegment(ctx.inputs["cluster"]) ?? "default";
    const arn = ctx.arn("ecs", `service/${cluster}/${name}`);
    return { id: arn, names: ["name"], outputs: { name, cluster: ctx.inputs["cluster"] ?? ctx.arn("ecs", "cluster/default") } };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (ctx) => {
    const family = String(ctx.inputs["family"] ?? ctx.req.name);
    const arnWithoutRevision = ctx.arn("ecs", `task-definition/${family}`);
    return { id: family, outputs: { arn: `${arnWithoutRevision}:1`, arnWithoutRevision, revision: 1 } };
  },
  "aws:lambda/function:Function": named("lambda", (n) => `function:${n}`, "name", (ctx, name) => {
    const arn = ctx.arn("lambda", `function:${name}`);
    return { invokeArn: `arn:${ctx.partition}:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${arn}/invocations`, qualifiedArn: `${arn}:$LATEST`, qualifiedInvokeArn: `arn:${ctx.partition}:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${arn}:$LATEST/invocations`, version: "$LATEST", lastModified: "2024-01-01T00:00:00.000+0000" };
  }),
  "aws:eks/cluster:Cluster": named("eks", (n) => `cluster/${n}`, "name", (ctx) => {
    const id = ctx.hex("endpoint", 32).toUpperCase();
    return {
      endpoint: `https://${id}.gr7.${ctx.region}.eks.amazonaws.com`,
      certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\n${alnum(ctx.req.urn, 64)}\n-----END CERTIFICATE-----\n`).toString("base64") },
      identities: [{ oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${id}` }] }],
      status: "ACTIVE",
      version: ctx.inputs["version"] ?? "1.31",
      platformVersion: "eks.1",
    };
  }),
  "aws:eks/nodeGroup:NodeGroup": (ctx) => {
    const name = ctx.physical("nodeGroupName");
    const cluster = String(ctx.inputs["clusterName"] ?? "cluster");
    return { id: `${cluster}:${name}`, names: ["nodeGroupName"], outputs: { nodeGroupName: name, arn: ctx.arn("eks", `nodegroup/${cluster}/${name}/${uuid(ctx.req.urn)}`), status: "ACTIVE" } };
  },
  "aws:autoscaling/group:Group": named("autoscaling", (n, ctx) => `autoScalingGroup:${uuid(ctx.req.urn)}:autoScalingGroupName/${n}`),
  "aws:appautoscaling/target:Target": (ctx) => ({ id: String(ctx.inputs["resourceId"] ?? ctx.req.name), outputs: { arn: ctx.arn("application-autoscaling", `scalable-target/${alnum(ctx.req.urn, 36)}`) } }),
  "aws:appautoscaling/policy:Policy": (ctx) => {
    const name = ctx.physical("name");
    return { id: name, names: ["name"], outputs: { name, arn: ctx.arn("autoscaling", `scalingPolicy:${uuid(ctx.req.urn)}:resource/${String(ctx.inputs["serviceNamespace"] ?? "ecs")}/${String(ctx.inputs["resourceId"] ?? "")}:policyName/${name}`), alarmArns: [] } };
  },
  "aws:sfn/stateMachine:StateMachine": arnId("states", (n) => `stateMachine:${n}`),

  // Load balancing, DNS, edge
  "aws:lb/loadBalancer:LoadBalancer": (ctx) => loadBalancer(ctx),
  "aws:alb/loadBalancer:LoadBalancer": (ctx) => loadBalancer(ctx),
  "aws:lb/targetGroup:TargetGroup": (ctx) => targetGroup(ctx),
  "aws:alb/targetGroup:TargetGroup": (ctx) => targetGroup(ctx),
  "aws:lb/listener:Listener": (ctx) => listener(ctx, "listener"),
  "aws:alb/listener:Listener": (ctx) => listener(ctx, "listener"),
  "aws:lb/listenerRule:ListenerRule": (ctx) => listener(ctx, "listener-rule"),
  "aws:alb/listenerRule:ListenerRule": (ctx) => listener(ctx, "listener-rule"),
  "aws:route53/zone:Zone": (ctx) => {
    const zoneId = `Z${alnum(ctx.req.urn, 20).toUpperCase()}`;
    const n = parseInt(ctx.hex("ns", 4), 16);
    return {
      id: zoneId,
      outputs: {
        zoneId,
        arn: `arn:${ctx.partition}:route53:::hostedzone/${zoneId}`,
        nameServers: [`ns-${n % 512}.awsdns-${n % 64}.com`, `ns-${(n >> 1) % 2048}.awsdns-${(n >> 2) % 64}.net`, `ns-${(n >> 3) % 2048}.awsdns-${(n >> 4) % 64}.org`, `ns-${(n >> 5) % 2048}.awsdns-${(n >> 6) % 64}.co.uk`],
      },
    };
  },
  "aws:route53/record:Record": (ctx) => {
    const name = String(ctx.inputs["name"] ?? ctx.req.name);
    return { id: `${String(ctx.inputs["zoneId"] ?? "Z")}_${name}_${String(ctx.inputs["type"] ?? "A")}`, outputs: { fqdn: name.replace(/\.$/, "") } };
  },
  "aws:cloudfront/distribution:Distribution": (ctx) => {
    const id = `E${alnum(ctx.req.urn, 13).toUpperCase()}`;
    return { id, outputs: { arn: ctx.arn("cloudfront", `distribution/${id}`, "global"), domainName: `d${alnum(`${ctx.req.urn}#d`, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2", status: "Deployed", etag: `E${alnum(`${ctx.req.urn}#e`, 13).toUpperCase()}` } };
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": (ctx) => ({ id: `E${alnum(ctx.req.urn, 13).toUpperCase()}`, outputs: { etag: `E${alnum(`${ctx.req.urn}#e`, 13).toUpperCase()}` } }),
  "aws:wafv2/webAcl:WebAcl": (ctx) => {
    const id = uuid(ctx.req.urn);
    const name = ctx.physical("name");
    const global = ctx.inputs["scope"] === "CLOUDFRONT";
    const arn = `arn:${ctx.partition}:wafv2:${global ? "us-east-1" : ctx.region}:${ctx.account}:${global ? "global" : "regional"}/webacl/${name}/${id}`;
    return { id, names: ["name"], outputs: { name, arn, capacity: 0, lockToken: uuid(`${ctx.req.urn}#lock`) } };
  },
  "aws:wafv2/webAclAssociation:WebAclAssociation": (ctx) => ({ id: `${String(ctx.inputs["webAclArn"] ?? "")},${String(ctx.inputs["resourceArn"] ?? "")}` }),
  "aws:apigateway/restApi:RestApi": (ctx) => {
    const id = alnum(ctx.req.urn, 10);
    return { id, outputs: { rootResourceId: alnum(`${ctx.req.urn}#root`, 10), executionArn: ctx.arn("execute-api", id), arn: `arn:${ctx.partition}:apigateway:${ctx.region}::/restapis/${id}`, createdDate: "2024-01-01T00:00:00Z" } };
  },
  "aws:apigatewayv2/api:Api": (ctx) => {
    const id = alnum(ctx.req.urn, 10);
    return { id, outputs: { apiEndpoint: `https://${id}.execute-api.${ctx.region}.amazonaws.com`, executionArn: ctx.arn("execute-api", id), arn: `arn:${ctx.partition}:apigateway:${ctx.region}::/apis/${id}` } };
  },

  // Messaging, logs, monitoring, backup
  "aws:sns/topic:Topic": arnId("sns", (n) => n),
  "aws:sns/topicSubscription:TopicSubscription": (ctx) => {
    const arn = `${String(ctx.inputs["topic"] ?? ctx.arn("sns", "topic"))}:${uuid(ctx.req.urn)}`;
    return { id: arn, outputs: { arn, ownerId: ctx.account } };
  },
  "aws:sqs/queue:Queue": (ctx) => {
    const fifo = ctx.inputs["fifoQueue"] === true;
    const name = str(ctx.inputs, "name") ?? `${ctx.req.name}-${ctx.hex("name", 7)}${fifo ? ".fifo" : ""}`;
    const url = `https://sqs.${ctx.region}.amazonaws.com/${ctx.account}/${name}`;
    return { id: url, names: ["name"], outputs: { name, url, arn: ctx.arn("sqs", name) } };
  },
  "aws:cloudwatch/logGroup:LogGroup": named("logs", (n) => `log-group:${n}`),
  "aws:cloudwatch/metricAlarm:MetricAlarm": named("cloudwatch", (n) => `alarm:${n}`),
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": named("cloudwatch", (n) => `alarm:${n}`, "alarmName"),
  "aws:cloudwatch/dashboard:Dashboard": (ctx) => {
    const name = String(ctx.inputs["dashboardName"] ?? ctx.req.name);
    return { id: name, outputs: { dashboardArn: `arn:${ctx.partition}:cloudwatch::${ctx.account}:dashboard/${name}` } };
  },
  "aws:cloudwatch/eventRule:EventRule": named("events", (n) => `rule/${n}`),
  "aws:cloudwatch/eventBus:EventBus": named("events", (n) => `event-bus/${n}`),
  "aws:backup/vault:Vault": named("backup", (n) => `backup-vault:${n}`, "name", () => ({ recoveryPoints: 0 })),
  "aws:backup/plan:Plan": (ctx) => {
    const id = uuid(ctx.req.urn);
    return { id, names: ["name"], outputs: { name: ctx.physical("name"), arn: ctx.arn("backup", `backup-plan:${id}`), version: alnum(`${ctx.req.urn}#v`, 48) } };
  },
  "aws:backup/selection:Selection": (ctx) => ({ id: uuid(ctx.req.urn) }),
};

function s3Bucket(ctx: Ctx): ReturnType<Rule> {
  const bucket = ctx.physical("bucket", { lower: true, max: 63 });
  return {
    id: bucket,
    names: ["bucket"],
    outputs: {
      bucket,
      arn: `arn:${ctx.partition}:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.${ctx.dnsSuffix}`,
      bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.${ctx.dnsSuffix}`,
      hostedZoneId: ctx.region === "us-east-1" ? "Z3AQBSTGFYJSTF" : `Z${alnum(`s3#${ctx.region}`, 13).toUpperCase()}`,
      region: ctx.region,
    },
  };
}

function loadBalancer(ctx: Ctx): ReturnType<Rule> {
  const name = ctx.physical("name", { max: 32 });
  const kind = ctx.inputs["loadBalancerType"] === "network" ? "net" : ctx.inputs["loadBalancerType"] === "gateway" ? "gwy" : "app";
  const arnSuffix = `${kind}/${name}/${ctx.hex("lb", 16)}`;
  const internal = ctx.inputs["internal"] === true ? "internal-" : "";
  return {
    id: ctx.arn("elasticloadbalancing", `loadbalancer/${arnSuffix}`),
    names: ["name"],
    outputs: {
      name,
      arn: ctx.arn("elasticloadbalancing", `loadbalancer/${arnSuffix}`),
      arnSuffix,
      dnsName: `${internal}${name}-${digits(ctx.req.urn, 10)}.${ctx.region}.elb.amazonaws.com`,
      zoneId: ctx.region === "us-east-1" ? "Z35SXDOTRQ7X7K" : `Z${alnum(`elb#${ctx.region}`, 13).toUpperCase()}`,
      loadBalancerType: ctx.inputs["loadBalancerType"] ?? "application",
    },
  };
}

function targetGroup(ctx: Ctx): ReturnType<Rule> {
  const name = ctx.physical("name", { max: 32 });
  const arnSuffix = `targetgroup/${name}/${ctx.hex("tg", 16)}`;
  const arn = ctx.arn("elasticloadbalancing", arnSuffix);
  return { id: arn, names: ["name"], outputs: { name, arn, arnSuffix } };
}

function listener(ctx: Ctx, kind: "listener" | "listener-rule"): ReturnType<Rule> {
  const parent = String(ctx.inputs[kind === "listener" ? "loadBalancerArn" : "listenerArn"] ?? "");
  const base = parent.includes(":loadbalancer/") ? parent.split(":loadbalancer/")[1] : parent.includes(":listener/") ? parent.split(":listener/")[1] : `app/lb/${ctx.hex("lb", 16)}`;
  const arn = ctx.arn("elasticloadbalancing", `${kind}/${base}/${ctx.hex("id", 16)}`);
  return { id: arn, outputs: { arn } };
}

/** Types whose AWS ARN service differs from the module name. */
const ARN_SERVICE: Record<string, string> = {
  cloudwatch: "cloudwatch",
  lb: "elasticloadbalancing",
  alb: "elasticloadbalancing",
  elb: "elasticloadbalancing",
  appautoscaling: "application-autoscaling",
  sfn: "states",
  cognito: "cognito-idp",
  apigatewayv2: "apigateway",
  ebs: "ec2",
  vpc: "ec2",
  ec2transitgateway: "ec2",
  opensearch: "es",
  msk: "kafka",
  cfg: "config",
  efs: "elasticfilesystem",
};
/** Names the physical name of a resource goes by, in order of preference. */
const NAME_KEYS = ["name", "bucket", "identifier", "functionName", "clusterName", "repositoryName", "topicName", "queueName", "tableName", "alarmName", "roleName"];

/** The generic rule: an id from the physical name (or a prefixed hash), an ARN when declared. */
function generic(ctx: Ctx): ReturnType<Rule> {
  const { module, name: typeName } = parseToken(ctx.req.type);
  const nameKey = NAME_KEYS.find((k) => ctx.req.properties?.has(k) ?? k === "name");
  const physical = nameKey === undefined ? undefined : ctx.physical(nameKey);
  // s3 bucket sub-resources (policy, versioning, encryption, ...) are identified by the bucket.
  const id = (module === "s3" && str(ctx.inputs, "bucket")) || physical || `${kebab(typeName)}-${ctx.hex("id", 17)}`;
  const outputs: PropertyBag = {};
  if (nameKey !== undefined && physical !== undefined) outputs[nameKey] = physical;
  if (declares(ctx.req, "arn")) outputs["arn"] = ctx.arn(ARN_SERVICE[module] ?? module, `${lowerFirst(typeName).toLowerCase()}/${id}`);
  return { id, outputs, ...(nameKey === undefined ? {} : { names: [nameKey] }) };
}

function defaultTags(env: DefaultsEnv, provider: PropertyBag | undefined): PropertyBag {
  const fromProvider = obj(provider?.["defaultTags"])["tags"];
  if (fromProvider !== undefined) return obj(fromProvider);
  return obj(obj(configJson(env, "aws:defaultTags"))["tags"]);
}

/** Default outputs for an `aws:` resource. */
export const awsResource: Generator = (req): Generated => {
  const provider = req.env.providerInputs(req.provider);
  const region = regionOf(req.env, provider, req.inputs);
  const account = accountOf(req.env, provider);
  const { partition, dnsSuffix } = partitionOf(region);
  const ctx: Ctx = {
    req,
    inputs: req.inputs,
    region,
    account,
    partition,
    dnsSuffix,
    hex: (purpose, length) => hex(`${req.urn}#${purpose}`, length),
    arn: (service, resource, scope) =>
      scope === "no-account" ? `arn:${partition}:${service}:::${resource}` : scope === "global" ? `arn:${partition}:${service}::${account}:${resource}` : `arn:${partition}:${service}:${region}:${account}:${resource}`,
    physical: (key, opts = {}) => {
      const given = str(req.inputs, key);
      if (given !== undefined) return given;
      const prefix = str(req.inputs, `${key}Prefix`);
      let name = prefix === undefined ? `${req.name}-${hex(`${req.urn}#name`, 7)}` : `${prefix}${digits(req.urn, 26)}`;
      if (opts.lower === true) name = name.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
      if (opts.max !== undefined && name.length > opts.max) name = `${name.slice(0, opts.max - 8)}-${hex(`${req.urn}#name`, 7)}`;
      return name;
    },
  };
  const rule = RULES[req.type] ?? generic;
  const { id, outputs = {}, names = [] } = rule(ctx);
  const extra: PropertyBag = {};
  if (declares(req, "tagsAll") && req.properties !== undefined) extra["tagsAll"] = { ...defaultTags(req.env, provider), ...obj(req.inputs["tags"]) };
  if (req.properties?.has("region") === true) extra["region"] = region;
  if (req.properties?.has("ownerId") === true && outputs["ownerId"] === undefined) extra["ownerId"] = account;
  // Keep only outputs the SDK class declares (when known), so records look like the real thing.
  const all = { ...extra, ...outputs };
  const kept = req.properties === undefined ? all : Object.fromEntries(Object.entries(all).filter(([k]) => req.properties!.has(k)));
  return { id: req.id ?? id, outputs: kept, knownInPreview: [...names, "tagsAll", "region"] };
};

/** Three zones of `region` (`us-east-1a`, `use1-az1`, ...) less those excluded by name or id. */
function azs(region: string, inputs: PropertyBag): { names: string[]; zoneIds: string[] } {
  const excluded = new Set([...strings(inputs["excludeNames"]), ...strings(inputs["excludeZoneIds"])]);
  const zones = ["a", "b", "c"].map((l, i) => ({ name: `${region}${l}`, zoneId: `${regionCode(region)}-az${i + 1}` })).filter((z) => !excluded.has(z.name) && !excluded.has(z.zoneId));
  return { names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.zoneId) };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Statement objects of `aws.iam.getPolicyDocument` turned into the JSON AWS expects. */
function policyDocument(inputs: PropertyBag): PropertyBag {
  const list = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);
  const statements = (Array.isArray(inputs["statements"]) ? inputs["statements"] : []).map((raw: unknown) => {
    const s = obj(raw);
    const out: PropertyBag = {};
    if (s["sid"] !== undefined) out["Sid"] = s["sid"];
    out["Effect"] = s["effect"] ?? "Allow";
    const principals = (key: string): PropertyBag | undefined => {
      if (!Array.isArray(s[key])) return undefined;
      const p: PropertyBag = {};
      for (const e of s[key] as unknown[]) {
        const { type, identifiers } = obj(e) as { type?: string; identifiers?: unknown };
        if (type === "*" || type === undefined) return { AWS: "*" };
        p[type] = list(identifiers);
      }
      return p;
    };
    const pairs: Array<[string, unknown]> = [
      ["Action", list(s["actions"])],
      ["NotAction", list(s["notActions"])],
      ["Resource", list(s["resources"])],
      ["NotResource", list(s["notResources"])],
      ["Principal", principals("principals")],
      ["NotPrincipal", principals("notPrincipals")],
    ];
    for (const [k, v] of pairs) if (v !== undefined) out[k] = v;
    if (Array.isArray(s["conditions"])) {
      const cond: Record<string, PropertyBag> = {};
      for (const c of s["conditions"] as unknown[]) {
        const { test, variable, values } = obj(c) as { test: string; variable: string; values: unknown };
        cond[test] = { ...(cond[test] ?? {}), [variable]: list(values) };
      }
      out["Condition"] = cond;
    }
    return out;
  });
  const doc = { Version: inputs["version"] ?? "2012-10-17", ...(inputs["policyId"] === undefined ? {} : { Id: inputs["policyId"] }), Statement: statements };
  return { json: JSON.stringify(doc, null, 2), minifiedJson: JSON.stringify(doc), id: hex(JSON.stringify(doc), 10) };
}

/** Invokes answered out of the box. */
export const awsInvokes: Record<string, InvokeDefault> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs, env, provider) => {
    const region = regionOf(env, env.providerInputs(provider), inputs);
    // The provider echoes the arguments and fills in the region it asked.
    return { ...inputs, id: region, region, ...azs(region, inputs), groupNames: [region] };
  },
  "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, env, provider) => {
    const account = accountOf(env, env.providerInputs(provider));
    return { id: account, accountId: account, arn: `arn:aws:iam::${account}:user/polycloud-test`, userId: `AIDA${alnum(account, 17).toUpperCase()}` };
  },
  "aws:index/getRegion:getRegion": (inputs, env, provider) => {
    const region = str(inputs, "region") ?? str(inputs, "name") ?? regionOf(env, env.providerInputs(provider));
    return { id: region, name: region, region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
  },
  "aws:index/getRegions:getRegions": () => ({ id: "aws", names: ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"] }),
  "aws:index/getPartition:getPartition": (_inputs, env, provider) => {
    const { partition, dnsSuffix } = partitionOf(regionOf(env, env.providerInputs(provider)));
    return { id: partition, partition, dnsSuffix, reverseDnsPrefix: dnsSuffix.split(".").reverse().join(".") };
  },
  "aws:index/getDefaultTags:getDefaultTags": (_inputs, env, provider) => ({ id: "aws", tags: defaultTags(env, env.providerInputs(provider)) }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => policyDocument(inputs),
  "aws:ec2/getAmi:getAmi": (inputs, env, provider) => {
    const region = regionOf(env, env.providerInputs(provider));
    const id = `ami-0${hex(`${region}${JSON.stringify(inputs)}`, 16)}`;
    return { id, imageId: id, arn: `arn:aws:ec2:${region}::image/${id}`, name: "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64", architecture: "x86_64", ownerId: "137112412989", rootDeviceName: "/dev/xvda" };
  },
  "aws:ec2/getVpc:getVpc": (inputs, env, provider) => {
    const region = regionOf(env, env.providerInputs(provider));
    const id = str(inputs, "id") ?? `vpc-0${hex(`${region}#default-vpc`, 16)}`;
    return { id, cidrBlock: "172.31.0.0/16", default: true, arn: `arn:aws:ec2:${region}:${accountOf(env, env.providerInputs(provider))}:vpc/${id}`, state: "available" };
  },
  "aws:ec2/getSubnets:getSubnets": (_inputs, env, provider) => {
    const region = regionOf(env, env.providerInputs(provider));
    return { id: region, ids: ["a", "b", "c"].map((l) => `subnet-0${hex(`${region}#default-subnet-${l}`, 16)}`) };
  },
  "aws:elb/getServiceAccount:getServiceAccount": (_inputs, env, provider) => {
    const region = regionOf(env, env.providerInputs(provider));
    return { id: "127311923021", arn: "arn:aws:iam::127311923021:root", region };
  },
};
