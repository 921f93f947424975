import { PolycloudError } from "../errors";
import { backendOptions, configProblems, secretValueKey } from "./config";

const lines = (config: Record<string, string>, secrets?: string[]) => configProblems(config, secrets).map((p) => `${p.path}: ${p.message}; ${p.fix}`);

describe("configProblems", () => {
  it("accepts polycloud's own keys, every backend option (nested ones by dotted path) and secret values", () => {
    expect(
      lines(
        {
          "polycloud:provider": "aws",
          "polycloud:spec": "prod.yaml",
          "polycloud:strict": "true",
          "polycloud:aws.hostedZoneId": "Z123",
          "polycloud:kubernetes.cloudNativePg.objectStore.destinationPath": "s3://b/p",
          "polycloud:kubernetes.selectorLabels.release": "kps",
          "polycloud:secrets.stripe-key": "sk",
          "aws:region": "eu-west-1",
          "shop:anything": "is not ours to judge",
        },
        ["stripe-key"],
      ),
    ).toEqual([]);
  });

  it.each([
    ["polycloud:aws.anything", "is not an option of the aws backend; its options: hostedZoneId, backupRegion; remove it or check the spelling"],
    ["polycloud:aws.hostedZoneID", "is not an option of the aws backend; its options: hostedZoneId, backupRegion; did you mean polycloud:aws.hostedZoneId?"],
    ["polycloud:backupRegion", "is not a polycloud setting; known: provider, spec, strict, secrets.<secret>, and backend options <provider>.<option> (aws, azure, gcp, kubernetes); did you mean polycloud:aws.backupRegion?"],
    ["polycloud:kubernetes.ingresClassName", "is not an option of the kubernetes backend; its options: namespace, argoRollouts, cloudNativePg, externalSecretStore, ingressClassName, clusterIssuer, ingressController, monitoringNamespace, selectorLabels, smtp, storageClassName, grafanaUrl; did you mean polycloud:kubernetes.ingressClassName?"],
    ["polycloud:provder", "is not a polycloud setting; known: provider, spec, strict, secrets.<secret>, and backend options <provider>.<option> (aws, azure, gcp, kubernetes); did you mean polycloud:provider?"],
  ])("refuses %s, naming the closest known key", (key, problem) => {
    expect(lines({ [key]: "1" })).toEqual([`${key}: ${problem}`]);
  });

  it("refuses a secret value for a secret the spec does not have", () => {
    expect(lines({ [secretValueKey("stripe-kye")]: "x" }, ["stripe-key"])).toEqual([
      'polycloud:secrets.stripe-kye: "stripe-kye" is not a secret of the spec (secrets: stripe-key); did you mean polycloud:secrets.stripe-key?',
    ]);
  });
});

describe("backendOptions", () => {
  it("applies defaults when nothing is set", () => {
    expect(backendOptions("aws", { providers: {} })).toEqual({});
    expect(backendOptions("kubernetes", { providers: {} })).toEqual({
      argoRollouts: false,
      ingressClassName: "nginx",
      clusterIssuer: "letsencrypt",
      ingressController: { namespace: "ingress-nginx", podLabels: {} },
      monitoringNamespace: "monitoring",
      selectorLabels: { release: "kube-prometheus-stack" },
    });
    expect(backendOptions("azure", { providers: {} })).toEqual({});
  });

  it("parses JSON objects and booleans from config strings, and keeps other strings as they are", () => {
    const options = backendOptions("kubernetes", { providers: {} }, {
      "polycloud:kubernetes.externalSecretStore": '{"name":"vault","kind":"SecretStore"}',
      "polycloud:kubernetes.argoRollouts": "true",
      "polycloud:kubernetes.storageClassName": "gp3",
    });
    expect(options).toMatchObject({ externalSecretStore: { name: "vault", kind: "SecretStore", refreshInterval: "1h", remoteKeyPrefix: "" }, argoRollouts: true, storageClassName: "gp3" });
  });

  it("takes the whole section as one key (an object in Pulumi.<stack>.yaml), with dotted keys over it", () => {
    const config = { "polycloud:kubernetes": '{"ingressClassName":"traefik","argoRollouts":true}', "polycloud:kubernetes.argoRollouts": "false" };
    expect(configProblems(config)).toEqual([]);
    expect(backendOptions("kubernetes", { providers: {} }, config)).toMatchObject({ ingressClassName: "traefik", argoRollouts: false });
  });

  it("throws one PolycloudError naming every bad option", () => {
    const attempt = () => backendOptions("kubernetes", { providers: { kubernetes: { ingressClassName: "" } as never } }, { "polycloud:kubernetes.argoRollouts": "maybe" });
    expect(attempt).toThrow(PolycloudError);
    try {
      attempt();
    } catch (error) {
      expect((error as PolycloudError).problems.map((p) => p.path)).toEqual(["polycloud:kubernetes.argoRollouts", "providers.kubernetes.ingressClassName"]);
    }
  });
});
