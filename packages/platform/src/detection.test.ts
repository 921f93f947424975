import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PolycloudError } from "@polycloud/core";
import fc from "fast-check";
import { collectSignals, detect, explain, strictSetting, type DetectInput } from "./detection";
import { directoryProbe } from "./file-probe";

// Fixture directories are written to a fresh tmp dir per case: `project` holds project files, `home`
// stands in for the home directory, so nothing is read from the real machine.
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "polycloud-detect-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface Fixture extends Omit<DetectInput, "files" | "homeDir"> {
  readonly project?: Readonly<Record<string, string>>;
  readonly home?: readonly string[];
}

function write(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function input({ project = {}, home = [], ...rest }: Fixture): DetectInput {
  const projectDir = join(root, "project");
  const homeDir = join(root, "home");
  mkdirSync(projectDir, { recursive: true });
  write(projectDir, project);
  write(homeDir, Object.fromEntries(home.map((path) => [path, ""])));
  return { ...rest, files: directoryProbe(projectDir), homeDir };
}

const CLOUDFORMATION = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n";
const ARM = JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources: [] });
const DEPLOYMENT = "kind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: web\n";

describe("detect", () => {
  it.each<[string, Fixture, string, number]>([
    // tier 1: the explicit choice; --provider overrides the others, which must agree
    ["--provider wins over every other signal", { provider: "kubernetes", spec: { provider: "aws" }, config: { "polycloud:provider": "gcp" }, env: { AWS_PROFILE: "prod", POLYCLOUD_PROVIDER: "azure" }, project: { "cdk.json": "{}" } }, "kubernetes", 1],
    ["the spec, polycloud:provider and POLYCLOUD_PROVIDER agree", { spec: { provider: "gcp" }, config: { "polycloud:provider": "gcp" }, env: { POLYCLOUD_PROVIDER: "gcp", AWS_PROFILE: "p" } }, "gcp", 1],
    ["the spec's provider", { spec: { provider: "aws" }, env: { KUBECONFIG: "/k" } }, "aws", 1],
    ["polycloud:provider stack config", { config: { "polycloud:provider": "gcp", "aws:region": "us-east-1" } }, "gcp", 1],
    ["POLYCLOUD_PROVIDER", { env: { POLYCLOUD_PROVIDER: "azure", AWS_PROFILE: "prod" } }, "azure", 1],
    ["spec provider auto defers to detection", { spec: { provider: "auto" }, provider: "auto", env: { KUBECONFIG: "/k" } }, "kubernetes", 3],
    // tier 2: provider config namespaces
    ["aws:region", { config: { "aws:region": "eu-west-1" }, env: { KUBECONFIG: "/k" } }, "aws", 2],
    ["aws:profile", { config: { "aws:profile": "prod" } }, "aws", 2],
    ["azure-native:location", { config: { "azure-native:location": "westeurope" } }, "azure", 2],
    ["azure-native:subscriptionId", { config: { "azure-native:subscriptionId": "0000" } }, "azure", 2],
    ["gcp:project", { config: { "gcp:project": "acme" } }, "gcp", 2],
    ["gcp:region", { config: { "gcp:region": "europe-west1" } }, "gcp", 2],
    ["kubernetes:kubeconfig", { config: { "kubernetes:kubeconfig": "~/.kube/dev" } }, "kubernetes", 2],
    ["kubernetes:context", { config: { "kubernetes:context": "kind-dev" }, env: { AWS_PROFILE: "p", ARM_TENANT_ID: "t" } }, "kubernetes", 2],
    // tier 3: environment
    ["AWS_REGION", { env: { AWS_REGION: "us-east-1" } }, "aws", 3],
    ["AWS_DEFAULT_REGION", { env: { AWS_DEFAULT_REGION: "us-east-1" } }, "aws", 3],
    ["AWS_PROFILE", { env: { AWS_PROFILE: "prod" } }, "aws", 3],
    ["AWS_ACCESS_KEY_ID", { env: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" } }, "aws", 3],
    ["ARM_SUBSCRIPTION_ID", { env: { ARM_SUBSCRIPTION_ID: "sub" } }, "azure", 3],
    ["ARM_TENANT_ID", { env: { ARM_TENANT_ID: "tenant" } }, "azure", 3],
    ["ARM_CLIENT_ID", { env: { ARM_CLIENT_ID: "client" } }, "azure", 3],
    ["ARM_USE_MSI=true", { env: { ARM_USE_MSI: "true" } }, "azure", 3],
    ["ARM_USE_OIDC=1", { env: { ARM_USE_OIDC: "1" } }, "azure", 3],
    ["GOOGLE_PROJECT", { env: { GOOGLE_PROJECT: "acme" } }, "gcp", 3],
    ["GOOGLE_CLOUD_PROJECT", { env: { GOOGLE_CLOUD_PROJECT: "acme" } }, "gcp", 3],
    ["GCLOUD_PROJECT", { env: { GCLOUD_PROJECT: "acme" } }, "gcp", 3],
    ["CLOUDSDK_CORE_PROJECT", { env: { CLOUDSDK_CORE_PROJECT: "acme" } }, "gcp", 3],
    ["GOOGLE_APPLICATION_CREDENTIALS", { env: { GOOGLE_APPLICATION_CREDENTIALS: "/key.json" } }, "gcp", 3],
    ["KUBECONFIG", { env: { KUBECONFIG: "/home/me/.kube/config" } }, "kubernetes", 3],
    ["the in-cluster service account", { env: { KUBERNETES_SERVICE_HOST: "10.96.0.1" }, project: { "cdk.json": "{}" } }, "kubernetes", 3],
    // tier 4: dependencies
    ["@pulumi/aws in dependencies", { project: { "package.json": JSON.stringify({ dependencies: { "@pulumi/aws": "^7" } }) } }, "aws", 4],
    ["@pulumi/azure-native in devDependencies", { project: { "package.json": JSON.stringify({ devDependencies: { "@pulumi/azure-native": "^3" } }) } }, "azure", 4],
    ["@pulumi/gcp in dependencies", { project: { "package.json": JSON.stringify({ dependencies: { "@pulumi/gcp": "^9" } }), "Chart.yaml": "name: x" } }, "gcp", 4],
    ["@pulumi/kubernetes in peerDependencies", { project: { "package.json": JSON.stringify({ peerDependencies: { "@pulumi/kubernetes": "^4" } }) } }, "kubernetes", 4],
    // tier 5: project files
    ["a CloudFormation template", { project: { "infra/template.yaml": CLOUDFORMATION } }, "aws", 5],
    ["samconfig.toml", { project: { "samconfig.toml": "version = 0.1" } }, "aws", 5],
    ["cdk.json", { project: { "cdk.json": '{"app": "npx ts-node bin/app.ts"}' } }, "aws", 5],
    ["serverless.yml", { project: { "serverless.yml": "service: shop" } }, "aws", 5],
    ["Terraform aws_ resources", { project: { "tf/main.tf": 'resource "aws_s3_bucket" "b" {}' } }, "aws", 5],
    ['Terraform provider "aws"', { project: { "main.tf": 'provider "aws" {\n  region = "us-east-1"\n}' } }, "aws", 5],
    ["an ARM template", { project: { "azuredeploy.json": ARM } }, "azure", 5],
    ["a Bicep file", { project: { "main.bicep": "param location string" } }, "azure", 5],
    ["azure-pipelines.yml", { project: { "azure-pipelines.yml": "trigger: [main]" } }, "azure", 5],
    ["Terraform azurerm", { project: { "main.tf": 'provider "azurerm" {}' } }, "azure", 5],
    ["an App Engine app.yaml", { project: { "app.yaml": "runtime: nodejs20\n" } }, "gcp", 5],
    ["cloudbuild.yaml", { project: { "cloudbuild.yaml": "steps: []" } }, "gcp", 5],
    [".gcloudignore", { project: { ".gcloudignore": "node_modules" } }, "gcp", 5],
    ["Terraform google_ resources", { project: { "main.tf": 'resource "google_storage_bucket" "b" {}' } }, "gcp", 5],
    ["a Helm chart", { project: { "charts/web/Chart.yaml": "apiVersion: v2\nname: web\n" } }, "kubernetes", 5],
    ["a Kubernetes manifest with kind before apiVersion", { project: { "k8s/deploy.yaml": DEPLOYMENT } }, "kubernetes", 5],
    // precedence across tiers: a higher tier decides even when a lower one ties
    ["stack config over a tie in the environment", { config: { "aws:region": "us-east-1" }, env: { KUBECONFIG: "/k", GOOGLE_PROJECT: "p" } }, "aws", 2],
    ["environment over dependencies and files", { env: { ARM_TENANT_ID: "t" }, project: { "package.json": JSON.stringify({ dependencies: { "@pulumi/aws": "7" } }), "Chart.yaml": "" } }, "azure", 3],
    ["dependencies over project files", { project: { "package.json": JSON.stringify({ dependencies: { "@pulumi/kubernetes": "4" } }), "cdk.json": "{}" } }, "kubernetes", 4],
    ["project files over home-directory files", { project: { "cdk.json": "{}" }, home: [".kube/config", ".config/gcloud/credentials.db"] }, "aws", 5],
    ["strict mode with stack config", { strict: true, config: { "gcp:project": "acme" }, env: { AWS_PROFILE: "p" } }, "gcp", 2],
  ])("picks the provider when %s", (_, fixture, provider, tier) => {
    const decision = detect(input(fixture));
    expect({ provider: decision.provider, tier: decision.tier }).toEqual({ provider, tier });
  });

  it.each<[string, Fixture, RegExp]>([
    ["stack config names aws and gcp", { config: { "aws:region": "us-east-1", "gcp:project": "acme" } }, /tier 2 \(stack config\) points at 2 providers: aws \(aws:region="us-east-1"\) vs gcp \(gcp:project="acme"\)/],
    ["stack config names azure and kubernetes", { config: { "azure-native:location": "westeurope", "kubernetes:context": "kind" } }, /tier 2 .* azure .* vs kubernetes/],
    ["the environment has AWS and Kubernetes credentials", { env: { AWS_PROFILE: "prod", KUBECONFIG: "/k" } }, /tier 3 \(environment\) points at 2 providers: aws \(AWS_PROFILE="prod"\) vs kubernetes \(KUBECONFIG="\/k"\)/],
    ["the environment has Azure and GCP credentials", { env: { ARM_SUBSCRIPTION_ID: "s", GOOGLE_CLOUD_PROJECT: "p" } }, /tier 3 .* azure .* vs gcp/],
    ["package.json depends on two provider SDKs", { project: { "package.json": JSON.stringify({ dependencies: { "@pulumi/aws": "7", "@pulumi/kubernetes": "4" } }) } }, /tier 4 \(dependencies\) points at 2 providers: aws \(@pulumi\/aws="7"\) vs kubernetes/],
    ["project files of all four providers", { project: { "cdk.json": "{}", "main.bicep": "", "cloudbuild.yaml": "", "Chart.yaml": "" } }, /tier 5 \(project files\) points at 4 providers: aws \(cdk.json=.*\) vs azure \(main.bicep=.*\) vs gcp \(cloudbuild.yaml=.*\) vs kubernetes \(Chart.yaml=/],
  ])("refuses to guess when %s", (_, fixture, message) => {
    expect(() => detect(input(fixture))).toThrow(message);
    expect(() => detect(input(fixture))).toThrow(/choose explicitly: pass --provider \w+(, --provider \w+)* or --provider \w+, run `pulumi config set polycloud:provider <[a-z|]+>`/);
  });

  it("lists every tied provider in the fix when providers tie", () => {
    expect(() => detect(input({ env: { AWS_PROFILE: "prod", KUBECONFIG: "/k", GOOGLE_PROJECT: "p" } }))).toThrow(
      "choose explicitly: pass --provider aws, --provider gcp or --provider kubernetes, run `pulumi config set polycloud:provider <aws|gcp|kubernetes>`, or set provider: <aws|gcp|kubernetes> in the spec",
    );
  });

  it.each<[string, Fixture, string]>([
    ["the spec and polycloud:provider disagree", { spec: { provider: "aws", file: "dev.yaml" }, config: { "polycloud:provider": "kubernetes" } }, 'aws (dev.yaml: provider="aws") vs kubernetes (polycloud:provider="kubernetes"); make dev.yaml: provider and polycloud:provider name the same provider, or override them: pass --provider aws or --provider kubernetes'],
    ["polycloud:provider and POLYCLOUD_PROVIDER disagree", { config: { "polycloud:provider": "gcp" }, env: { POLYCLOUD_PROVIDER: "azure" } }, 'azure (POLYCLOUD_PROVIDER="azure") vs gcp (polycloud:provider="gcp")'],
    ["the spec and POLYCLOUD_PROVIDER disagree", { spec: { provider: "kubernetes" }, env: { POLYCLOUD_PROVIDER: "aws" } }, "tier 1 (explicit choice) points at 2 providers"],
  ])("refuses to pick between explicit choices when %s", (_, fixture, message) => {
    expect(() => detect(input(fixture))).toThrow(PolycloudError);
    expect(() => detect(input(fixture))).toThrow(message);
  });

  it.each<[string, Fixture, RegExp]>([
    ["nothing points anywhere", {}, /no evidence found: no explicit choice, provider stack config/],
    ["only home-directory files exist", { home: [".aws/credentials", ".azure/config"] }, /home-directory files are shown but never decide: ~\/.aws \(aws\), ~\/.azure \(azure\).*pass --provider aws/],
    ["strict mode ignores the environment", { strict: true, env: { AWS_PROFILE: "prod" }, project: { "cdk.json": "{}" } }, /strict mode looks only at --provider/],
    ["an Azure switch is off", { env: { ARM_USE_MSI: "false" } }, /no evidence found/],
    ["files sit below the depth limit or in node_modules", { project: { "a/b/c/d/Chart.yaml": "", "node_modules/x/cdk.json": "{}" } }, /no evidence found/],
    ["a YAML file has apiVersion but no kind", { project: { "config.yaml": "apiVersion: v1\nname: x\n" } }, /no evidence found/],
  ])("reports no evidence when %s", (_, fixture, message) => {
    expect(() => detect(input(fixture))).toThrow(PolycloudError);
    expect(() => detect(input(fixture))).toThrow(message);
  });

  it.each([
    ["--provider", { provider: "azur" }],
    ["POLYCLOUD_PROVIDER", { env: { POLYCLOUD_PROVIDER: "openstack" } }],
    ["polycloud:provider", { config: { "polycloud:provider": "AWS" } }],
  ])("rejects an unknown provider named by %s", (name, fixture) => {
    expect(() => detect(input(fixture))).toThrow(new RegExp(`Unknown provider \\(1 problem\\):\\n  - ${name}: ".*" is not a provider; allowed: aws \\| azure \\| gcp \\| kubernetes`));
  });

  it("suggests the lowercase name when a provider is named in the wrong case", () => {
    expect(() => detect({ provider: "AWS" })).toThrow('--provider: "AWS" is not a provider; allowed: aws | azure | gcp | kubernetes (or auto to detect); did you mean aws? set --provider to aws');
    expect(() => detect({ provider: "azur" })).toThrow("set --provider to one of aws, azure, gcp, kubernetes");
  });

  it("decides only when one provider has evidence in the highest tier that has any, for any mix of config and environment", () => {
    const configKeys = { "aws:region": "aws", "azure-native:location": "azure", "gcp:project": "gcp", "kubernetes:context": "kubernetes" } as const;
    const envKeys = { AWS_PROFILE: "aws", ARM_TENANT_ID: "azure", GOOGLE_PROJECT: "gcp", KUBECONFIG: "kubernetes" } as const;
    fc.assert(
      fc.property(fc.subarray(Object.keys(configKeys) as (keyof typeof configKeys)[]), fc.subarray(Object.keys(envKeys) as (keyof typeof envKeys)[]), (config, env) => {
        const given = { config: Object.fromEntries(config.map((k) => [k, "x"])), env: Object.fromEntries(env.map((k) => [k, "x"])) };
        const top = config.length > 0 ? config.map((k) => configKeys[k]) : env.map((k) => envKeys[k]);
        if (top.length === 1) expect(detect(given).provider).toBe(top[0]);
        else expect(() => detect(given)).toThrow(PolycloudError);
      }),
    );
  });

  it("lists overridden explicit choices when the flag wins", () => {
    const decision = detect(input({ provider: "kubernetes", spec: { provider: "aws", file: "dev.yaml" }, env: { POLYCLOUD_PROVIDER: "gcp" } }));
    expect(decision.signals.filter((s) => s.tier === 1)).toEqual([
      { provider: "kubernetes", tier: 1, source: "flag", name: "--provider", value: "kubernetes" },
      { provider: "aws", tier: 1, source: "spec", name: "dev.yaml: provider", value: "aws", shadowedBy: "--provider" },
      { provider: "gcp", tier: 1, source: "environment", name: "POLYCLOUD_PROVIDER", value: "gcp", shadowedBy: "--provider" },
    ]);
  });

  it("counts every agreeing explicit choice as deciding when there is no flag", () => {
    const decision = detect({ spec: { provider: "aws" }, config: { "polycloud:provider": "aws" } });
    expect(decision.signals.map((s) => [s.name, s.shadowedBy])).toEqual([
      ["provider", undefined],
      ["polycloud:provider", undefined],
    ]);
  });

  it("keeps AWS_REGION ahead of AWS_DEFAULT_REGION and GOOGLE_PROJECT ahead of the other project variables when both are set", () => {
    const signals = collectSignals({ env: { AWS_DEFAULT_REGION: "eu-west-1", AWS_REGION: "us-east-1", GCLOUD_PROJECT: "b", GOOGLE_PROJECT: "a" } });
    expect(signals.map((s) => [s.name, s.shadowedBy])).toEqual([
      ["AWS_REGION", undefined],
      ["AWS_DEFAULT_REGION", "AWS_REGION"],
      ["GOOGLE_PROJECT", undefined],
      ["GCLOUD_PROJECT", "GOOGLE_PROJECT"],
    ]);
  });

  it("masks secrets when signals carry credentials or secure config", () => {
    const signals = collectSignals({ env: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" }, config: { "aws:profile": { secure: "v1:abc" } } });
    expect(signals.map((s) => s.value)).toEqual(["[secret]", "AKIA****"]);
    expect(JSON.stringify(signals)).not.toContain("IOSFODNN7EXAMPLE");
  });

  it("reports every signal with its tier and source when several tiers have evidence", () => {
    const decision = detect(
      input({
        config: { "aws:region": "us-east-1" },
        env: { KUBECONFIG: "/k" },
        project: { "package.json": JSON.stringify({ dependencies: { "@pulumi/gcp": "9" } }), "infra/main.bicep": "" },
        home: [".aws/config"],
      }),
    );
    expect(decision.signals).toEqual([
      { provider: "aws", tier: 2, source: "stack config", name: "aws:region", value: "us-east-1" },
      { provider: "kubernetes", tier: 3, source: "environment", name: "KUBECONFIG", value: "/k" },
      { provider: "gcp", tier: 4, source: "package.json", name: "@pulumi/gcp", value: "9" },
      { provider: "azure", tier: 5, source: "project file", name: "infra/main.bicep", value: "Bicep template" },
      { provider: "aws", tier: 6, source: "home directory", name: "~/.aws", value: "present" },
    ]);
  });

  it("names what matched inside a project file", () => {
    const signals = collectSignals(input({ project: { "template.yaml": CLOUDFORMATION, "deploy.yaml": DEPLOYMENT, "main.tf": 'data "google_project" "p" {}' } }));
    expect(signals.map((s) => `${s.name}: ${s.value}`)).toEqual([
      "deploy.yaml: apiVersion apps/v1, kind Deployment",
      'main.tf: data "google_project"',
      "template.yaml: AWSTemplateFormatVersion",
    ]);
  });
});

describe("explain", () => {
  it("marks the deciding signals and notes overridden and home-directory ones", () => {
    const lines = explain(detect(input({ provider: "aws", env: { POLYCLOUD_PROVIDER: "gcp", AWS_PROFILE: "prod" }, home: [".kube/config"] })));
    expect(lines[0]).toBe("provider: aws (tier 1, explicit choice)");
    expect(lines.slice(1).map((l) => l.replace(/ +/g, " "))).toEqual([
      "* aws tier 1 explicit choice --provider = aws",
      " gcp tier 1 explicit choice POLYCLOUD_PROVIDER = gcp (overridden by --provider)",
      " aws tier 3 environment AWS_PROFILE = prod",
      " kubernetes tier 6 home directory ~/.kube/config = present (never decisive)",
    ]);
  });
});

describe("strictSetting", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["false", false],
    [false, false],
    ["true", true],
    [true, true],
  ])("reads %j as %j", (value, expected) => {
    expect(strictSetting(value)).toBe(expected);
  });

  it.each(["yes", "True", "1", 1])("throws a PolycloudError naming the setting when it is %j", (value) => {
    expect(() => strictSetting(value)).toThrow(PolycloudError);
    expect(() => strictSetting(value)).toThrow(`polycloud:strict: ${JSON.stringify(value)} is not a boolean; allowed: true | false`);
  });
});
