import * as pulumi from "@pulumi/pulumi";
import { PolycloudError, type ServiceSpec } from "@polycloud/core";
import type { Plan } from "@polycloud/testing";
import { onNetwork, service } from "./__tests__/fixtures";
import type { AzureSecretReference } from "./secret-store";
import { secretNameOf, trafficOf, WebService, type WebServiceArgs } from "./web-service";

const T = {
  app: "azure-native:app:ContainerApp",
  env: "azure-native:app:ManagedEnvironment",
  cert: "azure-native:app:ManagedCertificate",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  subnet: "azure-native:network:Subnet",
  zone: "azure-native:privatedns:PrivateZone",
  record: "azure-native:privatedns:PrivateRecordSet",
};

const slo = { availability: 99.9, latencyP95Ms: 300, errorRatePercent: 0.5 };
const loadBalancer = { public: true, tls: true, waf: false, domain: "shop.example.com" };
const secretRef = (envName: string, name: string): AzureSecretReference => ({
  envName,
  location: { secretId: pulumi.output(`/vaults/kv/secrets/${name}`), secretUri: pulumi.output(`https://kv.vault.azure.net/secrets/${name}`) },
});

const run = (spec: ServiceSpec = service(), extra: Partial<WebServiceArgs> = {}, environment: "development" | "production" = "development") =>
  onNetwork((network) => new WebService("shop-web", { app: "shop", environment, service: spec, network, loadBalancer, slo, ...extra }), { environment });

describe("WebService", () => {
  // The default program and the program with a domain (no DNS zone) are each planned once (plans are costly).
  let defaults: Plan;
  let withDomain: Plan;
  beforeAll(async () => {
    defaults = await run();
    withDomain = await onNetwork((network) => ({ records: new WebService("shop-web", { app: "shop", environment: "development", service: service(), network, loadBalancer, slo, domainName: "shop.example.com" }).dnsRecords }), {
      mocks: { [T.env]: () => ({ customDomainConfiguration: { customDomainVerificationId: "A1B2C3" } }) },
    });
  }, 60_000);

  it("defaults to an environment of its own on the service's subnet, with logs through Azure Monitor and encrypted peer traffic", () => {
    const plan = defaults;
    expect(plan.find(T.env).inputs).toMatchObject({
      workloadProfiles: [{ name: "Consumption", workloadProfileType: "Consumption" }],
      vnetConfiguration: { infrastructureSubnetId: plan.find(T.subnet, { subnetName: "service-web" }).id, internal: false },
      appLogsConfiguration: { destination: "azure-monitor" },
      peerTrafficConfiguration: { encryption: { enabled: true } },
      zoneRedundant: false,
    });
  });

  it("defaults to a user-assigned identity, HTTPS-only ingress on the service's port and one revision for rolling deployments", () => {
    const plan = defaults;
    const app = plan.find(T.app);
    const identity = plan.find(T.identity);
    expect(app.inputs).toMatchObject({
      containerAppName: expect.stringMatching(/^shop-dev-web-[0-9a-f]{6}$/),
      environmentId: plan.find(T.env).id,
      identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
      configuration: { activeRevisionsMode: "Single", ingress: { external: true, targetPort: 8080, allowInsecure: false, traffic: [{ latestRevision: true, weight: 100 }] } },
    });
  });

  it("defaults to startup, lenient liveness and strict readiness probes on the health check, and scale rules on HTTP, CPU and memory", () => {
    const plan = defaults;
    const template = plan.find(T.app).inputs["template"] as { containers: { probes: unknown[]; resources: unknown }[]; scale: unknown };
    const http = { httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" }, periodSeconds: 10, timeoutSeconds: 5 };
    expect(template.containers[0]!.probes).toEqual([
      { type: "Startup", ...http, failureThreshold: 6, initialDelaySeconds: 0 },
      { type: "Liveness", ...http, failureThreshold: 3, initialDelaySeconds: 0 },
      { type: "Readiness", ...http, failureThreshold: 1, initialDelaySeconds: 0 },
    ]);
    expect(template.containers[0]!.resources).toEqual({ cpu: 0.5, memory: "1Gi" });
    expect(template.scale).toEqual({
      minReplicas: 2,
      maxReplicas: 5,
      rules: [
        { name: "http-concurrency", http: { metadata: { concurrentRequests: "50" } } },
        { name: "cpu", custom: { type: "cpu", metadata: { type: "Utilization", value: "70" } } },
        { name: "memory", custom: { type: "memory", metadata: { type: "Utilization", value: "80" } } },
      ],
    });
  });

  it("injects secrets as Key Vault references through its identity, never values, after the identity may read each", async () => {
    const plan = await run(service({ secrets: ["stripe-key", "DATABASE_URL"] }), { secrets: [secretRef("STRIPE_KEY", "stripe-key"), secretRef("DATABASE_URL", "database-url")] });
    const app = plan.find(T.app);
    const identity = plan.find(T.identity);
    expect((app.inputs["configuration"] as { secrets: unknown }).secrets).toEqual([
      { name: "stripe-key", keyVaultUrl: "https://kv.vault.azure.net/secrets/stripe-key", identity: identity.id },
      { name: "database-url", keyVaultUrl: "https://kv.vault.azure.net/secrets/database-url", identity: identity.id },
    ]);
    const env = (app.inputs["template"] as { containers: { env: { name: string; value?: string; secretRef?: string }[] }[] }).containers[0]!.env;
    expect(env.filter((e) => e.secretRef !== undefined)).toEqual([
      { name: "STRIPE_KEY", secretRef: "stripe-key" },
      { name: "DATABASE_URL", secretRef: "database-url" },
    ]);
    expect(env.map((e) => e.name)).toEqual(["LOG_LEVEL", "STRIPE_KEY", "DATABASE_URL", "AZURE_CLIENT_ID", "OTEL_SERVICE_NAME"]);
    const reads = plan.resources(T.role);
    expect(reads.map((r) => [r.inputs["scope"], String(r.inputs["roleDefinitionId"]).split("/").pop(), r.inputs["principalId"]])).toEqual([
      ["/vaults/kv/secrets/stripe-key", "4633458b-17de-408a-b874-0445c86b69e6", identity.outputs["principalId"]],
      ["/vaults/kv/secrets/database-url", "4633458b-17de-408a-b874-0445c86b69e6", identity.outputs["principalId"]],
    ]);
    for (const read of reads) expect(app.dependencies).toContain(read.urn);
  });

  it("grants a blob data role on exactly each granted container, by access", async () => {
    const plan = await run(service(), { buckets: { media: { containerId: "/containers/media", access: "readwrite" }, reports: { containerId: "/containers/reports", access: "read" } } });
    expect(plan.resources(T.role).map((r) => [r.inputs["scope"], String(r.inputs["roleDefinitionId"]).split("/").pop()])).toEqual([
      ["/containers/media", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"],
      ["/containers/reports", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"],
    ]);
  });

  it("serves the domain with a managed certificate when the public service has a domain and TLS", () => {
    const plan = withDomain;
    const cert = plan.find(T.cert);
    expect(cert.inputs).toMatchObject({ environmentName: plan.find(T.env).outputs["name"], properties: { subjectName: "shop.example.com", domainControlValidation: "CNAME" } });
    expect((plan.find(T.app).inputs["configuration"] as { ingress: { customDomains: unknown } }).ingress.customDomains).toEqual([{ name: "shop.example.com", bindingType: "SniEnabled", certificateId: cert.id }]);
  });

  it("lists the records the domain needs before its certificate is issued", () => {
    const plan = withDomain;
    const fqdn = (plan.find(T.app).outputs["configuration"] as { ingress: { fqdn: string } }).ingress.fqdn;
    expect(plan.outputs["records"]).toEqual({ cname: "shop.example.com", target: fqdn, txtName: "asuid.shop.example.com", txtValue: "A1B2C3" });
  });

  it("leaves the domain to Front Door when frontDoor is set", async () => {
    const plan = await run(service(), { domainName: "shop.example.com", frontDoor: true });
    expect(plan.resources(T.cert)).toHaveLength(0);
  });

  it("puts a private service in an internal environment, resolvable through a private zone of its domain", async () => {
    const plan = await run(service({ public: false }));
    const env = plan.find(T.env);
    expect(env.inputs).toMatchObject({ vnetConfiguration: { internal: true }, publicNetworkAccess: "Disabled" });
    expect(plan.find(T.zone, (z) => z.inputs["privateZoneName"] === env.outputs["defaultDomain"])).toBeDefined();
    expect(plan.find(T.record).inputs).toMatchObject({ relativeRecordSetName: "*", recordType: "A", aRecords: [{ ipv4Address: env.outputs["staticIp"] }] });
  });

  it("runs multiple revisions, zone-redundant in production, for blue-green", async () => {
    const plan = await run(service({ deployment: { ...service().deployment, strategy: "blue-green" } }), {}, "production");
    expect(plan.find(T.env).inputs["zoneRedundant"]).toBe(true);
    expect((plan.find(T.app).inputs["configuration"] as { activeRevisionsMode: string }).activeRevisionsMode).toBe("Multiple");
  });

  it("throws PolycloudError naming the memory, before creating anything, when the size is not a Consumption size", async () => {
    let caught: unknown;
    const plan = await onNetwork((network) => {
      try {
        new WebService("shop-web", { app: "shop", service: service({ memory: 4096 }), network, loadBalancer, slo });
      } catch (error) {
        caught = error;
      }
    });
    expect(caught).toBeInstanceOf(PolycloudError);
    expect((caught as PolycloudError).problems).toEqual([{ path: "services.web.memory", message: "4096 MiB does not go with 0.5 vCPU on Container Apps Consumption; allowed: 2 GiB per vCPU, 1024 MiB", fix: "set memory to 1024" }]);
    expect(plan.resources(T.identity)).toEqual([]);
  });
});

describe("trafficOf", () => {
  const deployment = service().deployment;
  it.each([
    ["rolling", undefined, [{ latestRevision: true, weight: 100 }]],
    ["canary", undefined, [{ latestRevision: true, weight: 100 }]],
    ["canary", "web--abc", [{ latestRevision: true, weight: 10, label: "canary" }, { revisionName: "web--abc", weight: 90, label: "stable" }]],
    ["blue-green", "web--abc", [{ latestRevision: true, weight: 0, label: "green" }, { revisionName: "web--abc", weight: 100, label: "blue" }]],
  ] as const)("sends %s traffic with stable revision %s as %j", (strategy, stable, traffic) => {
    expect(trafficOf(service({ deployment: { ...deployment, strategy } }), stable)).toEqual(traffic);
  });

  it.each([
    ["canary", "web--abc", [{ latestRevision: true, weight: 0, label: "canary" }, { revisionName: "web--abc", weight: 100, label: "stable" }]],
    ["blue-green", "web--abc", [{ latestRevision: true, weight: 0, label: "green" }, { revisionName: "web--abc", weight: 100, label: "blue" }]],
    ["canary", undefined, [{ latestRevision: true, weight: 100 }]],
    ["rolling", "web--abc", [{ latestRevision: true, weight: 100 }]],
  ] as const)("sends an aborted %s with stable revision %s all to the stable revision, the latest keeping its label: %j", (strategy, stable, traffic) => {
    expect(trafficOf(service({ deployment: { ...deployment, strategy } }), stable, true)).toEqual(traffic);
  });
});

describe("secretNameOf", () => {
  it.each([
    ["STRIPE_KEY", "stripe-key"],
    ["DATABASE_URL", "database-url"],
    ["_A__B_", "a-b"],
  ])("names %s %s", (env, name) => expect(secretNameOf(env)).toBe(name));
});

describe("WebService DNS records", () => {
  const zone = { id: "/subscriptions/s/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com", resourceGroupName: "dns-rg", zoneName: "example.com" };
  const record = "azure-native:dns:RecordSet";

  it("creates the ownership TXT and the CNAME in the zone, before the certificate, when dnsZone is set", async () => {
    const plan = await onNetwork((network) => new WebService("shop-web", { app: "shop", service: service(), network, loadBalancer, slo, domainName: "shop.example.com", dnsZone: zone }), {
      mocks: { [T.env]: () => ({ customDomainConfiguration: { customDomainVerificationId: "A1B2C3" } }) },
    });
    const env = plan.find(T.env);
    const txt = plan.find(record, { recordType: "TXT" });
    const cname = plan.find(record, { recordType: "CNAME" });
    expect(txt.inputs).toMatchObject({ resourceGroupName: "dns-rg", zoneName: "example.com", relativeRecordSetName: "asuid.shop", txtRecords: [{ value: ["A1B2C3"] }] });
    expect(cname.inputs).toMatchObject({ relativeRecordSetName: "shop", cnameRecord: { cname: `${plan.find(T.app).inputs["containerAppName"]}.${env.outputs["defaultDomain"]}` } });
    const cert = plan.find(T.cert);
    expect(cert.dependencies).toEqual(expect.arrayContaining([txt.urn, cname.urn]));
    expect(cert.inputs).toMatchObject({ properties: { domainControlValidation: "CNAME" } });
  });

  it("points the zone's apex at the environment's address and validates by HTTP", async () => {
    const plan = await onNetwork((network) => new WebService("shop-web", { app: "shop", service: service(), network, loadBalancer, slo, domainName: "example.com", dnsZone: zone }));
    expect(plan.find(record, { recordType: "A" }).inputs).toMatchObject({ relativeRecordSetName: "@", aRecords: [{ ipv4Address: plan.find(T.env).outputs["staticIp"] }] });
    expect(plan.find(record, { recordType: "TXT" }).inputs["relativeRecordSetName"]).toBe("asuid");
    expect(plan.find(T.cert).inputs).toMatchObject({ properties: { domainControlValidation: "HTTP" } });
  });
});

describe("WebService rollback", () => {
  const R = {
    workflow: "azure-native:logic:Workflow",
    group: "azure-native:monitor:ActionGroup",
    rule: "azure-native:monitor:ScheduledQueryRule",
    metric: "azure-native:monitor:MetricAlert",
    callback: "azure-native:logic:listWorkflowTriggerCallbackUrl",
  };
  const STABLE = "shop-dev-web--stable1";
  const deployment = (strategy: "rolling" | "canary" | "blue-green", onAlarm = true, onHealthCheckFailure = true) => ({ ...service().deployment, strategy, rollback: { onHealthCheckFailure, onAlarm } });
  const mocks = { [R.callback]: () => ({ value: "https://prod.logic.azure.com/workflows/w/triggers/alert/run?sig=s3cret" }) };
  const runRollback = (strategy: "rolling" | "canary" | "blue-green", extra: Partial<WebServiceArgs>, onAlarm = true) =>
    onNetwork((network) => new WebService("shop-web", { app: "shop", service: service({ deployment: deployment(strategy, onAlarm) }), network, loadBalancer, slo, ...extra }), { mocks });

  it("rolls a canary back to the stable revision through a Logic App allowed to write that one app, on the new revision's errors or restarts", async () => {
    const plan = await runRollback("canary", { stableRevision: STABLE });
    const app = plan.find(T.app);
    const latest = app.outputs["latestRevisionName"] as string;
    const identity = plan.find(T.identity, (r) => r.name === "shop-web-rollback-identity");
    const workflow = plan.find(R.workflow);
    expect(workflow.inputs["identity"]).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity.id] });
    const definition = workflow.inputs["definition"] as { actions: { fired: { actions: { rollback: { type: string; inputs: unknown } } } } };
    expect(definition.actions.fired.actions.rollback).toEqual({
      type: "Http",
      runAfter: {},
      inputs: {
        method: "PATCH",
        uri: `https://management.azure.com${app.id}?api-version=2024-03-01`,
        headers: { "Content-Type": "application/json" },
        body: { properties: { configuration: { ingress: { traffic: [{ revisionName: STABLE, weight: 100 }] } } } },
        authentication: { type: "ManagedServiceIdentity", identity: identity.id, audience: "https://management.azure.com/" },
      },
    });

    const grant = plan.find(T.role, (r) => r.inputs["principalId"] === identity.outputs["principalId"]);
    expect([grant.inputs["scope"], String(grant.inputs["roleDefinitionId"]).split("/").pop()]).toEqual([app.id, "358470bc-b998-42bd-ab17-a7e34c199c0f"]);
    expect(plan.resources(T.role).filter((r) => r.inputs["scope"] === app.id)).toHaveLength(1);
    expect(workflow.dependencies).toContain(grant.urn);

    const group = plan.find(R.group);
    expect(group.inputs["logicAppReceivers"]).toEqual([{ name: "rollback", resourceId: workflow.id, callbackUrl: "https://prod.logic.azure.com/workflows/w/triggers/alert/run?sig=s3cret", useCommonAlertSchema: true }]);
    expect(plan.invokes.find((i) => i.token === R.callback)?.inputs).toMatchObject({ workflowName: workflow.outputs["name"], triggerName: "alert" });

    const rule = plan.find(R.rule);
    const criterion = (rule.inputs["criteria"] as { allOf: { query: string; threshold: number; operator: string }[] }).allOf[0]!;
    expect(criterion.query).toContain(`AppRoleName == "web" and AppRoleInstance startswith "${latest}-"`);
    expect(criterion.query).toContain("| where ratio > 0.005");
    expect(rule.inputs).toMatchObject({ enabled: true, severity: 0, actions: { actionGroups: [group.id] } });

    const restarts = plan.find(R.metric);
    expect(restarts.inputs).toMatchObject({
      enabled: true,
      scopes: [app.id],
      actions: [{ actionGroupId: group.id }],
      criteria: { allOf: [{ metricNamespace: "Microsoft.App/containerApps", metricName: "RestartCount", dimensions: [{ name: "revisionName", operator: "Include", values: [latest] }], operator: "GreaterThan", threshold: 0 }] },
    });
  });

  it("keeps the alerts disabled once the stable revision is the latest (promoted)", async () => {
    const plan = await onNetwork(
      (network) => new WebService("shop-web", { app: "shop", service: service({ deployment: deployment("blue-green") }), network, loadBalancer, slo, stableRevision: STABLE }),
      { mocks: { ...mocks, [T.app]: () => ({ latestRevisionName: STABLE }) } },
    );
    expect(plan.find(R.rule).inputs["enabled"]).toBe(false);
    expect(plan.find(R.metric).inputs["enabled"]).toBe(false);
  });

  it("sends all traffic to the stable revision and keeps the alerts disabled when the rollout is aborted", async () => {
    const plan = await runRollback("canary", { stableRevision: STABLE, rolloutAborted: true });
    const ingress = (plan.find(T.app).inputs["configuration"] as { ingress: { traffic: unknown } }).ingress;
    expect(ingress.traffic).toEqual([{ latestRevision: true, weight: 0, label: "canary" }, { revisionName: STABLE, weight: 100, label: "stable" }]);
    expect(plan.find(R.rule).inputs["enabled"]).toBe(false);
    expect(plan.find(R.metric).inputs["enabled"]).toBe(false);
    expect(plan.resources(R.workflow)).toHaveLength(1);
  });

  it("watches only the new revision's errors when rollback.onHealthCheckFailure is false", async () => {
    const plan = await onNetwork(
      (network) => new WebService("shop-web", { app: "shop", service: service({ deployment: deployment("canary", true, false) }), network, loadBalancer, slo, stableRevision: STABLE }),
      { mocks },
    );
    expect(plan.find(R.rule).inputs["enabled"]).toBe(true);
    expect(plan.resources(R.metric)).toEqual([]);
  });

  it.each([
    ["rolling", { stableRevision: STABLE }, true],
    ["canary", { stableRevision: STABLE }, false],
    ["canary", {}, true],
  ] as const)("creates no rollback for %s with %j and onAlarm %s", async (strategy, extra, onAlarm) => {
    const plan = await runRollback(strategy, extra, onAlarm);
    expect([R.workflow, R.group, R.rule, R.metric].flatMap((type) => plan.resources(type))).toEqual([]);
    expect(plan.resources(T.identity)).toHaveLength(1);
  });
});
