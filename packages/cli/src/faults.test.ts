import { engineFault } from "./faults";

const context = { stack: "prod", backendUrl: "s3://acme-state" };

describe("engineFault", () => {
  it.each([
    ["error: ... api error ExpiredToken: The security token included in the request is expired", "the AWS credentials have expired. Fix: renew them (`aws sso login`"],
    ["error: AADSTS700082: The refresh token has expired due to inactivity.", "the Azure credentials have expired. Fix: run `az login`"],
    ['error: oauth2: "invalid_grant" "reauth related error (invalid_rapt)"', "the Google Cloud credentials have expired. Fix: run `gcloud auth application-default login`"],
    ["error: [401] Unauthorized: No credentials provided or are invalid. invalid access token", "the Pulumi Cloud access token is missing, expired or revoked. Fix: run `pulumi login`"],
    ["error: You must be logged in to the server (Unauthorized)", "the Kubernetes cluster refused the kubeconfig's credentials. Fix: renew them"],
    ["error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables", "the stack's secrets need a passphrase and PULUMI_CONFIG_PASSPHRASE is not set."],
    ["error: read .pulumi/meta.yaml: dial tcp 127.0.0.1:9000: connect: connection refused", "the state backend s3://acme-state could not be opened (connection refused). Fix: check --backend-url"],
  ])("turns %j into one line of cause and fix", (stderr, message) => {
    const fault = engineFault(stderr, context);
    expect(fault?.message.startsWith(message)).toBe(true);
    expect(fault?.message).not.toContain("\n");
  });

  it("names Pulumi Cloud's page when the lock is its [409] conflict, with no lock file to name", () => {
    expect(engineFault("error: [409] Conflict: Another update is currently in progress.", context)?.message).toMatch(/^stack prod is locked by another update \(Pulumi Cloud shows it on the stack's page\)\.\nWait for that update to finish/);
  });

  it.each([
    "error: creating RDS DB Instance: InvalidParameterCombination",
    // The cluster's API down is not the state backend.
    'error: configured Kubernetes cluster is unreachable: Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused',
  ])("leaves an error of the program or the cloud to the engine's own messages: %s", (stderr) => {
    expect(engineFault(stderr, context)).toBeUndefined();
  });
});
