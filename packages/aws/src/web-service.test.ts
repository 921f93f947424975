import * as aws from "@pulumi/aws";
import { PolycloudError, type LoadBalancerSpec, type ServiceSpec } from "@polycloud/core";
import { runProgram } from "@polycloud/testing";
import { EGRESS, existingNetwork, INGRESS } from "./__tests__/fixtures";
import { TLS_POLICY, WAF_MANAGED_RULE_GROUPS, WebService, type WebServiceArgs } from "./web-service";

const service = (overrides: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name: "api",
  image: "ghcr.io/acme/shop-api:1.4.2",
  port: 8080,
  cpu: 0.5,
  memory: 1024,
  replicas: { min: 2, max: 6 },
  autoscaling: { cpuPercent: 70, memoryPercent: 80 },
  healthCheck: { path: "/healthz", intervalSeconds: 15, timeoutSeconds: 5, gracePeriodSeconds: 60 },
  public: true,
  env: { LOG_LEVEL: "info" },
  secrets: ["stripe-key"],
  access: { database: false, cache: false, buckets: {}, services: [] },
  deployment: {
    strategy: "rolling",
    canary: { steps: [10, 50, 100], intervalMinutes: 5 },
    blueGreen: { terminationWaitMinutes: 5 },
    rollback: { onHealthCheckFailure: true, onAlarm: true },
  },
  ...overrides,
});
const loadBalancer = (overrides: Partial<LoadBalancerSpec> = {}): LoadBalancerSpec => ({ public: true, tls: true, domain: "shop.example.com", waf: false, ...overrides });
const withoutDomain = (overrides: Partial<LoadBalancerSpec> = {}): LoadBalancerSpec => {
  const { domain: _domain, ...rest } = loadBalancer(overrides);
  return rest;
};
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-dev/stripe-key-AbCdEf";
const keyArn = "arn:aws:kms:us-east-1:123456789012:key/secrets";

// Type tokens where the resource's args are required: the harness's typed inputs infer `never` for them.
const T = {
  service: "aws:ecs/service:Service",
  task: "aws:ecs/taskDefinition:TaskDefinition",
  listener: "aws:lb/listener:Listener",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  scalingTarget: "aws:appautoscaling/target:Target",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  record: "aws:route53/record:Record",
  validation: "aws:acm/certificateValidation:CertificateValidation",
};

const run = (spec: ServiceSpec, extra: Partial<WebServiceArgs> = {}, lb = loadBalancer()) =>
  runProgram(() => {
    const web = new WebService("api", {
      app: "shop",
      service: spec,
      network: existingNetwork(),
      loadBalancer: lb,
      slo: { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 },
      secrets: [{ envName: "STRIPE_KEY", location: { secretArn, keyArn } }],
      ...extra,
    });
    return { url: web.url, dnsRecords: web.dnsRecords };
  }, { provider: "aws" });

/** The alarm's name, as the service's `alarms.alarmNames` lists it. */
const alarmName = (plan: Awaited<ReturnType<typeof run>>, name: string) => plan.find(aws.cloudwatch.MetricAlarm, name).outputs.name;

const container = (plan: Awaited<ReturnType<typeof run>>) => JSON.parse(plan.find(T.task).inputs.containerDefinitions as string)[0];

describe("WebService", () => {
  // The defaults, planned once for both tests that read them (plans are costly).
  let defaults: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    defaults = await run(service());
  });

  it("runs Fargate tasks privately behind an HTTPS load balancer with least-privilege roles when defaults are used", () => {
    const plan = defaults;
    expect(plan.find(aws.ecs.Cluster).inputs.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    const taskGroup = plan.find(aws.ec2.SecurityGroup, "api-task-sg").id;
    const lbGroup = plan.find(aws.ec2.SecurityGroup, "api-lb-sg").id;
    const ecsService = plan.find(T.service);
    expect(ecsService.inputs).toMatchObject({
      launchType: "FARGATE",
      desiredCount: 2,
      networkConfiguration: { subnets: ["subnet-prv1", "subnet-prv2"], securityGroups: [taskGroup], assignPublicIp: false },
      deploymentController: { type: "ECS" },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: [plan.find(aws.cloudwatch.MetricAlarm).outputs.name], enable: true, rollback: true },
      healthCheckGracePeriodSeconds: 60,
    });
    expect(ecsService.options.ignoreChanges).toEqual(["desiredCount"]);

    const task = plan.find(T.task).inputs;
    expect(task).toMatchObject({ cpu: "512", memory: "1024", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], volumes: [{ name: "tmp" }] });
    expect(container(plan)).toMatchObject({
      image: "ghcr.io/acme/shop-api:1.4.2",
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
      portMappings: [{ containerPort: 8080, protocol: "tcp" }],
      environment: [{ name: "LOG_LEVEL", value: "info" }],
      secrets: [{ name: "STRIPE_KEY", valueFrom: secretArn }],
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": plan.find(aws.cloudwatch.LogGroup).outputs.name, "awslogs-region": "us-east-1" } },
    });
    const logGroup = plan.find(aws.cloudwatch.LogGroup).inputs;
    expect(logGroup).toMatchObject({ retentionInDays: 14, kmsKeyId: plan.find(aws.kms.Key).outputs.arn });

    // Execution role: its log group, exactly the referenced secret and key; task role: nothing.
    const executionRole = plan.find(aws.iam.Role, "api-execution-role");
    const policies = plan.resources(T.rolePolicy);
    expect(policies).toHaveLength(1);
    expect(policies[0]!.inputs.role).toBe(executionRole.id);
    const statements = JSON.parse(policies[0]!.inputs.policy as string).Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(["WriteLogs", "ReadSecrets", "DecryptSecrets"]);
    expect(statements[1].Resource).toEqual([secretArn]);
    expect(statements[2].Resource).toEqual([keyArn]);
    expect(task.taskRoleArn).toBe(plan.find(aws.iam.Role, "api-task-role").outputs.arn);
    // ECS checks the execution role's permissions when the task definition is used: it waits for them.
    expect(task.executionRoleArn).toBe(executionRole.outputs.arn);
    expect(plan.find(T.task).dependencies).toContain(policies[0]!.urn);

    const alb = plan.find(aws.lb.LoadBalancer);
    expect(alb.inputs).toMatchObject({
      internal: false,
      subnets: ["subnet-pub1", "subnet-pub2"],
      securityGroups: [lbGroup],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: false,
      accessLogs: { bucket: plan.find(aws.s3.Bucket, "api-lb-logs").id, enabled: true },
    });
    const logPolicy = plan.find("aws:s3/bucketPolicy:BucketPolicy");
    expect(alb.dependencies).toContain(logPolicy.urn);
    const principals = JSON.parse(logPolicy.inputs.policy as string).Statement.map((s: { Principal: unknown }) => s.Principal);
    expect(principals).toEqual(["*", { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, { AWS: "arn:aws:iam::127311923021:root" }]);
    const certificate = plan.find(aws.acm.Certificate);
    expect(certificate.inputs).toMatchObject({ domainName: "shop.example.com", validationMethod: "DNS" });
    const https = plan.find(T.listener, { port: 443 });
    expect(https.inputs).toMatchObject({
      protocol: "HTTPS",
      sslPolicy: TLS_POLICY,
      defaultActions: [{ type: "forward" }],
      routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=31536000; includeSubDomains",
      routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
    });
    expect(https.inputs.certificateArn).toMatch(/^arn:aws:acm:/);
    expect(plan.find(T.listener, { port: 80 }).inputs.defaultActions).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
    expect(plan.find(aws.lb.TargetGroup).inputs).toMatchObject({ targetType: "ip", port: 8080, healthCheck: { path: "/healthz", interval: 15 } });

    // Internet -> load balancer on 80/443 only; load balancer -> tasks on 8080 only.
    const ingress = plan.resources(INGRESS).map((r) => [r.inputs.securityGroupId, r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]);
    expect(ingress).toEqual([
      [lbGroup, "0.0.0.0/0", 80, 80],
      [lbGroup, "0.0.0.0/0", 443, 443],
      [taskGroup, lbGroup, 8080, 8080],
    ]);
    // Load balancer -> tasks only; tasks -> HTTPS only (registries, AWS APIs).
    const egress = plan.resources(EGRESS).map((r) => [r.inputs.securityGroupId, r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort]);
    expect(egress).toEqual([
      [lbGroup, taskGroup, "tcp", 8080, 8080],
      [taskGroup, "0.0.0.0/0", "tcp", 443, 443],
    ]);
    // Rule-less groups: the provider strips AWS's default allow-all egress.
    for (const group of plan.resources(aws.ec2.SecurityGroup)) {
      expect(group.inputs.egress).toBeUndefined();
      expect(group.inputs.ingress).toBeUndefined();
    }

    expect(plan.find(T.scalingTarget).inputs).toMatchObject({ minCapacity: 2, maxCapacity: 6, scalableDimension: "ecs:service:DesiredCount" });
    expect(plan.resources(T.scalingPolicy).map((p) => p.inputs.targetTrackingScalingPolicyConfiguration)).toEqual([
      expect.objectContaining({ predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" }, targetValue: 70 }),
      expect.objectContaining({ predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageMemoryUtilization" }, targetValue: 80 }),
    ]);
    plan.resourceCountIs(T.webAcl, 0);
    plan.resourceCountIs(T.listenerRule, 0);
    expect(plan.find(T.service).inputs.deploymentConfiguration).toEqual({ strategy: "ROLLING" });
    expect(plan.outputs.url).toBe("https://shop.example.com");
  });

  it("waits for no DNS records nobody creates, warns once and lists the records to create when no hosted zone is given", () => {
    const plan = defaults;
    const certificate = plan.find(aws.acm.Certificate);
    // No 75-minute wait for validation records that nobody creates: the listener gets the certificate itself.
    plan.resourceCountIs(T.validation, 0);
    plan.resourceCountIs(T.record, 0);
    expect(plan.find(T.listener, { port: 443 }).inputs.certificateArn).toBe(certificate.outputs.arn);
    const option = certificate.outputs.domainValidationOptions![0]!;
    expect(plan.outputs.dnsRecords).toEqual([
      { name: option.resourceRecordName, type: "CNAME", value: option.resourceRecordValue, purpose: expect.stringContaining("validates the certificate for shop.example.com") },
      { name: "shop.example.com", type: "CNAME", value: plan.find(aws.lb.LoadBalancer).outputs.dnsName, purpose: expect.stringContaining("load balancer") },
    ]);
    const warnings = plan.logs.filter((l) => l.severity === "warning");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain("polycloud:aws.hostedZoneId");
    expect(warnings[0]!.message).toContain("dnsRecords");
    expect(warnings[0]!.message).toContain("the certificate's DNS validation CNAME");
    expect(warnings[0]!.message).toContain("a CNAME from shop.example.com to the load balancer");
    expect(warnings[0]!.message).toContain("pulumi up fails at the HTTPS listener");
    expect(warnings[0]!.urn).toMatch(/WebService::api$/);
    // Once ACM has named them, the records themselves are in the update's log, even if the update then fails.
    expect(plan.logs.filter((l) => l.severity === "info").map((l) => l.message)).toEqual([
      `DNS records to create for shop.example.com: ${option.resourceRecordName} CNAME ${option.resourceRecordValue}; shop.example.com CNAME ${plan.find(aws.lb.LoadBalancer).outputs.dnsName}`,
    ]);
  });

  it("lists only the CNAME to the load balancer when the certificate is given and no hosted zone is", async () => {
    const plan = await run(service(), { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/given" });
    expect(plan.outputs.dnsRecords).toEqual([expect.objectContaining({ name: "shop.example.com", type: "CNAME" })]);
    const warnings = plan.logs.filter((l) => l.severity === "warning").map((l) => l.message);
    expect(warnings).toEqual([expect.stringContaining("polycloud:aws.hostedZoneId")]);
    expect(warnings[0]).not.toContain("validation");
  });

  it.each([
    ["development", undefined, false],
    ["production", undefined, true],
    ["production", false, false],
    ["development", true, true],
  ] as const)("sets the load balancer's deletion protection from protect when the environment is %s and protect is %p", async (environment, protect, expected) => {
    const plan = await run(service(), { environment, ...(protect === undefined ? {} : { protect }) });
    expect(plan.find(aws.lb.LoadBalancer).inputs.enableDeletionProtection).toBe(expected);
  });

  it("puts managed rule groups and a rate limit in front of the load balancer when waf is on", async () => {
    const plan = await run(service(), { wafRateLimit: 500 }, loadBalancer({ waf: true }));
    const acl = plan.find(T.webAcl);
    expect(acl.inputs.scope).toBe("REGIONAL");
    expect(acl.inputs.rules.map((r: { name: string }) => r.name)).toEqual([...WAF_MANAGED_RULE_GROUPS, "rate-limit-per-ip"]);
    expect(acl.inputs.rules[4].statement).toEqual({ rateBasedStatement: { limit: 500, aggregateKeyType: "IP" } });
    plan.hasResource("aws:wafv2/webAclAssociation:WebAclAssociation", { resourceArn: plan.find(aws.lb.LoadBalancer).outputs.arn, webAclArn: acl.outputs.arn });
    const wafLogs = plan.find(aws.cloudwatch.LogGroup, "api-waf-logs");
    expect(wafLogs.inputs).toMatchObject({ name: "aws-waf-logs-shop-dev-api", retentionInDays: 14, kmsKeyId: plan.find(aws.kms.Key).outputs.arn });
    expect(plan.find("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs).toMatchObject({
      resourceArn: acl.outputs.arn,
      logDestinationConfigs: [wafLogs.outputs.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    });
  });

  it("ships a new image through ECS blue/green with alarm rollback and two target groups when the strategy is blue-green", async () => {
    const spec = service();
    const plan = await run({ ...spec, deployment: { ...spec.deployment, strategy: "blue-green" } });
    const ecsService = plan.find(T.service);
    const [blue, green] = plan.resources(aws.lb.TargetGroup);
    const rule = plan.find(T.listenerRule);
    const role = plan.find(aws.iam.Role, "api-deployment-role");
    expect(ecsService.inputs).toMatchObject({
      deploymentController: { type: "ECS" },
      deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: "5" },
      // The developer guide documents the circuit breaker for blue/green, the API reference for rolling updates
      // only: both the circuit breaker and the unhealthy-target alarm roll back failed health checks.
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: [alarmName(plan, "api-deployment-alarm"), alarmName(plan, "api-deployment-health-alarm")], enable: true, rollback: true },
      loadBalancers: [
        { targetGroupArn: blue!.outputs.arn, advancedConfiguration: { alternateTargetGroupArn: green!.outputs.arn, productionListenerRule: rule.outputs.arn, roleArn: role.outputs.arn } },
      ],
    });
    // Nothing hides a new task definition from Pulumi: `pulumi up` with a new image deploys it.
    expect(ecsService.options.ignoreChanges).toEqual(["desiredCount"]);
    expect(rule.inputs).toMatchObject({
      listenerArn: plan.find(T.listener, { port: 443 }).outputs.arn,
      actions: [{ type: "forward", forward: { targetGroups: [{ arn: blue!.outputs.arn, weight: 100 }, { arn: green!.outputs.arn, weight: 0 }] } }],
    });
    expect(rule.options.ignoreChanges).toEqual(["actions"]);
    // The ARN in the AWS Managed Policy Reference (AmazonECSInfrastructureRolePolicyForLoadBalancers, "Policy details"):
    // an AWS managed policy without the service-role/ path. managed-policies.test.ts checks every attachment.
    expect(plan.find(aws.iam.RolePolicyAttachment, "api-deployment-role-AmazonECSInfrastructureRolePolicyForLoadBalancers").inputs).toEqual({
      role: role.outputs.name,
      policyArn: "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
    });
    expect(ecsService.dependencies).toContain(rule.urn);
    plan.resourceCountIs("aws:codedeploy/deploymentGroup:DeploymentGroup", 0);
  });

  it("shifts traffic with an ECS canary and rolls back failed health checks with the unhealthy-target alarm, not the circuit breaker, when the strategy is canary", async () => {
    const spec = service();
    const plan = await run({ ...spec, deployment: { ...spec.deployment, strategy: "canary" } });
    const ecsService = plan.find(T.service).inputs;
    expect(ecsService.deploymentConfiguration).toEqual({
      strategy: "CANARY",
      bakeTimeInMinutes: "5",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" },
    });
    // AWS documents the circuit breaker for rolling updates (and blue/green), not for canary or linear.
    expect(ecsService.deploymentCircuitBreaker).toEqual({ enable: false, rollback: false });
    expect(ecsService.alarms).toEqual({ alarmNames: [alarmName(plan, "api-deployment-alarm"), alarmName(plan, "api-deployment-health-alarm")], enable: true, rollback: true });
    const [blue, green] = plan.resources(aws.lb.TargetGroup);
    const health = plan.find(aws.cloudwatch.MetricAlarm, "api-deployment-health-alarm").inputs;
    // Unhealthy targets in either target group (ECS alternates them), 60 s grace + 2 x 15 s checks: 3 of 6 minutes.
    expect(health).toMatchObject({ threshold: 1, evaluationPeriods: 6, datapointsToAlarm: 3, treatMissingData: "notBreaching" });
    expect(health.metricQueries!.map((q) => q.metric?.dimensions).filter(Boolean)).toEqual([
      { TargetGroup: blue!.outputs.arnSuffix, LoadBalancer: plan.find(aws.lb.LoadBalancer).outputs.arnSuffix },
      { TargetGroup: green!.outputs.arnSuffix, LoadBalancer: plan.find(aws.lb.LoadBalancer).outputs.arnSuffix },
    ]);
    // The alarm rolls back; it notifies nobody by itself.
    expect(health.alarmActions).toBeUndefined();
  });

  it.each([
    ["rolling", true, true, { enable: true, rollback: true }, ["api-deployment-alarm"]],
    ["rolling", false, true, { enable: true, rollback: false }, ["api-deployment-alarm"]],
    ["canary", true, false, { enable: false, rollback: false }, ["api-deployment-health-alarm"]],
    ["canary", false, true, { enable: false, rollback: false }, ["api-deployment-alarm"]],
    ["blue-green", false, false, { enable: true, rollback: false }, []],
  ] as const)("rolls a %s deployment back as the spec says when onHealthCheckFailure is %p and onAlarm is %p", async (strategy, onHealthCheckFailure, onAlarm, circuitBreaker, alarms) => {
    const spec = service();
    const plan = await run({ ...spec, deployment: { ...spec.deployment, strategy, rollback: { onHealthCheckFailure, onAlarm } } });
    const ecsService = plan.find(T.service).inputs;
    expect(ecsService.deploymentCircuitBreaker).toEqual(circuitBreaker);
    expect(ecsService.alarms).toEqual(
      alarms.length === 0
        ? { alarmNames: [alarmName(plan, "api-deployment-alarm")], enable: false, rollback: false }
        : { alarmNames: alarms.map((name) => alarmName(plan, name)), enable: true, rollback: true },
    );
  });

  it("serves plain HTTP with no certificate when tls is off", async () => {
    const plan = await run(service(), {}, withoutDomain({ tls: false }));
    plan.resourceCountIs(aws.acm.Certificate, 0);
    plan.resourceCountIs(T.listener, 1);
    expect(plan.find(T.listener).inputs).toMatchObject({ port: 80, protocol: "HTTP", defaultActions: [{ type: "forward" }] });
    expect(plan.resources(INGRESS).filter((r) => r.inputs.cidrIpv4 !== undefined).map((r) => r.inputs.fromPort)).toEqual([80]);
    expect(plan.outputs.url).toMatch(/^http:\/\/.*elb\.amazonaws\.com$/);
  });

  it("uses an internal load balancer in private subnets that admits exactly the callers named when the service is not public", async () => {
    const plan = await runProgram(() => {
      const web = new WebService("api", {
        app: "shop",
        service: service({ public: false }),
        network: existingNetwork(),
        loadBalancer: loadBalancer(),
        slo: { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 },
        allowedSecurityGroups: { web: "sg-web" },
      });
      web.allowFrom("worker", "sg-worker");
    }, { provider: "aws" });
    expect(plan.find(aws.lb.LoadBalancer).inputs).toMatchObject({ internal: true, subnets: ["subnet-prv1", "subnet-prv2"] });
    const lbGroup = plan.find(aws.ec2.SecurityGroup, "api-lb-sg").id;
    const callers = plan.resources(INGRESS).filter((r) => r.inputs.securityGroupId === lbGroup);
    expect(callers.map((r) => [r.name, r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4, r.inputs.fromPort])).toEqual([
      ["api-from-web-80-in", "sg-web", 80],
      ["api-from-web-443-in", "sg-web", 443],
      ["api-from-worker-80-in", "sg-worker", 80],
      ["api-from-worker-443-in", "sg-worker", 443],
    ]);
    // The callers' own groups may send to the load balancer on those ports.
    for (const caller of ["sg-web", "sg-worker"]) {
      for (const port of [80, 443]) plan.hasResource(EGRESS, { securityGroupId: caller, referencedSecurityGroupId: lbGroup, fromPort: port, toPort: port });
    }
  });

  it("admits the VPC when the service is public behind an internal load balancer", async () => {
    const plan = await run(service(), {}, loadBalancer({ public: false }));
    expect(plan.find(aws.lb.LoadBalancer).inputs.internal).toBe(true);
    expect(plan.resources(INGRESS).flatMap((r) => (r.inputs.cidrIpv4 === undefined ? [] : [[r.inputs.cidrIpv4, r.inputs.fromPort]]))).toEqual([
      ["10.0.0.0/16", 80],
      ["10.0.0.0/16", 443],
    ]);
  });

  it("gives the task role exactly the bucket grants given, and nothing else", async () => {
    const bucketArn = "arn:aws:s3:::shop-dev-assets-0a1b2c";
    const plan = await run(service(), { buckets: { assets: { bucketArn, access: "read" } } });
    const policy = plan.find(T.rolePolicy, (r) => r.name === "api-task-role-policy");
    expect(policy.inputs.role).toBe(plan.find(aws.iam.Role, "api-task-role").id);
    expect(JSON.parse(policy.inputs.policy as string).Statement).toEqual([
      { Sid: "ListAssets", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
      { Sid: "ReadAssetsObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${bucketArn}/*` },
    ]);
  });

  it("validates the certificate, makes the HTTPS listener wait for it and points the domain at the load balancer, silently, when hostedZoneId is set", async () => {
    const plan = await run(service(), { hostedZoneId: "Z123" });
    const records = plan.resources(T.record);
    expect(records.map((r) => r.inputs.type)).toEqual(["CNAME", "A"]);
    expect(records[1]!.inputs).toMatchObject({ zoneId: "Z123", name: "shop.example.com", aliases: [{ name: plan.find(aws.lb.LoadBalancer).outputs.dnsName }] });
    const validation = plan.find(T.validation);
    expect(validation.inputs.validationRecordFqdns).toEqual([records[0]!.outputs.fqdn]);
    // The listener's certificate is the validation's output: it is created once the certificate is issued.
    expect(plan.find(T.listener, { port: 443 }).dependencies).toContain(validation.urn);
    expect(plan.outputs.dnsRecords).toEqual([]);
    expect(plan.logs.filter((l) => l.severity === "warning")).toEqual([]);
  });

  it("waits for validation records another tool creates when awaitCertificateValidation is set without a hosted zone", async () => {
    const plan = await run(service(), { awaitCertificateValidation: true });
    expect(plan.find(T.validation).inputs.validationRecordFqdns).toBeUndefined();
    expect(plan.find(T.listener, { port: 443 }).dependencies).toContain(plan.find(T.validation).urn);
  });

  it("uses the given certificate and issues none when certificateArn is set", async () => {
    const arn = "arn:aws:acm:us-east-1:123456789012:certificate/given";
    const plan = await run(service(), { certificateArn: arn }, withoutDomain());
    plan.resourceCountIs(aws.acm.Certificate, 0);
    expect(plan.find(T.listener, { port: 443 }).inputs.certificateArn).toBe(arn);
  });

  it("adds a container health check, ARM64 and a writable root when those args are set", async () => {
    const plan = await run(service({ command: ["/app"], args: ["serve"] }), { healthCheckCommand: ["CMD", "/app", "health"], architecture: "ARM64", readonlyRootFilesystem: false });
    expect(container(plan)).toMatchObject({ entryPoint: ["/app"], command: ["serve"], readonlyRootFilesystem: false, healthCheck: { command: ["CMD", "/app", "health"], interval: 15 } });
    expect(plan.find(T.task).inputs.runtimePlatform).toEqual({ operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
  });

  it("runs in the given cluster, encrypts logs with the given key and logs to the given bucket, creating none, when they are shared", async () => {
    const shared = { arn: "arn:aws:ecs:us-east-1:123456789012:cluster/shop-dev-cluster", name: "shop-dev-cluster" };
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/shared";
    const plan = await run(service(), { cluster: shared, kmsKeyArn: keyArn, accessLogBucket: "shop-dev-cluster-lb-logs" });
    for (const type of [aws.ecs.Cluster, aws.kms.Key, aws.s3.Bucket]) plan.resourceCountIs(type, 0);
    expect(plan.find(T.service).inputs.cluster).toBe(shared.arn);
    expect(plan.find(T.scalingTarget).inputs.resourceId).toBe(`service/shop-dev-cluster/${plan.find(T.service).inputs.name}`);
    expect(plan.find(aws.cloudwatch.LogGroup).inputs.kmsKeyId).toBe(keyArn);
    expect(plan.find(aws.lb.LoadBalancer).inputs.accessLogs).toMatchObject({ bucket: "shop-dev-cluster-lb-logs", enabled: true });
  });

  it("lets the execution role pull from the image's ECR repository only when the image is in ECR", async () => {
    const plan = await run(service({ image: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.0" }));
    const statements = JSON.parse(plan.find(T.rolePolicy).inputs.policy as string).Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(["WriteLogs", "ReadSecrets", "DecryptSecrets", "EcrLogin", "EcrPull"]);
    expect(statements[4].Resource).toBe("arn:aws:ecr:eu-west-1:210987654321:repository/shop/api");
  });

  it("pulls with the given credentials and lets the execution role read them when registryCredentialsSecret is set", async () => {
    const credentials = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr-pull-AbCdEf";
    const plan = await run(service(), { registryCredentialsSecret: credentials });
    expect(container(plan).repositoryCredentials).toEqual({ credentialsParameter: credentials });
    const statements = JSON.parse(plan.find(T.rolePolicy).inputs.policy as string).Statement;
    expect(statements[1]).toMatchObject({ Sid: "ReadSecrets", Resource: [secretArn, credentials] });
  });

  it.each([
    ["cpu", service({ cpu: 0.3 }), loadBalancer(), /services\.api\.cpu: 0\.3 vCPU is not a Fargate size; allowed: 0\.25, 0\.5, 1, 2, 4, 8, 16/],
    ["memory", service({ cpu: 1, memory: 1024 }), loadBalancer(), /services\.api\.memory: 1024 MiB is not allowed with 1 vCPU on Fargate; allowed: 2048 to 8192 in steps of 1024/],
    ["replicas", service({ replicas: { min: 5, max: 3 } }), loadBalancer(), /services\.api\.replicas\.min: 5 is greater than replicas\.max 3; make min <= max/],
    ["env", service({ env: { STRIPE_KEY: "x" } }), loadBalancer(), /services\.api\.env\.STRIPE_KEY: is also injected as a secret/],
    ["domain", service(), withoutDomain(), /network\.loadBalancer\.domain: is required on AWS when tls is true/],
    [
      "the bake time",
      service({ deployment: { ...service().deployment, strategy: "blue-green", blueGreen: { terminationWaitMinutes: 2880 } } }),
      loadBalancer(),
      /services\.api\.deployment\.blueGreen\.terminationWaitMinutes: 2880 is longer than ECS's bake time allows \(0 to 1440 minutes\)/,
    ],
  ])("throws PolycloudError with the field path when %s is invalid", async (_, spec, lb, message) => {
    const error = await run(spec, {}, lb).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolycloudError);
    expect((error as Error).message).toMatch(message);
  });
});
