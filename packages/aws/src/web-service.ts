import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ecsBakeTimeProblems,
  envSecretProblems,
  fargateSizeProblems,
  fargateUnits,
  PolycloudError,
  replicaProblems,
  transformed,
  type BucketAccess,
  type DnsRecord,
  type Problem,
  type ServiceSpec,
  type Transform,
  type WebServiceArgs as CoreWebServiceArgs,
  type WebServiceOutputs,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { deploymentAlarmSpec, deploymentHealthAlarmSpec, HEALTHY_THRESHOLD, metricAlarmArgs } from "./alarms";
import type { EcsClusterRef } from "./cluster";
import { ecsDeploymentConfiguration, ecsHealthRollback } from "./deployment";
import { createEcsCluster } from "./ecs-cluster";
import { createKey, type KeyTransforms } from "./keys";
import { createLoadBalancerLogBucket, createLogGroup, type LogBucketTransforms } from "./logs";
import type { NetworkRef } from "./network";
import { bucketAccessPolicy, ecrRepositoryArn, executionRolePolicy, type AccountContext } from "./policies";
import { createServiceRole, type RoleTransforms } from "./roles";
import { accountContext, childOptions, logGroupNameOf, physicalNameOf, scopeOf, type Scope } from "./scope";
import { valueFromOf, type AwsSecretReference } from "./secrets";
import { allowTraffic, createRule, type RuleTransforms } from "./security-groups";

/** TLS 1.3 and 1.2 only, forward-secret ciphers (AWS's recommended policy for new load balancers). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** AWS managed WAF rule groups, in priority order: common exploits, known bad inputs, bad IPs, SQL injection. */
export const WAF_MANAGED_RULE_GROUPS = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesSQLiRuleSet",
] as const;

export interface WebServiceArgs extends CoreWebServiceArgs<NetworkRef> {
  /**
   * Secrets Manager references injected as the container's `secrets` (`valueFrom`), never as values; the
   * execution role may read exactly these, and decrypt them with their `keyArn` through Secrets Manager.
   * @default [] - no secrets
   */
  readonly secrets?: readonly AwsSecretReference[];
  /**
   * Buckets the application may use, by a short stable name: the task role gets exactly these grants
   * (`read`: `s3:GetObject` and `s3:ListBucket`; `readwrite`: also `s3:PutObject`, `s3:DeleteObject` and
   * `s3:AbortMultipartUpload`), and `kms:Decrypt` (with `readwrite` also `kms:GenerateDataKey`) on the
   * bucket's key through S3 only. A {@link Bucket} gives `bucketArn` and `kmsKeyArn`.
   * @default {} - the task role has no permissions
   */
  readonly buckets?: Readonly<Record<string, BucketGrant>>;
  /**
   * Security groups allowed to call the service through its load balancer on the listener ports (the
   * tasks of other services), by a short stable name (it becomes part of the rules' logical names).
   * More can be added with `allowFrom`. A public service also admits the internet (an internal load
   * balancer: the VPC); a private one admits nothing else.
   * @default {} - only the public entry, when the service is public
   */
  readonly allowedSecurityGroups?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Host name the service answers on; a DNS-validated ACM certificate is issued for it when TLS is on.
   * @default `loadBalancer.domain`
   */
  readonly domainName?: string;
  /**
   * An existing ACM certificate for the HTTPS listener, instead of issuing one.
   * @default - a certificate for `domainName` is issued
   */
  readonly certificateArn?: pulumi.Input<string>;
  /**
   * Route 53 hosted zone of `domainName`: creates the certificate's validation record and an alias
   * record to the load balancer, and the HTTPS listener waits until the certificate is issued. Without
   * it, nothing waits for records nobody creates: the plan warns, `dnsRecords` lists the records to
   * create by hand, and until the validation record exists `pulumi up` fails at the HTTPS listener
   * (ELB refuses a certificate that is not issued); run it again once ACM has issued the certificate.
   * @default - no DNS records are created
   */
  readonly hostedZoneId?: pulumi.Input<string>;
  /**
   * Whether the HTTPS listener waits (up to 75 minutes) until the issued certificate is validated, e.g.
   * when another tool creates the validation records.
   * @default true with `hostedZoneId`, false without (nobody would create the records it waits for)
   */
  readonly awaitCertificateValidation?: boolean;
  /**
   * Container health check command, e.g. `["CMD-SHELL", "curl -fs http://localhost:8080/healthz || exit 1"]`.
   * The load balancer's health check (the spec's `healthCheck`) always applies; this one needs a tool in the image.
   * @default - none (many minimal images have no curl)
   */
  readonly healthCheckCommand?: readonly string[];
  /**
   * Read-only root filesystem, with a writable `/tmp` volume. Turn off only for images that write elsewhere.
   * @default true
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * ARN of a Secrets Manager secret with `{"username", "password"}` for a private registry other than
   * ECR; the execution role may read it. Encrypt it with the `aws/secretsmanager` key, or grant the
   * execution role `kms:Decrypt` on yours.
   * @default - the registry is public, or ECR (pulled with the execution role)
   */
  readonly registryCredentialsSecret?: pulumi.Input<string>;
  /** CPU architecture of the image. @default "X86_64" */
  readonly architecture?: "X86_64" | "ARM64";
  /**
   * An existing ECS cluster to run in, e.g. a {@link Cluster}'s, shared by an application's services.
   * @default - a cluster with Container Insights is created for this service
   */
  readonly cluster?: EcsClusterRef;
  /**
   * ARN of a KMS key for the service's log group; its key policy must let CloudWatch Logs of this
   * account use it (a {@link Cluster}'s key does).
   * @default - a key with rotation is created for this service
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /**
   * Name of an existing bucket for load balancer access logs. Its policy must let ELB log delivery
   * write, and must exist before the load balancer (a {@link Cluster}'s `serviceArgs.accessLogBucket` does both).
   * @default - a log bucket is created for this service
   */
  readonly accessLogBucket?: pulumi.Input<string>;
  /** Requests per 5 minutes from one IP before WAF blocks it. @default 2000 */
  readonly wafRateLimit?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms &
    LogBucketTransforms &
    RuleTransforms & {
      logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
      executionRole?: RoleTransforms;
      taskRole?: RoleTransforms;
      deploymentRole?: RoleTransforms;
      cluster?: Transform<aws.ecs.ClusterArgs>;
      taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
      service?: Transform<aws.ecs.ServiceArgs>;
      loadBalancerSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
      taskSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
      loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
      targetGroup?: Transform<aws.lb.TargetGroupArgs>;
      httpsListener?: Transform<aws.lb.ListenerArgs>;
      httpListener?: Transform<aws.lb.ListenerArgs>;
      certificate?: Transform<aws.acm.CertificateArgs>;
      certificateValidation?: Transform<aws.acm.CertificateValidationArgs>;
      certificateValidationRecord?: Transform<aws.route53.RecordArgs>;
      aliasRecord?: Transform<aws.route53.RecordArgs>;
      autoscalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
      autoscalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
      deploymentAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
      deploymentHealthAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
      webAcl?: Transform<aws.wafv2.WebAclArgs>;
      webAclAssociation?: Transform<aws.wafv2.WebAclAssociationArgs>;
      wafLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
      wafLogging?: Transform<aws.wafv2.WebAclLoggingConfigurationArgs>;
      productionListenerRule?: Transform<aws.lb.ListenerRuleArgs>;
    };
}

/** A bucket the service's task role may use, and how. */
export interface BucketGrant {
  readonly bucketArn: pulumi.Input<string>;
  /** The key the bucket's objects are encrypted with. @default - none (SSE-S3) */
  readonly kmsKeyArn?: pulumi.Input<string> | undefined;
  readonly access: BucketAccess;
}

/** A DNS record to create by hand (no hosted zone given), and why. */
export type { DnsRecord };

/** The production listener rule, alternate target group and role of ECS blue/green deployments. */
interface TrafficShift {
  readonly rule: aws.lb.ListenerRule;
  readonly green: aws.lb.TargetGroup;
  readonly roleArn: pulumi.Output<string>;
}

/** Problems with a service on Fargate, before anything is created. Paths are spec paths. */
export function webServiceProblems(args: Pick<WebServiceArgs, "service" | "loadBalancer" | "secrets" | "domainName" | "certificateArn">): Problem[] {
  const { service } = args;
  const at = `services.${service.name}`;
  const problems = fargateSizeProblems(service.cpu, service.memory, at);
  problems.push(...replicaProblems(service), ...envSecretProblems(service, (args.secrets ?? []).map((s) => s.envName)));
  if (args.loadBalancer.tls && (args.domainName ?? args.loadBalancer.domain) === undefined && args.certificateArn === undefined) {
    problems.push({
      path: "network.loadBalancer.domain",
      message: "is required on AWS when tls is true: ACM issues certificates only for a domain you control",
      fix: "set network.loadBalancer.domain (or pass certificateArn), or set tls to false",
    });
  }
  problems.push(...ecsBakeTimeProblems(service.deployment, at));
  return problems;
}

/**
 * A container service on ECS Fargate behind an Application Load Balancer.
 *
 * - Tasks run in the private subnets without public IPs, with a read-only root filesystem, logs to
 *   an encrypted log group, and secrets injected by reference (`secrets[].valueFrom`), never as values.
 * - Execution role: write its log group, read exactly the referenced secrets (and decrypt them only
 *   through Secrets Manager), pull from ECR when the image is there. Task role: exactly the `buckets`
 *   grants, nothing else.
 * - The load balancer is internet-facing for public services (internal otherwise), drops invalid
 *   headers, logs to a bucket, serves HTTPS with a TLS 1.2+ policy and HSTS, and redirects HTTP.
 *   Security groups: the internet (public services) and the callers named with `allowFrom` ->
 *   load balancer on its listener ports, load balancer -> tasks on the service port only.
 * - Target-tracking autoscaling on CPU and memory between `replicas.min` and `replicas.max`.
 * - Deployments stop and roll back on failed health checks and on the error-rate alarm (of at least a
 *   minimum request count). `blue-green` and `canary` use ECS's built-in blue/green, canary and linear
 *   strategies: a `pulumi up` with a new image starts green tasks in the alternate target group and ECS
 *   shifts the production listener rule's traffic to them. Failed health checks are caught by ECS's
 *   circuit breaker for rolling updates, and by an alarm on unhealthy targets for canary and linear
 *   (blue/green: both), see `ecsHealthRollback`.
 * - With TLS and a domain, a DNS-validated certificate; with `hostedZoneId` its validation record and an
 *   alias record, and the HTTPS listener waits until it is issued. Without, a plan warning and the
 *   `dnsRecords` output list the records to create by hand.
 * - Optional WAF (AWS managed rule groups and a per-IP rate limit) in front of the load balancer.
 * - Standalone, it creates its own ECS cluster, log key and access-log bucket; an application with
 *   several services shares one set through a {@link Cluster} (`...cluster.serviceArgs`).
 *
 * @example
 * const api = new WebService("api", { app: "shop", service: spec.services[0], network, loadBalancer: spec.network.loadBalancer, slo: spec.slo });
 */
export class WebService extends PolycloudComponent implements WebServiceOutputs {
  readonly serviceName: string;
  readonly url: pulumi.Output<string>;
  /** The cluster the service runs in: the one given, or its own. */
  readonly cluster: EcsClusterRef;
  readonly service: aws.ecs.Service;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly loadBalancer: aws.lb.LoadBalancer;
  /** The tasks' security group: allow it on a database or cache with their `allowFrom`. */
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly loadBalancerSecurityGroup: aws.ec2.SecurityGroup;
  readonly taskRole: aws.iam.Role;
  readonly executionRole: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** The alarm that rolls a deployment back: the error ratio above the SLO over 5 minutes (of at least a minimum request count). */
  readonly deploymentAlarm: aws.cloudwatch.MetricAlarm;
  /**
   * The alarm that rolls back a blue/green, canary or linear deployment whose new tasks fail the load
   * balancer's health checks (where ECS's circuit breaker is not documented to apply); none for rolling updates.
   */
  readonly deploymentHealthAlarm?: aws.cloudwatch.MetricAlarm;
  /** DNS records that validate the certificate, when one was issued. */
  readonly certificateValidationRecords?: pulumi.Output<{ name: string; type: string; value: string }[]>;
  /**
   * DNS records to create by hand, because no `hostedZoneId` was given: the certificate's validation
   * records and a CNAME from the domain to the load balancer. Empty with a hosted zone (they are created)
   * or without TLS (the URL is the load balancer's own name).
   */
  readonly dnsRecords: pulumi.Output<DnsRecord[]>;
  readonly webAcl?: aws.wafv2.WebAcl;
  readonly spec: ServiceSpec;
  /** The load balancer's listener ports: 80, and 443 with TLS. */
  readonly listenerPorts: readonly number[];
  private readonly scope: Scope;
  private readonly ruleTransforms: RuleTransforms;

  constructor(name: string, args: WebServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "WebService", name, args, opts);
    PolycloudError.throwIfAny(webServiceProblems(args), `Invalid service ${name}`);
    const scope = scopeOf(this, "service", name);
    const t = args.transform ?? {};
    const spec = args.service;
    const account = accountContext(this);
    const internal = !(spec.public && args.loadBalancer.public);
    const tls = args.loadBalancer.tls;
    const domainName = args.domainName ?? args.loadBalancer.domain;
    const shiftsTraffic = spec.deployment.strategy !== "rolling";
    const retentionDays = scope.logRetentionDays;
    this.spec = spec;
    this.serviceName = spec.name;
    this.scope = scope;
    this.ruleTransforms = t;
    this.listenerPorts = tls ? [80, 443] : [80];

    const kmsKeyArn = args.kmsKeyArn ?? createKey(scope, "key", { description: `Logs of service ${name}`, account, users: ["logs"], transforms: t }).arn;
    this.logGroup = createLogGroup(scope, "logs", {
      logGroupName: logGroupNameOf(scope),
      retentionDays,
      kmsKeyArn,
      ...(t.logGroup === undefined ? {} : { transform: t.logGroup }),
    });
    const secrets = args.secrets ?? [];
    const ecrRepository = ecrRepositoryArn(spec.image);
    const executionRole = createServiceRole(scope, "execution-role", {
      service: "ecs-tasks.amazonaws.com",
      account,
      policy: executionRolePolicy({
        logGroupArn: this.logGroup.arn,
        secretArns: [...secrets.map((s) => s.location.secretArn), ...(args.registryCredentialsSecret === undefined ? [] : [args.registryCredentialsSecret])],
        secretKeyArns: secrets.flatMap((s) => (s.location.keyArn === undefined ? [] : [s.location.keyArn])),
        ...(ecrRepository === undefined ? {} : { ecrRepositoryArn: ecrRepository }),
        account,
      }),
      ...(t.executionRole === undefined ? {} : { transforms: t.executionRole }),
    });
    this.executionRole = executionRole.role;
    const buckets = Object.entries(args.buckets ?? {}).map(([bucket, grant]) => ({ name: bucket, ...grant }));
    this.taskRole = createServiceRole(scope, "task-role", {
      service: "ecs-tasks.amazonaws.com",
      account,
      policy: buckets.length === 0 ? undefined : bucketAccessPolicy(buckets, account.region),
      transforms: t.taskRole,
    }).role;

    this.cluster = args.cluster ?? createEcsCluster(scope, `${name}-cluster`, t.cluster);
    // The ARN that waits for the role's policy: ECS checks the role when the first task starts.
    this.taskDefinition = this.createTaskDefinition(scope, args, account, executionRole.arn, t.taskDefinition);

    // Security groups: clients -> load balancer on the listener ports, load balancer -> tasks on the service port.
    this.loadBalancerSecurityGroup = new aws.ec2.SecurityGroup(
      ...transformed(
        `${name}-lb-sg`,
        { vpcId: args.network.networkId, description: `Load balancer of ${name}`, tags: scope.tags },
        childOptions(scope),
        t.loadBalancerSecurityGroup,
      ),
    );
    // A public service's entry: the internet, or the VPC behind an internal load balancer. Callers are added one by one.
    if (spec.public) {
      for (const port of this.listenerPorts) {
        const from = internal ? "the VPC" : "the internet";
        const peer = { cidrIpv4: internal ? args.network.cidr : "0.0.0.0/0" };
        createRule(scope, `lb-in-${port}`, "ingress", { securityGroupId: this.loadBalancerSecurityGroup.id, peer, port, description: `${port === 443 ? "HTTPS" : "HTTP"} from ${from}` }, t);
      }
    }
    this.securityGroup = new aws.ec2.SecurityGroup(
      ...transformed(
        `${name}-task-sg`,
        { vpcId: args.network.networkId, description: `Tasks of ${name}`, tags: scope.tags },
        childOptions(scope),
        t.taskSecurityGroup,
      ),
    );
    allowTraffic(scope, "lb-to-tasks", { from: this.loadBalancerSecurityGroup.id, to: this.securityGroup.id, port: spec.port, description: `${name} port from its load balancer` }, t);
    // Image pulls from any registry and AWS APIs; databases and caches add their own rules.
    createRule(scope, "task-out-https", "egress", { securityGroupId: this.securityGroup.id, peer: { cidrIpv4: "0.0.0.0/0" }, port: 443, description: "HTTPS out (registries, AWS APIs)" }, t);

    const logs =
      args.accessLogBucket === undefined
        ? createLoadBalancerLogBucket(scope, account, retentionDays, t)
        : undefined;
    this.loadBalancer = new aws.lb.LoadBalancer(
      ...transformed(
        `${name}-lb`,
        {
          name: physicalNameOf(scope, "albName"),
          loadBalancerType: "application",
          internal,
          subnets: internal ? args.network.privateSubnetIds : args.network.publicSubnetIds,
          securityGroups: [this.loadBalancerSecurityGroup.id],
          dropInvalidHeaderFields: true,
          desyncMitigationMode: "defensive",
          // Protected with the stack's stateful resources: deleting it drops the DNS name clients use.
          enableDeletionProtection: scope.protect,
          enableHttp2: true,
          accessLogs: { bucket: logs?.bucket.id ?? args.accessLogBucket!, prefix: name, enabled: true },
          tags: scope.tags,
        },
        childOptions(scope, { dependsOn: logs === undefined ? [] : [logs.policy] }),
        t.loadBalancer,
      ),
    );
    const targetGroups = (shiftsTraffic ? ["blue", "green"] : ["blue"]).map((color) => this.createTargetGroup(scope, args, color, t.targetGroup));
    const blue = targetGroups[0]!;

    let certificateArn = args.certificateArn;
    if (tls && certificateArn === undefined) {
      const issued = this.issueCertificate(scope, domainName!, args.hostedZoneId, args.awaitCertificateValidation ?? args.hostedZoneId !== undefined, t);
      certificateArn = issued.arn;
      this.certificateValidationRecords = issued.records;
    }
    const listener = this.createListeners(scope, blue, tls ? certificateArn : undefined, t);
    this.dnsRecords = this.recordsToCreate(name, tls && args.hostedZoneId === undefined ? domainName : undefined);
    if (args.hostedZoneId !== undefined && domainName !== undefined) {
      new aws.route53.Record(
        ...transformed(
          `${name}-dns`,
          { zoneId: args.hostedZoneId, name: domainName, type: "A", aliases: [{ name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true }] },
          childOptions(scope),
          t.aliasRecord,
        ),
      );
    }

    this.deploymentAlarm = this.createDeploymentAlarm(scope, args, t.deploymentAlarm);
    if (ecsHealthRollback(spec.deployment).healthAlarm) this.deploymentHealthAlarm = this.createDeploymentHealthAlarm(scope, spec, targetGroups, t.deploymentHealthAlarm);
    const trafficShift = shiftsTraffic ? this.createTrafficShift(scope, listener, blue, targetGroups[1]!, account, t) : undefined;
    this.service = this.createService(scope, args, blue, listener, trafficShift, t.service);
    this.createAutoscaling(scope, spec, t);
    if (args.loadBalancer.waf) this.webAcl = this.createWaf(scope, args.wafRateLimit ?? 2000, { retentionDays, kmsKeyArn }, t);

    const host = tls ? (domainName ?? this.loadBalancer.dnsName) : this.loadBalancer.dnsName;
    this.url = pulumi.interpolate`${tls ? "https" : "http"}://${host}`;
    for (const [caller, securityGroupId] of Object.entries(args.allowedSecurityGroups ?? {})) this.allowFrom(caller, securityGroupId);
    this.registerOutputs({ serviceName: this.serviceName, url: this.url, securityGroupId: this.securityGroup.id, dnsRecords: this.dnsRecords });
  }

  /**
   * Lets one security group (another service's tasks) call this service through its load balancer: an
   * ingress rule on the load balancer's group and the matching egress rule on the caller's, per
   * listener port, naming each other's group (never a CIDR).
   */
  allowFrom(caller: string, securityGroupId: pulumi.Input<string>): void {
    for (const port of this.listenerPorts) {
      allowTraffic(
        this.scope,
        `from-${caller}-${port}`,
        { from: securityGroupId, to: this.loadBalancerSecurityGroup.id, port, description: `${port === 443 ? "HTTPS" : "HTTP"} to ${this.scope.name} from ${caller}` },
        this.ruleTransforms,
      );
    }
  }

  private createTaskDefinition(
    scope: Scope,
    args: WebServiceArgs,
    account: AccountContext,
    executionRoleArn: pulumi.Input<string>,
    t: Transform<aws.ecs.TaskDefinitionArgs> | undefined,
  ): aws.ecs.TaskDefinition {
    const spec = args.service;
    const readonlyRoot = args.readonlyRootFilesystem ?? true;
    const container = {
      name: spec.name,
      image: spec.image,
      ...(args.registryCredentialsSecret === undefined ? {} : { repositoryCredentials: { credentialsParameter: args.registryCredentialsSecret } }),
      essential: true,
      ...(spec.command === undefined ? {} : { entryPoint: spec.command }),
      ...(spec.args === undefined ? {} : { command: spec.args }),
      portMappings: [{ containerPort: spec.port, protocol: "tcp" }],
      environment: Object.entries(spec.env)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      // References only: ECS fetches the values at task start with the execution role.
      secrets: (args.secrets ?? []).map((s) => ({ name: s.envName, valueFrom: valueFromOf(s.location) })),
      readonlyRootFilesystem: readonlyRoot,
      ...(readonlyRoot ? { mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }] } : {}),
      linuxParameters: { initProcessEnabled: true },
      ...(args.healthCheckCommand === undefined
        ? {}
        : { healthCheck: { command: args.healthCheckCommand, interval: spec.healthCheck.intervalSeconds, timeout: spec.healthCheck.timeoutSeconds, retries: 3, startPeriod: Math.min(spec.healthCheck.gracePeriodSeconds, 300) } }),
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": this.logGroup.name, "awslogs-region": account.region, "awslogs-stream-prefix": spec.name },
      },
    };
    const name = `${scope.name}-task`;
    return new aws.ecs.TaskDefinition(
      ...transformed(
        name,
        {
          family: physicalNameOf(scope, "ecsService"),
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          ...fargateUnits(spec.cpu, spec.memory),
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture ?? "X86_64" },
          executionRoleArn,
          taskRoleArn: this.taskRole.arn,
          containerDefinitions: pulumi.jsonStringify([container]),
          ...(readonlyRoot ? { volumes: [{ name: "tmp" }] } : {}),
          tags: scope.tags,
        },
        childOptions(scope),
        t,
      ),
    );
  }

  private createTargetGroup(scope: Scope, args: WebServiceArgs, color: string, t: Transform<aws.lb.TargetGroupArgs> | undefined): aws.lb.TargetGroup {
    const spec = args.service;
    const name = `${scope.name}-tg-${color}`;
    return new aws.lb.TargetGroup(
      ...transformed(
        name,
        {
          name: physicalNameOf(scope, "targetGroup", color),
          targetType: "ip",
          protocol: "HTTP",
          port: spec.port,
          vpcId: args.network.networkId,
          deregistrationDelay: 30,
          healthCheck: {
            path: spec.healthCheck.path,
            interval: spec.healthCheck.intervalSeconds,
            timeout: spec.healthCheck.timeoutSeconds,
            healthyThreshold: HEALTHY_THRESHOLD,
            unhealthyThreshold: 3,
            matcher: "200-399",
          },
          tags: scope.tags,
        },
        childOptions(scope),
        t,
      ),
    );
  }

  private issueCertificate(
    scope: Scope,
    domainName: string,
    hostedZoneId: pulumi.Input<string> | undefined,
    awaitValidation: boolean,
    t: NonNullable<WebServiceArgs["transform"]>,
  ): { arn: pulumi.Output<string>; records: pulumi.Output<{ name: string; type: string; value: string }[]> } {
    const name = `${scope.name}-certificate`;
    const certificate = new aws.acm.Certificate(
      ...transformed(
        name,
        { domainName, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1", tags: scope.tags },
        childOptions(scope),
        t.certificate,
      ),
    );
    const records = certificate.domainValidationOptions.apply((options) =>
      options.map((o) => ({ name: o.resourceRecordName!, type: o.resourceRecordType!, value: o.resourceRecordValue! })),
    );
    const validationRecord =
      hostedZoneId === undefined
        ? undefined
        : new aws.route53.Record(
          ...transformed(
            `${name}-validation`,
            {
              zoneId: hostedZoneId,
              name: records.apply((r) => r[0]!.name),
              type: records.apply((r) => r[0]!.type),
              records: [records.apply((r) => r[0]!.value)],
              ttl: 300,
              allowOverwrite: true,
            },
            childOptions(scope),
            t.certificateValidationRecord,
          ),
        );
    // Without a wait the listener gets the certificate at once: ELB refuses it until ACM has issued it.
    if (!awaitValidation) return { arn: certificate.arn, records };
    // Waits until the certificate is issued, so the HTTPS listener never gets a pending one.
    const validation = new aws.acm.CertificateValidation(
      ...transformed(
        `${name}-validation`,
        { certificateArn: certificate.arn, ...(validationRecord === undefined ? {} : { validationRecordFqdns: [validationRecord.fqdn] }) },
        childOptions(scope),
        t.certificateValidation,
      ),
    );
    return { arn: validation.certificateArn, records };
  }

  /** The main listener (HTTPS, or HTTP when TLS is off) and, with TLS, the HTTP listener that redirects. */
  private createListeners(
    scope: Scope,
    targetGroup: aws.lb.TargetGroup,
    certificateArn: pulumi.Input<string> | undefined,
    t: NonNullable<WebServiceArgs["transform"]>,
  ): aws.lb.Listener {
    const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
    const mainOptions = childOptions(scope);
    if (certificateArn === undefined) {
      return new aws.lb.Listener(
        ...transformed(
          `${scope.name}-http`,
          { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: forward, tags: scope.tags },
          mainOptions,
          t.httpListener,
        ),
      );
    }
    const https = new aws.lb.Listener(
      ...transformed(
        `${scope.name}-https`,
        {
          loadBalancerArn: this.loadBalancer.arn,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: TLS_POLICY,
          certificateArn,
          defaultActions: forward,
          routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=31536000; includeSubDomains",
          routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
          tags: scope.tags,
        },
        mainOptions,
        t.httpsListener,
      ),
    );
    new aws.lb.Listener(
      ...transformed(
        `${scope.name}-http`,
        {
          loadBalancerArn: this.loadBalancer.arn,
          port: 80,
          protocol: "HTTP",
          defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
          tags: scope.tags,
        },
        childOptions(scope),
        t.httpListener,
      ),
    );
    return https;
  }

  private createDeploymentAlarm(scope: Scope, args: WebServiceArgs, t: Transform<aws.cloudwatch.MetricAlarmArgs> | undefined): aws.cloudwatch.MetricAlarm {
    const spec = deploymentAlarmSpec({ name: scope.name, loadBalancer: this.loadBalancer.arnSuffix }, args.slo);
    return new aws.cloudwatch.MetricAlarm(...transformed(`${scope.name}-deployment-alarm`, { ...metricAlarmArgs(spec), tags: scope.tags }, childOptions(scope), t));
  }

  /** Unhealthy targets in either target group during a traffic-shifting deployment: rolls it back. */
  private createDeploymentHealthAlarm(
    scope: Scope,
    service: ServiceSpec,
    targetGroups: readonly aws.lb.TargetGroup[],
    t: Transform<aws.cloudwatch.MetricAlarmArgs> | undefined,
  ): aws.cloudwatch.MetricAlarm {
    const spec = deploymentHealthAlarmSpec(
      { name: scope.name, loadBalancer: this.loadBalancer.arnSuffix, targetGroups: targetGroups.map((g) => g.arnSuffix) },
      { intervalSeconds: service.healthCheck.intervalSeconds, gracePeriodSeconds: service.healthCheck.gracePeriodSeconds },
    );
    return new aws.cloudwatch.MetricAlarm(...transformed(`${scope.name}-deployment-health-alarm`, { ...metricAlarmArgs(spec), tags: scope.tags }, childOptions(scope), t));
  }

  /**
   * The DNS records of `domain` to create by hand (no hosted zone): the certificate's validation records,
   * if this service requested the certificate, and a CNAME to the load balancer. Warns once in the plan,
   * and logs the records themselves once ACM has named them (during `pulumi up`, before the HTTPS listener,
   * which cannot be created until they exist, fails).
   */
  private recordsToCreate(name: string, domain: string | undefined): pulumi.Output<DnsRecord[]> {
    if (domain === undefined) return pulumi.output([]);
    const validation = this.certificateValidationRecords;
    pulumi.log.warn(
      `${name}: no Route 53 hosted zone for ${domain} (backend option hostedZoneId: stack config polycloud:aws.hostedZoneId or the spec's ` +
        "providers.aws.hostedZoneId; WebService's hostedZoneId), so no DNS records are created: create them yourself, as the service's " +
        `dnsRecords output lists them: ${validation === undefined ? "" : "the certificate's DNS validation CNAME (ACM names it once the certificate is requested) and "}` +
        `a CNAME from ${domain} to the load balancer's DNS name (or a Route 53 alias record). ` +
        (validation === undefined
          ? ""
          : "Until the validation record exists ACM keeps the certificate pending (for up to 72 hours, then the request fails) and ELB refuses an " +
            "HTTPS listener with a certificate that is not issued: pulumi up fails at the HTTPS listener and the ECS service, which needs it, is " +
            "not created; run pulumi up again once ACM has issued the certificate. ") +
        `Until the CNAME exists, https://${domain} does not resolve.`,
      this,
    );
    const target: pulumi.Output<DnsRecord> = this.loadBalancer.dnsName.apply((dnsName) => ({
      name: domain,
      type: "CNAME",
      value: dnsName,
      purpose: `points ${domain} at the load balancer (a Route 53 alias A record works too)`,
    }));
    const records = pulumi.all([validation ?? pulumi.output([]), target]).apply(([certificate, lb]) => [
      ...certificate.map((r) => ({ ...r, purpose: `validates the certificate for ${domain} (ACM issues it only once this record resolves)` })),
      lb,
    ]);
    // Known only once the certificate and load balancer exist: logged then, so a failed `pulumi up` still shows them.
    records.apply((list) => pulumi.log.info(`DNS records to create for ${domain}: ${list.map((r) => `${r.name} ${r.type} ${r.value}`).join("; ")}`, this));
    return records;
  }

  /**
   * What ECS's blue/green, canary and linear deployments need: a production listener rule that forwards
   * to both target groups (ECS moves the weights; Pulumi must not move them back) and a role that lets
   * ECS change the rule and target groups.
   */
  private createTrafficShift(
    scope: Scope,
    listener: aws.lb.Listener,
    blue: aws.lb.TargetGroup,
    green: aws.lb.TargetGroup,
    account: AccountContext,
    t: NonNullable<WebServiceArgs["transform"]>,
  ): TrafficShift {
    const name = `${scope.name}-production-rule`;
    const rule = new aws.lb.ListenerRule(
      ...transformed(
        name,
        {
          listenerArn: listener.arn,
          priority: 1,
          conditions: [{ pathPattern: { values: ["/*"] } }],
          actions: [{ type: "forward", forward: { targetGroups: [{ arn: blue.arn, weight: 100 }, { arn: green.arn, weight: 0 }] } }],
          tags: scope.tags,
        },
        childOptions(scope, { ignoreChanges: ["actions"] }),
        t.productionListenerRule,
      ),
    );
    // AWS's documented trust policy for the ECS infrastructure role has no aws:SourceAccount condition.
    const role = createServiceRole(scope, "deployment-role", {
      service: "ecs.amazonaws.com",
      account,
      // arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers: no service-role/ path (AWS managed policy reference).
      managedPolicies: ["AmazonECSInfrastructureRolePolicyForLoadBalancers"],
      sourceAccountCondition: false,
      ...(t.deploymentRole === undefined ? {} : { transforms: t.deploymentRole }),
    });
    return { rule, roleArn: role.arn, green };
  }

  private createService(
    scope: Scope,
    args: WebServiceArgs,
    targetGroup: aws.lb.TargetGroup,
    listener: aws.lb.Listener,
    trafficShift: TrafficShift | undefined,
    t: Transform<aws.ecs.ServiceArgs> | undefined,
  ): aws.ecs.Service {
    const spec = args.service;
    const { rollback } = spec.deployment;
    const health = ecsHealthRollback(spec.deployment);
    // The error-rate alarm when the spec rolls back on alarms; the health alarm where it stands in for the circuit breaker.
    const rollbackAlarms = [...(rollback.onAlarm ? [this.deploymentAlarm.name] : []), ...(this.deploymentHealthAlarm === undefined ? [] : [this.deploymentHealthAlarm.name])];
    const advancedConfiguration =
      trafficShift === undefined ? {} : { advancedConfiguration: { alternateTargetGroupArn: trafficShift.green.arn, productionListenerRule: trafficShift.rule.arn, roleArn: trafficShift.roleArn } };
    return new aws.ecs.Service(
      ...transformed(
        scope.name,
        {
          name: physicalNameOf(scope, "ecsService"),
          cluster: this.cluster.arn,
          taskDefinition: this.taskDefinition.arn,
          desiredCount: spec.replicas.min,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          networkConfiguration: { subnets: args.network.privateSubnetIds, securityGroups: [this.securityGroup.id], assignPublicIp: false },
          loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: spec.name, containerPort: spec.port, ...advancedConfiguration }],
          healthCheckGracePeriodSeconds: spec.healthCheck.gracePeriodSeconds,
          deploymentController: { type: "ECS" },
          // A new task definition (a new image) starts a deployment with this strategy; ECS rolls it back on
          // failed health checks (the circuit breaker where AWS documents it, else the health alarm) and on the
          // error-rate alarm, through the deployment and its bake time.
          deploymentConfiguration: ecsDeploymentConfiguration(spec.deployment),
          deploymentMinimumHealthyPercent: 100,
          deploymentMaximumPercent: 200,
          deploymentCircuitBreaker: health.circuitBreaker,
          alarms:
            rollbackAlarms.length === 0
              ? { alarmNames: [this.deploymentAlarm.name], enable: false, rollback: false }
              : { alarmNames: rollbackAlarms, enable: true, rollback: true },
          propagateTags: "SERVICE",
          enableEcsManagedTags: true,
          tags: scope.tags,
        },
        // Autoscaling owns the task count.
        childOptions(scope, { dependsOn: [listener, ...(trafficShift === undefined ? [] : [trafficShift.rule])], ignoreChanges: ["desiredCount"] }),
        t,
      ),
    );
  }

  private createAutoscaling(scope: Scope, spec: ServiceSpec, t: NonNullable<WebServiceArgs["transform"]>): void {
    const targetName = `${scope.name}-scaling`;
    const target = new aws.appautoscaling.Target(
      ...transformed(
        targetName,
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${this.cluster.name}/${this.service.name}`,
          minCapacity: spec.replicas.min,
          maxCapacity: spec.replicas.max,
          tags: scope.tags,
        },
        childOptions(scope),
        t.autoscalingTarget,
      ),
    );
    const policies = [
      { metric: "cpu", type: "ECSServiceAverageCPUUtilization", value: spec.autoscaling.cpuPercent },
      { metric: "memory", type: "ECSServiceAverageMemoryUtilization", value: spec.autoscaling.memoryPercent },
    ];
    for (const p of policies) {
      const name = `${scope.name}-scale-on-${p.metric}`;
      new aws.appautoscaling.Policy(
        ...transformed(
          name,
          {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: {
              predefinedMetricSpecification: { predefinedMetricType: p.type },
              targetValue: p.value,
              // Scale out fast, scale in slowly: a late scale-in costs little, a late scale-out costs users.
              scaleOutCooldown: 60,
              scaleInCooldown: 300,
            },
          },
          childOptions(scope),
          t.autoscalingPolicy,
        ),
      );
    }
  }

  private createWaf(
    scope: Scope,
    rateLimit: number,
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> },
    t: NonNullable<WebServiceArgs["transform"]>,
  ): aws.wafv2.WebAcl {
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const name = `${scope.name}-waf`;
    const acl = new aws.wafv2.WebAcl(
      ...transformed(
        name,
        {
          scope: "REGIONAL",
          description: `Managed rules in front of ${scope.name}`,
          defaultAction: { allow: {} },
          rules: [
            ...WAF_MANAGED_RULE_GROUPS.map((group, priority) => ({
              name: group,
              priority,
              overrideAction: { none: {} },
              statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
              visibilityConfig: visibility(group),
            })),
            {
              name: "rate-limit-per-ip",
              priority: WAF_MANAGED_RULE_GROUPS.length,
              action: { block: {} },
              statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP" } },
              visibilityConfig: visibility("rate-limit-per-ip"),
            },
          ],
          visibilityConfig: visibility(`${scope.name}-waf`),
          tags: scope.tags,
        },
        childOptions(scope),
        t.webAcl,
      ),
    );
    new aws.wafv2.WebAclAssociation(...transformed(`${name}-association`, { resourceArn: this.loadBalancer.arn, webAclArn: acl.arn }, childOptions(scope), t.webAclAssociation));
    // WAF logs only to log groups named aws-waf-logs-*; credentials in headers are redacted.
    const logGroup = createLogGroup(scope, "waf-logs", {
      logGroupName: `aws-waf-logs-${physicalNameOf(scope, "logGroup")}`,
      ...logs,
      ...(t.wafLogGroup === undefined ? {} : { transform: t.wafLogGroup }),
    });
    new aws.wafv2.WebAclLoggingConfiguration(
      ...transformed(
        `${name}-logging`,
        {
          resourceArn: acl.arn,
          logDestinationConfigs: [logGroup.arn],
          redactedFields: ["authorization", "cookie"].map((header) => ({ singleHeader: { name: header } })),
        },
        childOptions(scope),
        t.wafLogging,
      ),
    );
    return acl;
  }
}
