/**
 * `polycloud promote|abort <spec> --service <name>`: a canary or blue-green deployment in progress,
 * moved on or stopped by what its backend can really do.
 *
 * - Google Cloud Run and Azure Container Apps split traffic between the revision a deployment created
 *   (the candidate) and the stable revision named by the backend option `stableRevisions`. Promote reads
 *   the candidate from the stack's state (the WebService's `revision`, or the container app's
 *   `latestRevision`), makes it the stable revision in the stack config and runs `up`: it takes all
 *   traffic and the rollback alerts stand down. Abort sets the backend option `abortedRollouts` for the
 *   service in the stack config and runs `up`: the stable revision takes all traffic back, the candidate
 *   none (keeping its tag or label, so it can still be reached) and the rollback alerts stand down. The
 *   abort holds for every new revision of the service until a promote, which lifts it.
 * - AWS ECS and Argo Rollouts on Kubernetes run the rollout themselves (bake times, analysis); the
 *   engine has no step to move, so both are refused with the command of the controller that has one.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { closestMatch, CONFIG_NAMESPACE, PolycloudError, type Provider } from "@polycloud/core";
import type { SpecContext } from "./context";
import { specContext } from "./context";
import { openStack, runEngine, type EngineFlags, type OpenedStack } from "./engine";
import { CliFailure, ExitCode } from "./errors";
import { writeAtomically } from "./files";
import type { Io } from "./io";

export type RolloutAction = "promote" | "abort";

export interface RolloutFlags extends Pick<EngineFlags, "backendUrl" | "provider" | "stack" | "strict" | "config" | "yes"> {
  readonly service?: string;
}

/** What each backend does about a rollout: what promote and abort are there, and what rolls back by itself. */
export const ROLLOUTS: Readonly<Record<Provider, { readonly promote: string; readonly abort: string; readonly rollback: string }>> = {
  aws: {
    promote: "ECS shifts the traffic itself: a canary or linear deployment moves on after each bake time, blue-green after its bake time",
    abort: "`aws ecs stop-service-deployment --service-deployment-arn <arn> --stop-type ROLLBACK` (the ARN from `aws ecs list-service-deployments --cluster <cluster> --service <service>`)",
    rollback: "ECS's deployment alarms: the load balancer's error rate over the SLO (rollback.onAlarm) and, with onHealthCheckFailure, unhealthy targets (blue-green, canary, linear); the deployment circuit breaker for rolling and blue-green",
  },
  azure: {
    promote: "polycloud promote: the latest revision becomes `polycloud:azure.stableRevisions.<service>` (and an abort is lifted), then up; it takes all traffic",
    abort: "polycloud abort: `polycloud:azure.abortedRollouts.<service>` is set to true, then up; the stable revision takes all traffic back, the latest none (it keeps its label) and the rollback alerts stand down, until the next promote",
    rollback: "a log alert on the latest revision's 5xx ratio above the SLO's error rate (and, with onHealthCheckFailure, a metric alert on its restarts) calls a Logic App that sets all traffic on the stable revision",
  },
  gcp: {
    promote: "polycloud promote: the candidate revision becomes `polycloud:gcp.stableRevisions.<service>` (and an abort is lifted), then up; it takes all traffic",
    abort: "polycloud abort: `polycloud:gcp.abortedRollouts.<service>` is set to true, then up; the stable revision takes all traffic back, the candidate none (it keeps its tag) and the rollback alerts stand down, until the next promote",
    rollback: "an alert policy on the candidate's 5xx ratio above the SLO's error rate runs a function that sets all traffic on the stable revision",
  },
  kubernetes: {
    promote: "with Argo Rollouts (argoRollouts: true) the analysis promotes by itself; by hand `kubectl argo rollouts promote <rollout> -n <namespace>`; without Argo Rollouts a Deployment rolls, with nothing to promote",
    abort: "`kubectl argo rollouts abort <rollout> -n <namespace>` (Argo Rollouts); without it `kubectl rollout undo deployment/<name> -n <namespace>`",
    rollback: "Argo Rollouts' analysis on the error-rate SLO of the new ReplicaSet's pods aborts and rolls back; a Deployment stops rolling on failed readiness probes (progressDeadlineSeconds)",
  },
};

/** Where each traffic-splitting backend keeps the candidate in the WebService's outputs. */
const CANDIDATE_OUTPUT: Partial<Record<Provider, string>> = { gcp: "revision", azure: "latestRevision" };

export async function rolloutCommand(action: RolloutAction, specArg: string, flags: RolloutFlags, io: Io): Promise<number> {
  const context = specContext(specArg, flags, io);
  const service = requireRollingOut(context, flags.service);
  const provider = context.decision.provider;
  const output = CANDIDATE_OUTPUT[provider];
  if (output === undefined) {
    throw new CliFailure(
      `${action} of service ${service} on ${provider}: ${action === "promote" ? ROLLOUTS[provider].promote : ROLLOUTS[provider].abort}. ` +
        `What rolls back by itself: ${ROLLOUTS[provider].rollback}.`,
    );
  }
  const keys = { stable: optionKey(provider, "stableRevisions", service), aborted: optionKey(provider, "abortedRollouts", service) };
  const opened = await openStack(specArg, flags, io, `${action} ${service} in`, context);
  const candidate = candidateOf(await opened.stack.exportStack(), provider, context, service, output);
  const rollout: Rollout = { context, flags, io, opened, service, candidate, keys, stable: context.config[keys.stable], aborted: context.config[keys.aborted] === "true" };
  return action === "promote" ? promote(rollout) : abort(rollout);
}

/** A rollout in progress, as the stack config and state have it. */
interface Rollout {
  readonly context: SpecContext;
  readonly flags: RolloutFlags;
  readonly io: Io;
  readonly opened: OpenedStack;
  readonly service: string;
  /** The revision the deployment created, from the state. */
  readonly candidate: string;
  /** The stack config keys of the service's stable revision and of its abort. */
  readonly keys: { readonly stable: string; readonly aborted: string };
  readonly stable: string | undefined;
  readonly aborted: boolean;
}

/** Makes the candidate the stable revision (lifting an abort), then up: it takes all traffic. */
async function promote(r: Rollout): Promise<number> {
  const { context, io, opened, service, candidate, keys, stable } = r;
  if (stable === candidate || stable === undefined) {
    // An abort left on the stable revision would stop the next rollout: it goes with a promote.
    if (r.aborted) await setOption(r, keys.aborted, undefined);
    const lifted = r.aborted ? `; the abort is lifted (${keys.aborted} removed)` : "";
    io.stdout.write(`nothing to promote: ${stable === undefined ? `no stable revision is set (${keys.stable}), so ${candidate} takes all traffic` : `${candidate} already is the stable revision`}${lifted}\n`);
    return ExitCode.ok;
  }
  const lifted = r.aborted ? `; the abort is lifted (${keys.aborted} removed)` : "";
  io.stderr.write(`promote ${service}: revision ${candidate} takes all traffic, ${stable} stops serving (${keys.stable}: ${stable} -> ${candidate})${lifted}\n`);
  await confirm(r, "promote", `moves all traffic to ${candidate}`);
  await setOption(r, keys.stable, candidate);
  if (r.aborted) await setOption(r, keys.aborted, undefined);
  await runEngine(opened, "up", io);
  io.stdout.write(`promoted revision ${candidate} of service ${service} on stack ${context.stack}: it takes all traffic (stable was ${stable}); ${keys.stable} records it${lifted}\n`);
  return ExitCode.ok;
}

/** Marks the service's rollout aborted in the stack config, then up: the stable revision takes all traffic back. */
async function abort(r: Rollout): Promise<number> {
  const { context, io, opened, service, candidate, keys, stable } = r;
  if (stable === undefined) {
    throw new CliFailure(
      `abort of service ${service}: no stable revision is set (${keys.stable}), so ${candidate} is the only revision serving and there is none to go back to; ` +
        `put the previous release back in the spec and run \`polycloud up ${context.specPath}\`, or set ${keys.stable} to the revision that served before and run abort again`,
    );
  }
  if (stable === candidate) {
    io.stdout.write(`nothing to abort: ${candidate} is the stable revision (promoted, ${keys.stable}), it takes all traffic; to go back, put the previous release back in the spec and run up\n`);
    return ExitCode.ok;
  }
  io.stderr.write(`abort ${service}: revision ${stable} takes all traffic back, ${candidate} stops serving and keeps its tag (${keys.aborted}: true)\n`);
  await confirm(r, "abort", `moves all traffic back to ${stable}`);
  await setOption(r, keys.aborted, "true");
  await runEngine(opened, "up", io);
  io.stdout.write(
    `aborted the rollout of revision ${candidate} of service ${service} on stack ${context.stack}: ${stable} takes all traffic, ${candidate} none (still reachable at its tag) and the rollback alerts stand down; ` +
      `${keys.aborted} records it, and holds for new revisions until \`polycloud promote\`\n`,
  );
  return ExitCode.ok;
}

/** `polycloud:<provider>.<option>.<service>`: a backend option's stack config key for one service. */
function optionKey(provider: Provider, option: "stableRevisions" | "abortedRollouts", service: string): string {
  return `${CONFIG_NAMESPACE}:${provider}.${option}.${service}`;
}

/** On a production stack, the user's go-ahead: `--yes`, or the stack's name typed on a terminal. */
async function confirm({ context, flags, io, service, candidate }: Rollout, action: RolloutAction, what: string): Promise<void> {
  if (context.spec.environment !== "production" || flags.yes === true) return;
  if (io.stdin?.isTTY !== true) {
    throw new PolycloudError([{ path: "--yes", message: `${action} of service ${service} on production stack ${context.stack} ${what}`, fix: "pass --yes to confirm, or run on a terminal" }], "Confirmation needed");
  }
  const answer = await io.stdin.question(`Type the stack name (${context.stack}) to ${action} ${candidate}, anything else to stop: `);
  if (answer?.trim() !== context.stack) throw new CliFailure(`${action} not confirmed; nothing was changed`);
}

/** Sets (or, with no value, removes) a stack config key on the engine's stack and, in a temporary project, in `Pulumi.<stack>.yaml` beside the spec. */
async function setOption({ context, opened }: Rollout, key: string, value: string | undefined): Promise<void> {
  if (value === undefined) await opened.stack.removeConfig(key);
  else await opened.stack.setConfig(key, { value });
  // In a temporary project the engine's stack file is thrown away: the change is kept beside the spec.
  if (context.project.dir === undefined) recordInStackFile(context, key, value);
}

/** The service named by --service, which must deploy by canary or blue-green. */
function requireRollingOut({ spec }: SpecContext, name: string | undefined): string {
  const names = spec.services.map((s) => s.name);
  const service = spec.services.find((s) => s.name === name);
  if (service === undefined) {
    const meant = name === undefined ? undefined : closestMatch(name, names);
    throw new PolycloudError(
      [{ path: "--service", message: name === undefined ? "is required" : `${JSON.stringify(name)} is not a service of ${spec.name}; allowed: ${names.join(", ")}`, fix: meant === undefined ? `pass --service <${names.join("|")}>` : `did you mean --service ${meant}?` }],
      "Invalid --service",
    );
  }
  if (service.deployment.strategy === "rolling") {
    throw new PolycloudError(
      [{ path: "--service", message: `${service.name} deploys by rolling update: there is no canary or blue-green to promote or abort`, fix: `set services.${service.name}.deployment.strategy to canary or blue-green in the spec` }],
      "No rollout",
    );
  }
  return service.name;
}

interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly outputs?: Record<string, unknown>;
}

/** The candidate revision in the state: the output of the service's WebService component. */
function candidateOf(deployment: { deployment?: { resources?: StateResource[] } }, provider: Provider, context: SpecContext, service: string, output: string): string {
  const components = (deployment.deployment?.resources ?? []).filter((r) => r.type === `polycloud:${provider}:WebService` && r.urn.endsWith(`-${service}`));
  const component = components.find((r) => r.urn.endsWith(`::${context.spec.name}-${service}`)) ?? components[0];
  const candidate = component?.outputs?.[output];
  if (typeof candidate !== "string" || candidate === "") {
    throw new CliFailure(`the state of stack ${context.stack} has no revision of service ${service} (${component === undefined ? "no WebService for it" : `no ${output} output`}); deploy it with \`polycloud up ${context.specPath}\` first`);
  }
  return candidate;
}

/** Sets (or, with no value, removes) `key` in `Pulumi.<stack>.yaml` beside the spec, keeping the file's comments and order. */
function recordInStackFile(context: SpecContext, key: string, value: string | undefined): void {
  const file = join(dirname(context.specPath), `Pulumi.${context.stack}.yaml`);
  const document = existsSync(file) ? YAML.parseDocument(readFileSync(file, "utf8")) : new YAML.Document({});
  if (value === undefined) document.deleteIn(["config", key]);
  else document.setIn(["config", key], value);
  writeAtomically(file, document.toString());
}
