import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { HARNESS_DEFAULTS, Match, runProgram } from "./index";
import type { PropertyBag } from "./index";

describe("default outputs", () => {
  it("AWS: ids in the real formats, ARNs from aws:region and the account", async () => {
    const plan = await runProgram(
      () => {
        const vpc = new aws.ec2.Vpc("main", { cidrBlock: "10.0.0.0/16" });
        new aws.ec2.Subnet("a", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24", availabilityZone: "eu-west-1b" });
        new aws.ec2.SecurityGroup("web", { vpcId: vpc.id });
        new aws.ec2.InternetGateway("igw", { vpcId: vpc.id });
        new aws.ec2.NatGateway("nat", { subnetId: "subnet-1", allocationId: "eipalloc-1" });
        new aws.s3.Bucket("logs");
        new aws.iam.Role("task", { assumeRolePolicy: "{}" });
        new aws.kms.Key("key");
        new aws.rds.Instance("db", { engine: "postgres", instanceClass: "db.t4g.micro", manageMasterUserPassword: true });
        new aws.elasticache.ReplicationGroup("cache", { description: "c" });
        new aws.lb.LoadBalancer("alb", { internal: true });
        new aws.ecs.Cluster("cluster");
        new aws.acm.Certificate("cert", { domainName: "app.example.com", validationMethod: "DNS" });
        new aws.secretsmanager.Secret("s");
        new aws.cloudwatch.LogGroup("lg");
      },
      { config: { "aws:region": "eu-west-1", "aws:allowedAccountIds": ["210987654321"] } },
    );
    const out = (type: string): PropertyBag => {
      const r = plan.resources(type)[0]!;
      return { id: r.id, ...r.outputs };
    };
    expect(out("aws:ec2/vpc:Vpc")).toMatchObject({ id: expect.stringMatching(/^vpc-0[0-9a-f]{16}$/), arn: expect.stringMatching(/^arn:aws:ec2:eu-west-1:210987654321:vpc\/vpc-0/), defaultSecurityGroupId: expect.stringMatching(/^sg-0/) });
    expect(out("aws:ec2/subnet:Subnet")).toMatchObject({ id: expect.stringMatching(/^subnet-0[0-9a-f]{16}$/), availabilityZone: "eu-west-1b", availabilityZoneId: "euw1-az2" });
    expect(out("aws:ec2/securityGroup:SecurityGroup")).toMatchObject({ id: expect.stringMatching(/^sg-0[0-9a-f]{16}$/), name: expect.stringMatching(/^web-[0-9a-f]{7}$/) });
    expect(out("aws:ec2/internetGateway:InternetGateway").id).toMatch(/^igw-0/);
    expect(out("aws:ec2/natGateway:NatGateway")).toMatchObject({ id: expect.stringMatching(/^nat-0/), publicIp: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) });
    expect(out("aws:s3/bucket:Bucket")).toMatchObject({ id: expect.stringMatching(/^logs-[0-9a-f]{7}$/), arn: expect.stringMatching(/^arn:aws:s3:::logs-/), bucketRegionalDomainName: expect.stringMatching(/\.s3\.eu-west-1\.amazonaws\.com$/) });
    expect(out("aws:iam/role:Role")).toMatchObject({ arn: expect.stringMatching(/^arn:aws:iam::210987654321:role\/task-[0-9a-f]{7}$/) });
    expect(out("aws:kms/key:Key")).toMatchObject({ arn: expect.stringMatching(/^arn:aws:kms:eu-west-1:210987654321:key\/[0-9a-f-]{36}$/) });
    expect(out("aws:rds/instance:Instance")).toMatchObject({ endpoint: expect.stringMatching(/^db-[0-9a-f]{7}\.[a-z0-9]{12}\.eu-west-1\.rds\.amazonaws\.com:5432$/), port: 5432, masterUserSecrets: [{ secretArn: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:/) }] });
    expect(out("aws:elasticache/replicationGroup:ReplicationGroup")).toMatchObject({ primaryEndpointAddress: expect.stringMatching(/^master\.cache-[0-9a-f]{7}\.[a-z0-9]{6}\.euw1\.cache\.amazonaws\.com$/), port: 6379 });
    expect(out("aws:lb/loadBalancer:LoadBalancer")).toMatchObject({ dnsName: expect.stringMatching(/^internal-alb-[0-9a-f]{7}-\d{10}\.eu-west-1\.elb\.amazonaws\.com$/), arnSuffix: expect.stringMatching(/^app\/alb-/) });
    expect(out("aws:ecs/cluster:Cluster").id).toMatch(/^arn:aws:ecs:eu-west-1:210987654321:cluster\/cluster-/);
    expect(out("aws:acm/certificate:Certificate")).toMatchObject({ domainValidationOptions: [{ domainName: "app.example.com", resourceRecordType: "CNAME", resourceRecordName: expect.stringMatching(/\.app\.example\.com\.$/) }] });
    expect(out("aws:secretsmanager/secret:Secret").arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:210987654321:secret:s-[0-9a-f]{7}-[a-z0-9]{6}$/);
    expect(out("aws:cloudwatch/logGroup:LogGroup").arn).toMatch(/^arn:aws:logs:eu-west-1:210987654321:log-group:lg-/);
  });

  it("AWS: tagsAll merges the provider's default tags", async () => {
    const plan = await runProgram(() => void new aws.s3.Bucket("b", { tags: { app: "shop" } }), { config: { "aws:defaultTags": { tags: { team: "core" } } } });
    expect(plan.find(aws.s3.Bucket).outputs.tagsAll).toEqual({ team: "core", app: "shop" });
  });

  it("AWS: availability zones follow aws:region, an explicit provider or the invoke's region, which they report", async () => {
    const plan = await runProgram(
      async () => {
        const west = new aws.Provider("west", { region: "us-west-2" });
        const [configured, viaProvider, asked] = await Promise.all([
          aws.getAvailabilityZones({ state: "available" }),
          aws.getAvailabilityZones({}, { provider: west }),
          aws.getAvailabilityZones({ region: "ap-southeast-2", excludeNames: ["ap-southeast-2b"] }),
        ]);
        return { configured, viaProvider, asked };
      },
      { config: { "aws:region": "eu-central-1" } },
    );
    expect(plan.outputs.configured).toMatchObject({
      region: "eu-central-1",
      names: ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
      zoneIds: ["euc1-az1", "euc1-az2", "euc1-az3"],
      groupNames: ["eu-central-1"],
      state: "available",
    });
    expect(plan.outputs.viaProvider).toMatchObject({ region: "us-west-2", names: ["us-west-2a", "us-west-2b", "us-west-2c"] });
    expect(plan.outputs.asked).toMatchObject({ region: "ap-southeast-2", names: ["ap-southeast-2a", "ap-southeast-2c"], zoneIds: ["apse2-az1", "apse2-az3"] });
    const byDefault = await runProgram(async () => ({ region: (await aws.getAvailabilityZones()).region }));
    expect(byDefault.outputs.region).toBe(HARNESS_DEFAULTS.aws.region);
  });

  it("Azure: ARM resource ids under the subscription and resource group", async () => {
    const plan = await runProgram(
      () => {
        const rg = new azure.resources.ResourceGroup("rg", { resourceGroupName: "app-rg", location: "westeurope" });
        const vnet = new azure.network.VirtualNetwork("vnet", { resourceGroupName: rg.name, addressSpace: { addressPrefixes: ["10.0.0.0/16"] } });
        new azure.network.Subnet("app", { resourceGroupName: rg.name, virtualNetworkName: vnet.name, addressPrefix: "10.0.1.0/24" });
        new azure.keyvault.Vault("kv", { resourceGroupName: rg.name, properties: { tenantId: "t", sku: { family: "A", name: "standard" } } });
        new azure.dbforpostgresql.Server("pg", { resourceGroupName: rg.name });
        new azure.managedidentity.UserAssignedIdentity("id", { resourceGroupName: rg.name });
        const redis = new azure.redisenterprise.RedisEnterprise("cache", { resourceGroupName: rg.name, clusterName: "shop-cache", sku: { name: "Balanced_B0" }, publicNetworkAccess: "Disabled" });
        new azure.redisenterprise.Database("db", { resourceGroupName: rg.name, clusterName: redis.name, databaseName: "default" });
      },
      { provider: "azure", config: { "azure-native:subscriptionId": "11111111-2222-3333-4444-555555555555" } },
    );
    const sub = "/subscriptions/11111111-2222-3333-4444-555555555555";
    expect(plan.find(azure.resources.ResourceGroup).id).toBe(`${sub}/resourceGroups/app-rg`);
    const vnet = plan.find(azure.network.VirtualNetwork);
    expect(vnet.id).toMatch(new RegExp(`^${sub}/resourceGroups/app-rg/providers/Microsoft.Network/virtualNetworks/vnet[0-9a-f]{8}$`));
    expect(vnet.outputs).toMatchObject({ location: "westeurope", type: "Microsoft.Network/virtualNetworks" });
    expect(plan.find(azure.network.Subnet).id).toBe(`${vnet.id}/subnets/${plan.find(azure.network.Subnet).outputs.name}`);
    expect(plan.find(azure.keyvault.Vault).outputs.properties?.vaultUri).toMatch(/^https:\/\/kv[0-9a-f]{8}\.vault\.azure\.net\/$/);
    expect(plan.find(azure.dbforpostgresql.Server).outputs.fullyQualifiedDomainName).toMatch(/\.postgres\.database\.azure\.com$/);
    expect(plan.find(azure.managedidentity.UserAssignedIdentity).outputs).toMatchObject({ principalId: expect.stringMatching(/^[0-9a-f-]{36}$/), clientId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    // Azure Managed Redis: the cluster's host in its region, the database on port 10000 under the cluster's id.
    const redis = plan.find(azure.redisenterprise.RedisEnterprise);
    expect(redis.id).toBe(`${sub}/resourceGroups/app-rg/providers/Microsoft.Cache/redisEnterprise/shop-cache`);
    expect(redis.outputs.hostName).toBe("shop-cache.westeurope.redis.azure.net");
    expect(plan.find(azure.redisenterprise.Database)).toMatchObject({ id: `${redis.id}/databases/default`, outputs: { port: 10000 } });
  });

  it("Azure: answers getClientConfig and getResourceGroup from the stack config and the program's resource groups", async () => {
    const sub = "11111111-2222-3333-4444-555555555555";
    const plan = await runProgram(
      () => {
        const rg = new azure.resources.ResourceGroup("rg", { resourceGroupName: "app-rg", location: "northeurope" });
        const client = azure.authorization.getClientConfigOutput();
        const found = azure.resources.getResourceGroupOutput({ resourceGroupName: rg.name });
        const elsewhere = azure.resources.getResourceGroupOutput({ resourceGroupName: "shared-rg" });
        const callback = azure.logic.listWorkflowTriggerCallbackUrlOutput({ resourceGroupName: rg.name, workflowName: "rollback", triggerName: "alert" });
        return { client, found, elsewhere, callback };
      },
      { provider: "azure", config: { "azure-native:subscriptionId": sub } },
    );
    expect(plan.outputs["client"]).toEqual({
      clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      objectId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      subscriptionId: sub,
      tenantId: HARNESS_DEFAULTS.azure.tenantId,
    });
    expect(plan.outputs["callback"].value).toMatch(/^https:\/\/prod-00\.[a-z0-9]+\.logic\.azure\.com\/workflows\/[0-9a-f]{32}\/triggers\/alert\/paths\/invoke\?api-version=2016-10-01&sp=%2Ftriggers%2Falert%2Frun&sv=1\.0&sig=[A-Za-z0-9]{43}$/);
    expect(plan.outputs["found"]).toMatchObject({ id: `/subscriptions/${sub}/resourceGroups/app-rg`, name: "app-rg", location: "northeurope", type: "Microsoft.Resources/resourceGroups" });
    // A group the program did not create sits in the stack's location.
    expect(plan.outputs["elsewhere"]).toMatchObject({ id: `/subscriptions/${sub}/resourceGroups/shared-rg`, location: HARNESS_DEFAULTS.azure.location });
  });

  it("GCP: ids and selfLinks from gcp:project and gcp:region", async () => {
    const plan = await runProgram(
      () => {
        const net = new gcp.compute.Network("vpc", { autoCreateSubnetworks: false });
        new gcp.compute.Subnetwork("app", { network: net.id, ipCidrRange: "10.10.0.0/20" });
        new gcp.sql.DatabaseInstance("pg", { databaseVersion: "POSTGRES_16", settings: { tier: "db-f1-micro" } });
        new gcp.serviceaccount.Account("run", { accountId: "api-runner" });
        new gcp.cloudrunv2.Service("api", { location: "europe-west1", template: { containers: [{ image: "nginx" }] } });
        new gcp.storage.Bucket("assets", { location: "EU", labels: { team: "web" } });
      },
      { config: { "gcp:project": "acme-prod", "gcp:region": "europe-west1" } },
    );
    const net = plan.find(gcp.compute.Network);
    expect(net.id).toMatch(/^projects\/acme-prod\/global\/networks\/vpc-[0-9a-f]{7}$/);
    expect(net.outputs.selfLink).toBe(`https://www.googleapis.com/compute/v1/${net.id}`);
    expect(plan.find(gcp.compute.Subnetwork).outputs).toMatchObject({ gatewayAddress: "10.10.0.1", selfLink: expect.stringMatching(/\/projects\/acme-prod\/regions\/europe-west1\/subnetworks\/app-/) });
    expect(plan.find(gcp.sql.DatabaseInstance).outputs.connectionName).toMatch(/^acme-prod:europe-west1:pg-[0-9a-f]{7}$/);
    expect(plan.find(gcp.serviceaccount.Account).outputs.email).toBe("api-runner@acme-prod.iam.gserviceaccount.com");
    expect(plan.find(gcp.cloudrunv2.Service).outputs.uri).toMatch(/^https:\/\/api-[0-9a-f]{7}-\d{12}\.europe-west1\.run\.app$/);
    expect(plan.find(gcp.storage.Bucket).outputs).toMatchObject({ url: expect.stringMatching(/^gs:\/\/assets-/), effectiveLabels: { team: "web", "goog-pulumi-provisioned": "true" } });
  });

  it("Kubernetes: namespace/name ids, auto-names and server-set fields", async () => {
    const plan = await runProgram(() => {
      const ns = new k8s.core.v1.Namespace("apps", { metadata: { name: "apps" } });
      new k8s.apps.v1.Deployment("api", { metadata: { namespace: ns.metadata.name }, spec: { replicas: 3, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "nginx" }] } } } });
      new k8s.core.v1.Service("lb", { spec: { type: "LoadBalancer", ports: [{ port: 80 }] } });
    });
    expect(plan.find(k8s.core.v1.Namespace).id).toBe("apps");
    const dep = plan.find(k8s.apps.v1.Deployment);
    expect(dep.id).toMatch(/^apps\/api-[a-z0-9]{8}$/);
    expect(dep.outputs).toMatchObject({ metadata: { namespace: "apps", uid: expect.stringMatching(/^[0-9a-f-]{36}$/) }, status: { readyReplicas: 3 } });
    const svc = plan.find(k8s.core.v1.Service);
    expect(svc.id).toMatch(/^default\/lb-/);
    expect(svc.outputs.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^203\.0\./);
    expect(svc.outputs.spec?.clusterIP).toMatch(/^10\.96\./);
  });

  it("random: results that respect the inputs; passwords stay secret", async () => {
    const plan = await runProgram(() => {
      const pw = new random.RandomPassword("pw", { length: 24, special: false });
      new random.RandomPassword("full", { length: 32, minSpecial: 2 });
      new random.RandomString("suffix-chars", { length: 6, upper: false, special: false });
      new random.RandomId("suffix", { byteLength: 4 });
      return { pw: pw.result };
    });
    const pw = plan.find(random.RandomPassword, "pw");
    expect(pw.outputs.result).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(pw).toMatchObject({ secretOutputs: expect.arrayContaining(["result", "bcryptHash"]) });
    const full = plan.find(random.RandomPassword, "full").outputs.result as string;
    expect(full).toHaveLength(32);
    for (const cls of [/[A-Z]/, /[a-z]/, /[0-9]/]) expect(full).toMatch(cls);
    expect(full.replace(/[A-Za-z0-9]/g, "").length).toBeGreaterThanOrEqual(2);
    expect(plan.find(random.RandomPassword, "full").secretOutputs).toContain("result");
    // As with the real provider, a RandomString's result (also its id) is not secret.
    const chars = plan.find(random.RandomString);
    expect(chars).toMatchObject({ id: chars.outputs.result, secretOutputs: [] });
    expect(chars.outputs.result).toMatch(/^[a-z0-9]{6}$/);
    expect(plan.secretOutputs).toEqual(["pw"]);
    expect(plan.find(random.RandomId).outputs.hex).toMatch(/^[0-9a-f]{8}$/);
  });

  it("a multi-cloud program gets each resource's own cloud's outputs", async () => {
    const plan = await runProgram(() => {
      new aws.s3.Bucket("a");
      new gcp.storage.Bucket("g", { location: "US" });
    }, { provider: "gcp" });
    plan.hasResource(aws.s3.Bucket, Match.anyValue());
    expect(plan.find(aws.s3.Bucket).outputs.arn).toMatch(/^arn:aws:s3:::a-/);
    expect(plan.find(gcp.storage.Bucket).outputs.url).toMatch(/^gs:\/\/g-/);
  });
});
