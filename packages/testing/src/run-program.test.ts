import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PolycloudError } from "@polycloud/core";
import * as testing from "./index";
import { Match, ProgramHangError, runProgram, secretConfig, UNKNOWN } from "./index";

class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  constructor(name: string, args: { cidr: pulumi.Input<string> }, opts?: pulumi.ComponentResourceOptions) {
    super("polycloud:aws:Network", name, {}, opts);
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.cidr }, { parent: this });
    new aws.ec2.Subnet(`${name}-a`, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" }, { parent: this });
    this.vpcId = vpc.id;
    this.registerOutputs({ vpcId: vpc.id });
  }
}

describe("runProgram", () => {
  it("records each resource with its URN, type, name, parent and dependencies", async () => {
    const plan = await runProgram(() => {
      const net = new Network("net", { cidr: "10.0.0.0/16" });
      return { vpcId: net.vpcId };
    });
    const net = plan.find("polycloud:aws:Network", "net");
    const vpc = plan.find(aws.ec2.Vpc, "net-vpc");
    const subnet = plan.find(aws.ec2.Subnet, "net-a");
    expect(net).toMatchObject({ urn: "urn:pulumi:stack::project::polycloud:aws:Network::net", custom: false, outputs: { vpcId: vpc.id } });
    expect(net.parent).toBeUndefined();
    expect(vpc).toMatchObject({ urn: "urn:pulumi:stack::project::polycloud:aws:Network$aws:ec2/vpc:Vpc::net-vpc", parent: net.urn, custom: true });
    expect(subnet.inputs.vpcId).toBe(vpc.id);
    expect(subnet.dependencies).toEqual([vpc.urn]);
    expect(plan.children(net).map((r) => r.name)).toEqual(["net-vpc", "net-a"]);
    expect(plan.outputs).toEqual({ vpcId: vpc.id });
  });

  it("records protect, retainOnDelete, ignoreChanges, aliases, deleteBeforeReplace and additionalSecretOutputs", async () => {
    const plan = await runProgram(() => {
      const key = new aws.kms.Key("key", {});
      const provider = new aws.Provider("west", { region: "us-west-2" });
      new aws.s3.Bucket(
        "data",
        {},
        {
          protect: true,
          retainOnDelete: true,
          ignoreChanges: ["tags"],
          aliases: [{ name: "old-data" }, "urn:pulumi:stack::project::aws:s3/bucket:Bucket::legacy"],
          deleteBeforeReplace: true,
          additionalSecretOutputs: ["bucketDomainName"],
          dependsOn: [key],
          provider,
        },
      );
    });
    const bucket = plan.find(aws.s3.Bucket, "data");
    expect(bucket.options).toMatchObject({
      protect: true,
      retainOnDelete: true,
      ignoreChanges: ["tags"],
      deleteBeforeReplace: true,
      additionalSecretOutputs: ["bucketDomainName"],
    });
    // The SDK adds its own type aliases (BucketV2 -> Bucket); the program's come first.
    expect(bucket.options.aliases.slice(0, 2)).toEqual([{ name: "old-data" }, "urn:pulumi:stack::project::aws:s3/bucket:Bucket::legacy"]);
    expect(bucket.dependencies).toContain(plan.find(aws.kms.Key).urn);
    expect(bucket.provider).toBe(plan.find("pulumi:providers:aws", "west").urn);
    expect(bucket.secretOutputs).toContain("bucketDomainName");
    // The explicit provider's region reaches the defaults.
    expect(bucket.outputs.bucketRegionalDomainName).toMatch(/\.s3\.us-west-2\.amazonaws\.com$/);
    expect(plan.find(aws.kms.Key).options).toMatchObject({ protect: false, retainOnDelete: false, aliases: [] });
  });

  it("gives the same ids and outputs for the same program and config", async () => {
    const program = (): void => {
      const vpc = new aws.ec2.Vpc("main", { cidrBlock: "10.0.0.0/16" });
      new aws.ec2.SecurityGroup("web", { vpcId: vpc.id });
      new gcp.storage.Bucket("assets", { location: "EU" });
    };
    const options = { config: { "aws:region": "eu-west-1", "gcp:project": "acme" } };
    const [a, b] = [await runProgram(program, options), await runProgram(program, options)];
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.find(aws.ec2.Vpc).id).toMatch(/^vpc-0[0-9a-f]{16}$/);
    const c = await runProgram(program, { config: { "aws:region": "us-west-2" } });
    expect(c.find(aws.ec2.Vpc).outputs.arn).toMatch(/^arn:aws:ec2:us-west-2:/);
  });

  it("isolates runs: no shared resources, config or stack", async () => {
    const first = await runProgram(
      () => {
        new aws.s3.Bucket("only-in-first");
        return { region: aws.config.region, app: new pulumi.Config().get("name"), stack: pulumi.getStack() };
      },
      { config: { "aws:region": "eu-west-1", name: "first" }, stack: "dev", project: "one" },
    );
    const second = await runProgram(() => ({ region: aws.config.region ?? "unset", app: new pulumi.Config().get("name") ?? "unset", stack: pulumi.getStack() }));
    expect(first.outputs).toEqual({ region: "eu-west-1", app: "first", stack: "dev" });
    expect(first.find(aws.s3.Bucket).urn).toBe("urn:pulumi:dev::one::aws:s3/bucket:Bucket::only-in-first");
    expect(second.resources()).toEqual([]);
    expect(second.outputs).toEqual({ region: "unset", app: "unset", stack: "stack" });
  });

  it("isolates concurrent runs", async () => {
    const run = (region: string, name: string) =>
      runProgram(
        async () => {
          await new Promise((r) => setTimeout(r, 5));
          new aws.s3.Bucket(name);
          return { region: aws.config.region };
        },
        { config: { "aws:region": region } },
      );
    const [a, b] = await Promise.all([run("eu-west-1", "a"), run("ap-south-1", "b")]);
    expect(a.resources().map((r) => r.name)).toEqual(["a"]);
    expect(b.resources().map((r) => r.name)).toEqual(["b"]);
    expect([a.outputs.region, b.outputs.region]).toEqual(["eu-west-1", "ap-south-1"]);
  });

  it("keeps a failed run's resources out of the next run", async () => {
    const err = new Error("late failure");
    await expect(
      runProgram(() => {
        for (let i = 0; i < 20; i++) new aws.s3.Bucket(`left-${i}`);
        throw err;
      }),
    ).rejects.toBe(err);
    const next = await runProgram(() => void new aws.s3.Bucket("mine"));
    expect(next.resources().map((r) => r.name)).toEqual(["mine"]);
  });

  it("fails fast, naming the pending resources, when an input never resolves", async () => {
    const never = new Promise<string>(() => undefined);
    const started = Date.now();
    const run = runProgram(
      () => {
        const logs = new aws.s3.Bucket("logs", { bucket: never });
        new aws.s3.BucketPolicy("logs-policy", { bucket: logs.id, policy: "{}" });
      },
      { timeoutMs: 200 },
    );
    await expect(run).rejects.toThrow(ProgramHangError);
    await expect(run).rejects.toThrow(/aws:s3\/bucket:Bucket "logs": input "bucket" never resolves/);
    await expect(run).rejects.toThrow(/aws:s3\/bucketPolicy:BucketPolicy "logs-policy": input "bucket" waits for aws:s3\/bucket:Bucket "logs"/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("fails fast on a cycle between resources", async () => {
    const run = runProgram(
      () => {
        let resolveName: (v: string) => void = () => undefined;
        const name = new Promise<string>((r) => (resolveName = r));
        const a = new aws.s3.Bucket("a", { bucket: name });
        const b = new aws.s3.Bucket("b", { bucket: a.bucket });
        b.bucket.apply(resolveName);
      },
      { timeoutMs: 200 },
    );
    await expect(run).rejects.toThrow(/aws:s3\/bucket:Bucket "b": input "bucket" waits for aws:s3\/bucket:Bucket "a"/);
  });

  it("names a stack output that never resolves", async () => {
    await expect(runProgram(() => ({ x: pulumi.output(new Promise<string>(() => undefined)) }), { timeoutMs: 200 })).rejects.toThrow(/the stack outputs/);
  });

  it("surfaces an error thrown by the program as that error", async () => {
    const err = new Error("boom");
    await expect(
      runProgram(() => {
        new aws.s3.Bucket("b");
        throw err;
      }),
    ).rejects.toBe(err);
    await expect(runProgram(async () => Promise.reject(err))).rejects.toBe(err);
  });

  it("surfaces an error thrown inside apply as that error", async () => {
    const err = new Error("cidr must be a /16");
    await expect(runProgram(() => new Network("net", { cidr: pulumi.output("10.0.0.0/24").apply(() => { throw err; }) }))).rejects.toBe(err);
  });

  it("rejects a mock handler's answer that is not an object with a PolycloudError", async () => {
    const run = runProgram(() => new aws.s3.Bucket("b"), { mocks: { "aws:s3/bucket:Bucket": () => ["arn"] as never } });
    await expect(run).rejects.toThrow(PolycloudError);
    await expect(run).rejects.toThrow('options.mocks["aws:s3/bucket:Bucket"]: returned an array, expected an object of outputs or undefined');
  });

  it("names the resource when its mock handler throws", async () => {
    await expect(
      runProgram(() => new aws.s3.Bucket("b"), {
        mocks: {
          "aws:s3/bucket:Bucket": () => {
            throw new Error("quota exceeded");
          },
        },
      }),
    ).rejects.toThrow('aws:s3/bucket:Bucket "b": quota exceeded');
  });

  it("fails an unmocked invoke with its token and how to add a handler", async () => {
    const run = runProgram(() => new aws.s3.Bucket("b", { bucket: aws.ec2.getAmiIdsOutput({ owners: ["amazon"] }).ids[0]! }));
    await expect(run).rejects.toThrow('no mock answers the invoke "aws:ec2/getAmiIds:getAmiIds" (called with "owners")');
    await expect(run).rejects.toThrow('mocks: { "aws:ec2/getAmiIds:getAmiIds": (args) => ({ /* result fields */ }) }');
  });

  it("lets handlers override outputs, ids and invoke results", async () => {
    const plan = await runProgram(
      async () => {
        const ami = await aws.ec2.getAmiIds({ owners: ["amazon"] });
        const region = await aws.getRegion();
        const db = new aws.rds.Instance("db", { engine: "postgres", instanceClass: "db.t4g.micro" });
        return { ami: ami.ids[0], region: region.name, endpoint: db.endpoint, id: db.id };
      },
      {
        config: { "aws:region": "eu-central-1" },
        mocks: {
          "aws:ec2/getAmiIds:getAmiIds": () => ({ ids: ["ami-0123"] }),
          "aws:index/getRegion:getRegion": ({ defaults }) => ({ description: `was ${String(defaults["name"])}` }),
          "aws:rds/instance:Instance": ({ name, defaults }) => ({ id: `${name}-custom`, endpoint: "db.internal:5432", address: String(defaults["address"]) }),
        },
      },
    );
    expect(plan.outputs).toEqual({ ami: "ami-0123", region: "eu-central-1", endpoint: "db.internal:5432", id: "db-custom" });
    expect(plan.find(aws.rds.Instance).outputs.address).toMatch(/\.eu-central-1\.rds\.amazonaws\.com$/);
    expect(plan.invokes.map((i) => i.token)).toEqual(["aws:ec2/getAmiIds:getAmiIds", "aws:index/getRegion:getRegion"]);
  });

  it("answers common invokes out of the box", async () => {
    const plan = await runProgram(
      async () => {
        const [azs, me, region, partition] = await Promise.all([aws.getAvailabilityZones(), aws.getCallerIdentity(), aws.getRegion(), aws.getPartition()]);
        const project = await gcp.organizations.getProject({});
        const client = await gcp.organizations.getClientConfig();
        return { azs: azs.names, account: me.accountId, region: region.name, partition: partition.partition, project: project.projectId, number: project.number, gcpRegion: client.region };
      },
      { provider: "aws", config: { "aws:allowedAccountIds": ["111122223333"], "gcp:project": "acme-prod", "gcp:region": "europe-west1" } },
    );
    expect(plan.outputs).toMatchObject({
      azs: ["us-east-1a", "us-east-1b", "us-east-1c"],
      account: "111122223333",
      region: "us-east-1",
      partition: "aws",
      project: "acme-prod",
      gcpRegion: "europe-west1",
    });
    expect(plan.outputs.number).toMatch(/^\d{12}$/);
  });

  it("namespaces bare config keys with the project and keeps secret config secret", async () => {
    const plan = await runProgram(
      () => {
        const config = new pulumi.Config();
        const password = config.requireSecret("dbPassword");
        new aws.rds.Instance("db", { engine: "postgres", instanceClass: "db.t4g.micro", password });
        return { replicas: config.requireNumber("replicas"), tags: config.requireObject<Record<string, string>>("tags"), password };
      },
      { project: "shop", config: { replicas: 3, "shop:tags": { team: "payments" }, dbPassword: secretConfig("hunter2") } },
    );
    const db = plan.find(aws.rds.Instance);
    expect(db.inputs.password).toBe("hunter2");
    expect(db.secretInputs).toEqual(["password"]);
    expect(plan.outputs).toMatchObject({ replicas: 3, tags: { team: "payments" }, password: "hunter2" });
    expect(plan.secretOutputs).toEqual(["password"]);
    expect(JSON.stringify(plan.toJSON())).not.toContain("hunter2");
  });

  it("unwraps secret inputs and flags their paths", async () => {
    const plan = await runProgram(() => {
      new aws.ssm.Parameter("p", { type: "SecureString", value: pulumi.secret("s3cr3t"), tags: { owner: "me" } });
    });
    const p = plan.find(aws.ssm.Parameter);
    expect(p.inputs.value).toBe("s3cr3t");
    expect(p.secretInputs).toEqual(["value"]);
    expect(p.secretOutputs).toContain("value");
  });

  it("keeps nested secret inputs secret in the outputs it invents around them", async () => {
    const plan = await runProgram(() => {
      new k8s.core.v1.Secret("db", { metadata: { name: "db", annotations: { token: pulumi.secret("annotated-s3cr3t") } }, stringData: { password: pulumi.secret("hunter2-s3cr3t") } });
      new k8s.core.v1.Service("lb", { spec: { type: "LoadBalancer", loadBalancerIP: pulumi.secret("10.9.9.9"), ports: [{ port: 80 }] } });
    });
    const secret = plan.find(k8s.core.v1.Secret);
    const service = plan.find(k8s.core.v1.Service);
    // The invented metadata and spec are there, and the secrets in them are flagged.
    expect(secret.outputs).toMatchObject({ metadata: { uid: expect.any(String), annotations: { token: "annotated-s3cr3t" } }, stringData: { password: "hunter2-s3cr3t" } });
    expect(secret.secretOutputs).toEqual(expect.arrayContaining(["metadata.annotations.token", "stringData"]));
    expect(service.outputs).toMatchObject({ spec: { clusterIP: expect.any(String), loadBalancerIP: "10.9.9.9" } });
    expect(service.secretOutputs).toEqual(["spec.loadBalancerIP"]);
    const json = JSON.stringify(plan.toJSON());
    expect(json).not.toMatch(/annotated-s3cr3t|hunter2-s3cr3t|10\.9\.9\.9/);
  });

  it("leaves ids and computed outputs unknown in a preview", async () => {
    let applied = false;
    const plan = await runProgram(
      () => {
        const bucket = new aws.s3.Bucket("logs", { tags: { env: "dev" } });
        const arnLength = bucket.arn.apply((arn) => {
          applied = true;
          return arn.length;
        });
        return { arn: bucket.arn, arnLength, tags: bucket.tags, id: bucket.id };
      },
      { preview: true },
    );
    expect(applied).toBe(false);
    expect(plan.preview).toBe(true);
    expect(plan.outputs.arn).toBe(UNKNOWN);
    expect(plan.outputs.arnLength).toBe(UNKNOWN);
    expect(plan.outputs.id).toBe(UNKNOWN);
    expect(plan.outputs.tags).toEqual({ env: "dev" });
    const bucket = plan.find(aws.s3.Bucket);
    expect(bucket.id).toBeUndefined();
    expect(bucket.outputs.arn).toBeUndefined();
    // Auto-names are known in a preview, as with the real provider.
    expect(bucket.outputs.bucket).toMatch(/^logs-[0-9a-f]{7}$/);
    expect(plan.toJSON().outputs).toMatchObject({ arn: "[unknown]" });
  });

  it("passes unknown inputs through a preview", async () => {
    const plan = await runProgram(
      () => {
        const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
        new aws.ec2.Subnet("a", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" });
      },
      { preview: true },
    );
    expect(plan.find(aws.ec2.Subnet).inputs.vpcId).toBe(UNKNOWN);
    plan.hasResource(aws.ec2.Subnet, { vpcId: Match.unknown() });
  });

  it("records resources read with .get", async () => {
    const plan = await runProgram(() => {
      const vpc = aws.ec2.Vpc.get("shared", "vpc-0123456789abcdef0");
      new aws.ec2.Subnet("a", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" });
    });
    expect(plan.find(aws.ec2.Vpc)).toMatchObject({ read: true, id: "vpc-0123456789abcdef0" });
    expect(plan.find(aws.ec2.Subnet).inputs.vpcId).toBe("vpc-0123456789abcdef0");
  });

  it("reports every bad option at once, as a PolycloudError", async () => {
    expect(testing.PolycloudError).toBe(PolycloudError);
    const run = runProgram(() => undefined, {
      timeout: 5,
      provider: "ibm",
      timeoutMs: -1,
      config: { "app:x": null },
      mocks: { Bucket: () => ({}) },
    } as never);
    await expect(run).rejects.toThrow(PolycloudError);
    await expect(run).rejects.toThrow(/^runProgram: invalid arguments \(5 problems\):\n/);
    await expect(run).rejects.toThrow(/options\.timeout: unknown option; did you mean "timeoutMs"\?/);
    await expect(run).rejects.toThrow(/options\.provider: "ibm" is not a provider/);
    await expect(run).rejects.toThrow(/options\.timeoutMs: expected a positive number/);
    await expect(run).rejects.toThrow(/options\.config\["app:x"\]: expected a string/);
    await expect(run).rejects.toThrow(/options\.mocks\["Bucket"\]: is not a type or invoke token/);
  });

  it("never echoes a secret config value in errors", async () => {
    const run = runProgram(() => undefined, { config: { "app:token": secretConfig("tok-123") }, stack: "bad stack" });
    await expect(run).rejects.toThrow(/options\.stack/);
    await expect(run).rejects.not.toThrow(/tok-123/);
  });

  it("records what the program logs, with the resource's URN, without printing it", async () => {
    const spies = (["log", "warn", "error"] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
    try {
      const plan = await runProgram(() => {
        const net = new Network("net", { cidr: "10.0.0.0/16" });
        void pulumi.log.info("planning the network");
        void pulumi.log.warn("one zone only: no failover", net);
        net.vpcId.apply((id) => pulumi.log.error(`vpc ${id} has no flow logs`));
        void pulumi.log.debug("the SDK's chatter is not recorded");
        return { missing: undefined };
      });
      const vpc = plan.find(aws.ec2.Vpc);
      expect(plan.logs.slice(0, 2)).toEqual([
        { severity: "info", message: "planning the network" },
        { severity: "warning", message: "one zone only: no failover", urn: plan.find("polycloud:aws:Network").urn },
      ]);
      // Later, in whichever order the runtime gets to them; the SDK's own warnings are recorded too.
      expect(plan.logs.slice(2)).toHaveLength(2);
      expect(plan.logs.slice(2)).toEqual(
        expect.arrayContaining([
          { severity: "error", message: `vpc ${vpc.id} has no flow logs` },
          { severity: "warning", message: "Undefined value (missing) will not show as a stack output." },
        ]),
      );
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it("also prints what the program logs with printLogs", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const plan = await runProgram(() => void pulumi.log.warn("careful"), { printLogs: true });
      expect(plan.logs).toEqual([{ severity: "warning", message: "careful" }]);
      expect(warn).toHaveBeenCalledWith("warning: [runtime] careful");
    } finally {
      warn.mockRestore();
    }
  });

  it("records logs after a hung run that logged about a resource never registered", async () => {
    await expect(
      runProgram(
        () => {
          const stuck = new aws.s3.Bucket("stuck", { bucket: new Promise<string>(() => undefined) });
          void pulumi.log.warn("about the stuck bucket", stuck);
        },
        { timeoutMs: 200 },
      ),
    ).rejects.toThrow(ProgramHangError);
    const plan = await runProgram(() => void pulumi.log.warn("next run", new aws.s3.Bucket("b")));
    expect(plan.logs).toEqual([{ severity: "warning", message: "next run", urn: plan.find(aws.s3.Bucket).urn }]);
  });

  it("snapshots logs sorted, with secret values redacted from messages", async () => {
    const plan = await runProgram(
      () => {
        const password = new pulumi.Config().requireSecret("dbPassword");
        const key = new aws.ssm.Parameter("key", { type: "SecureString", value: pulumi.secret("generated-key-123") });
        pulumi.all([password, key.value]).apply(([p, k]) => pulumi.log.warn(`connecting with ${p} and ${k}`, key));
        void pulumi.log.info("zz last by message");
        void pulumi.log.error("aa first by severity");
      },
      { config: { dbPassword: secretConfig("hunter22") } },
    );
    expect(plan.logs.find((l) => l.urn !== undefined)?.message).toBe("connecting with hunter22 and generated-key-123");
    expect(plan.toJSON().logs).toEqual([
      { severity: "error", message: "aa first by severity" },
      { severity: "info", message: "zz last by message" },
      { severity: "warning", message: "connecting with [secret] and [secret]", urn: plan.find(aws.ssm.Parameter).urn },
    ]);
  });

  it("fails on two resources with the same URN", async () => {
    await expect(
      runProgram(() => {
        new aws.s3.Bucket("b");
        new aws.s3.Bucket("b");
      }),
    ).rejects.toThrow(/Duplicate resource URN urn:pulumi:stack::project::aws:s3\/bucket:Bucket::b/);
  });
});
