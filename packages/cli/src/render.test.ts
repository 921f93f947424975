import { concernCounts, countByType, mermaid, resourceTree, type GraphResource } from "./render";

const urn = (type: string, name: string) => `urn:pulumi:dev::shop::${type}::${name}`;
const resource = (type: string, name: string, parent?: GraphResource, extra: Partial<GraphResource> = {}): GraphResource => ({
  urn: urn(type, name),
  type,
  name,
  ...(parent === undefined ? {} : { parent: parent.urn }),
  custom: !type.startsWith("polycloud:"),
  dependencies: [],
  protect: false,
  ...extra,
});

const platform = resource("polycloud:platform:Platform", "shop");
const network = resource("polycloud:aws:Network", "shop-network", platform);
const vpc = resource("aws:ec2/vpc:Vpc", "shop-vpc", network);
const subnet = resource("aws:ec2/subnet:Subnet", "shop-subnet-a", network, { dependencies: [urn("aws:ec2/vpc:Vpc", "shop-vpc")] });
const database = resource("polycloud:aws:Database", "shop-db", platform);
// A component nested inside a concern component: its resources still count for the outer concern.
const dbSecret = resource("polycloud:aws:ConnectionSecret", "shop-db-url", database);
const instance = resource("aws:rds/instance:Instance", "shop-db", database, { protect: true, dependencies: [subnet.urn, database.urn] });
const secretVersion = resource("aws:secretsmanager/secretVersion:SecretVersion", "shop-db-url", dbSecret);
const service = resource("polycloud:aws:WebService", "shop-api", platform);
const task = resource("aws:ecs/service:Service", "shop-api", service);
const stray = resource("random:index/randomId:RandomId", "shop-suffix", platform);
const ALL = [platform, network, vpc, subnet, database, dbSecret, instance, secretVersion, service, task, stray];

describe("concernCounts", () => {
  it("counts each provider resource under the backend component it belongs to, when components nest", () => {
    expect(concernCounts(ALL)).toEqual({ networking: 2, compute: 1, storage: 2, secrets: 0, monitoring: 0, other: 1 });
  });

  it("counts the ECS cluster as compute, backups as storage and the audit trail as monitoring", () => {
    const under = (type: string) => {
      const component = resource(type, type.split(":")[2]!, platform);
      return [component, resource("aws:x/y:Z", `${component.name}-child`, component)];
    };
    const all = [platform, ...under("polycloud:aws:Cluster"), ...under("polycloud:aws:BackupPlan"), ...under("polycloud:aws:AuditTrail")];
    expect(concernCounts(all)).toEqual({ networking: 0, compute: 1, storage: 1, secrets: 0, monitoring: 1, other: 0 });
  });
});

describe("countByType", () => {
  it("counts resources per type token, sorted", () => {
    expect(Object.entries(countByType([vpc, subnet, instance, resource("aws:ec2/subnet:Subnet", "b", network)]))).toEqual([
      ["aws:ec2/subnet:Subnet", 2],
      ["aws:ec2/vpc:Vpc", 1],
      ["aws:rds/instance:Instance", 1],
    ]);
  });
});

describe("resourceTree", () => {
  it("draws children under their parents like pulumi preview, marking protected resources", () => {
    expect(resourceTree([platform, network, vpc, subnet, database, instance]).map((l) => l.trimEnd())).toEqual([
      "     Type                             Name",
      " +   polycloud:platform:Platform      shop",
      " +   ├─ polycloud:aws:Network         shop-network",
      " +   │  ├─ aws:ec2/vpc:Vpc            shop-vpc",
      " +   │  └─ aws:ec2/subnet:Subnet      shop-subnet-a",
      " +   └─ polycloud:aws:Database        shop-db",
      " +      └─ aws:rds/instance:Instance  shop-db (protected)",
    ]);
  });
});

describe("mermaid", () => {
  it("draws parent edges solid, dependency edges dotted, components rounded, when given a graph", () => {
    expect(mermaid([platform, database, subnet, instance])).toBe(
      [
        "flowchart TD",
        '  r0("polycloud:platform:Platform<br/>shop")',
        '  r1("polycloud:aws:Database<br/>shop-db")',
        '  r2["aws:ec2/subnet:Subnet<br/>shop-subnet-a"]',
        '  r3["aws:rds/instance:Instance<br/>shop-db"]',
        "  r0 --> r1",
        "  r1 --> r3",
        // the subnet's parent (the network) and vpc are not in this graph: no edges to them
        "  r3 -.-> r2",
        "",
      ].join("\n"),
    );
  });

  it("escapes quotes in names so the diagram still parses", () => {
    expect(mermaid([resource("x:y:Z", 'a"b')])).toContain('["x:y:Z<br/>a#quot;b"]');
  });
});
