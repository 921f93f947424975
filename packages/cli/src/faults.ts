/**
 * The engine's failures that are not the program's: a stack locked by another update, secrets that
 * cannot be decrypted, a backend that cannot be opened, an expired credential. Each becomes one clear
 * message with its cause and fix (a lock also names who holds it and when clearing it is safe).
 */
import { CliFailure } from "./errors";

export interface FaultContext {
  readonly stack: string;
  readonly backendUrl: string;
}

/** A held lock as the CLI lists it: `<path>: created by <user>@<host> (pid <n>) at <time>`. */
const LOCK_LINE = /^\s*(\S+\.json): created by (\S+?)@(\S+) \(pid (\d+)\) at (\S+)/gm;

interface Fault {
  readonly test: RegExp;
  readonly message: (text: string, context: FaultContext) => string;
}

/** Credential errors by where the credential comes from, with the command that renews it. */
const CREDENTIALS: readonly { test: RegExp; what: string; fix: string }[] = [
  { test: /ExpiredToken|security token included in the request is expired|RequestExpired|ExpiredTokenException/, what: "the AWS credentials have expired", fix: "renew them (`aws sso login`, or new temporary keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN) and run again" },
  { test: /AADSTS\d+|refresh token has expired|Please run 'az login'/, what: "the Azure credentials have expired", fix: "run `az login` (or renew the service principal's secret in ARM_CLIENT_SECRET) and run again" },
  { test: /invalid_grant|Token has been expired or revoked|invalid_rapt/, what: "the Google Cloud credentials have expired", fix: "run `gcloud auth application-default login` (or give a current service account key in GOOGLE_APPLICATION_CREDENTIALS) and run again" },
  { test: /\[401\] Unauthorized|invalid access token|PULUMI_ACCESS_TOKEN must be set/, what: "the Pulumi Cloud access token is missing, expired or revoked", fix: "run `pulumi login` (in CI: set PULUMI_ACCESS_TOKEN to a current token) and run again" },
  { test: /You must be logged in to the server|the server has asked for the client to provide credentials|token is expired/, what: "the Kubernetes cluster refused the kubeconfig's credentials", fix: "renew them (`aws eks update-kubeconfig`, `gcloud container clusters get-credentials`, `az aks get-credentials` or your cluster's login) and run again" },
];

const FAULTS: readonly Fault[] = [
  {
    test: /the stack is currently locked by|\[409\] Conflict: Another update is currently in progress/,
    message: (text, { stack, backendUrl }) => {
      const locks = [...text.matchAll(LOCK_LINE)].map(([, path, user, host, pid, at]) => ({ path, user, host, pid, at }));
      const holders = locks.length === 0 ? "another update (Pulumi Cloud shows it on the stack's page)" : locks.map((l) => `${l.path} (created by ${l.user}@${l.host}, pid ${l.pid}, at ${l.at})`).join("; ");
      const alive = locks.length === 0 ? "that update" : locks.map((l) => `pid ${l.pid} on ${l.host}`).join(", ");
      return [
        `stack ${stack} is locked by ${holders}.`,
        "Wait for that update to finish, then run this again; nothing was changed.",
        `Only if ${alive} is no longer running (a crashed or killed run), clear the lock with \`PULUMI_BACKEND_URL=${backendUrl} pulumi cancel --yes --stack ${stack}\`,`,
        `then check what the interrupted update left with \`pulumi stack export --stack ${stack}\` (pending operations are listed there; \`pulumi refresh --stack ${stack}\` reconciles them) before the next up.`,
      ].join("\n");
    },
  },
  {
    test: /passphrase must be set|incorrect passphrase|failed to decrypt/,
    message: (text) =>
      /passphrase must be set/.test(text)
        ? "the stack's secrets need a passphrase and PULUMI_CONFIG_PASSPHRASE is not set. Fix: export PULUMI_CONFIG_PASSPHRASE=<the stack's passphrase> (or PULUMI_CONFIG_PASSPHRASE_FILE=<file>) and run again"
        : "the passphrase does not decrypt this stack's secrets. Fix: export PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) with the passphrase the stack was created with and run again",
  },
  {
    // An unreachable host counts only where the state is read (a cluster or cloud API that cannot be reached is not the backend).
    test: /NoSuchBucket|bucket does not exist|ContainerNotFound|unable to open bucket|problem logging in|could not create backend|(\.pulumi\/|meta\.yaml)[^\n]*(no such host|connection refused)/,
    message: (text, { backendUrl }) =>
      `the state backend ${backendUrl} could not be opened (${evidence(text, [/NoSuchBucket[^\n]*/, /ContainerNotFound[^\n]*/, /no such host/, /connection refused/])}). Fix: check --backend-url or PULUMI_BACKEND_URL (s3://<bucket>, azblob://<container>, gs://<bucket>, https://api.pulumi.com or file://<dir>), that the bucket exists and that these credentials can read it`,
  },
  ...CREDENTIALS.map(({ test, what, fix }) => ({ test, message: () => `${what}. Fix: ${fix}` })),
];

/** What the first of `patterns` that matches finds in `text`, else the first line that says `error`. */
function evidence(text: string, patterns: readonly RegExp[]): string {
  const found = patterns.map((p) => p.exec(text)?.[0]).find((m) => m !== undefined);
  return (found ?? text.split("\n").find((l) => /error/i.test(l)) ?? "").trim();
}

/** The fault `text` (the engine's stderr) reports, as a CliFailure, or undefined when it is none of them. */
export function engineFault(text: string, context: FaultContext): CliFailure | undefined {
  const fault = FAULTS.find((f) => f.test.test(text));
  return fault === undefined ? undefined : new CliFailure(fault.message(text, context));
}
