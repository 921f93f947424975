/** The rules that span fields (SPEC.md "Rules a valid spec obeys"), checked on the resolved spec. */
import { isPrivateCidr, subnetPlanProblem } from "../cidr";
import { containsCredential, isSecretLookingName, redactText } from "../errors";
import { complianceFloor } from "../presets";
import { tagProblems } from "../tags";
import { formatPath, type Located } from "./issues";
import type { ParsedSpec } from "./schema";
import { GENERATED_SECRETS, type NetworkSpec, type ResolvedSpec, type ServiceSpec } from "./types";

type Path = readonly PropertyKey[];

/**
 * The rules that span fields (SPEC.md "Rules a valid spec obeys"), checked on the resolved spec. Each
 * problem names the other paths its rule read (`reads`), so that a spec checked without its rejected
 * values (see `parseRemainder`) reports only what those values did not decide.
 */
export function specRuleProblems(spec: ResolvedSpec, parsed: ParsedSpec): Located[] {
  const problems: Located[] = [];
  const add = (at: Path, message: string, fix?: string, reads: readonly Path[] = []) =>
    problems.push({ path: formatPath(at), at, message, ...(fix === undefined ? {} : { fix }), ...(reads.length === 0 ? {} : { reads }) });
  const reading = (reads: readonly Path[]) => (p: Located): Located => ({ ...p, reads: [...(p.reads ?? []), ...reads] });
  const production = spec.environment === "production";
  const ENV: Path = ["environment"];
  const publicFlags: Path[] = spec.services.map((s) => ["services", s.name, "public"]);

  if (Object.keys(parsed.services).length === 0) add(["services"], "has no service; allowed: at least one", "add a service under services");

  problems.push(...networkCidrProblems(spec.network).map(reading([["network", "zones"], ENV])));

  const secretNames = new Set(spec.secrets.map((s) => s.name));
  for (const service of spec.services) {
    const at = ["services", service.name];
    const { min } = service.replicas;
    const written = parsed.services[service.name]!;
    // Bounds left out come from the environment's preset.
    const replicasRead: Path[] = [[...at, "replicas"], ...(written.replicas?.min === undefined || written.replicas.max === undefined ? [ENV] : [])];
    problems.push(
      ...replicaProblems(service).map(reading(replicasRead)),
      ...envSecretProblems(service).map(reading([[...at, "secrets"], [...at, "access"], ["database"], ["cache"]])),
    );
    if (production && min < 2) {
      add([...at, "replicas", "min"], `${min} is below 2, the production minimum (one replica is one failure from an outage)`, "set replicas.min to 2 or more", replicasRead);
    }
    const tag = imageTag(service.image);
    if (production && (tag === undefined || tag === "latest")) {
      add(
        [...at, "image"],
        `${JSON.stringify(redactText(service.image))} ${tag === undefined ? "has no tag" : 'uses the mutable tag "latest"'}; production needs an immutable tag or digest`,
        "pin a version tag such as :1.4.2 or a digest @sha256:...",
        [ENV],
      );
    }
    written.secrets.forEach((name, i) => {
      if (secretNames.has(name)) return;
      const generatedFrom = GENERATED_SECRETS[name as keyof typeof GENERATED_SECRETS];
      if (generatedFrom !== undefined) {
        const reads = [[generatedFrom], [...at, "access", generatedFrom]];
        if (spec[generatedFrom] === undefined) add([...at, "secrets", i], `"${name}" is generated only when the spec has a ${generatedFrom}`, `add a ${generatedFrom} section or remove "${name}"`, reads);
        else if (written.access[generatedFrom] === false) add([...at, "secrets", i], `"${name}" is listed, but access.${generatedFrom} is false`, `remove "${name}" or set access.${generatedFrom} to true`, reads);
        return;
      }
      const known = [...secretNames].join(", ") || "none defined";
      add([...at, "secrets", i], `"${name}" is not defined in secrets (defined: ${known})`, `add "${name}" under secrets or fix the name`, [["secrets", name]]);
    });
    problems.push(...accessProblems(spec, service.name, written.access, at));
    for (const [key, value] of Object.entries(service.env)) {
      if (isSecretLookingName(key) || containsCredential(value)) {
        add(
          [...at, "env", key],
          "looks like a secret (value not shown); plain environment values are visible to anyone who can read the service definition",
          `move it to secrets and list its name in services.${service.name}.secrets`,
        );
      }
    }
    const steps = service.deployment.canary.steps;
    if (service.deployment.strategy === "canary" || parsed.services[service.name]?.deployment.canary.steps !== undefined) {
      const increasing = steps.every((s, i) => i === 0 || s > steps[i - 1]!);
      if (!increasing || steps[steps.length - 1] !== 100) {
        add([...at, "deployment", "canary", "steps"], `[${steps.join(", ")}] must be strictly increasing percentages ending at 100`, "for example [10, 50, 100]", [[...at, "deployment", "strategy"]]);
      }
    }
  }

  if (spec.database !== undefined && spec.database.majorVersion < 14) {
    add(["database", "version"], `"${spec.database.version}" is not supported; allowed: PostgreSQL 14 or newer`, 'set version to "16"');
  }
  if (spec.cache !== undefined && spec.cache.majorVersion < 6) {
    add(["cache", "version"], `"${spec.cache.version}" is not supported; allowed: Redis 6 or newer`, 'set version to "7"');
  }
  if (spec.database !== undefined) {
    const [start, end] = spec.database.backup.window.split("-").map(minutesOfDay) as [number, number];
    const length = (end - start + 1440) % 1440;
    if (length < 30) add(["database", "backup", "window"], `"${spec.database.backup.window}" is ${length} minutes long; allowed: at least 30 minutes`, 'widen it, e.g. "03:00-04:00"');
  }

  // Tags are normalised per provider at build time; what cannot be normalised is reported now when the provider is known.
  if (spec.provider !== "auto") {
    for (const problem of tagProblems(spec.provider, { ...spec.tags }, { app: spec.name, environment: spec.environment })) {
      add(["tags"], problem, undefined, [["name"], ENV, ["provider"]]);
    }
  }

  const floor = complianceFloor(spec.compliance);
  if (floor !== undefined) {
    const tags = spec.compliance.join(", ");
    const reads: Path[] = [["compliance"], ENV];
    if (spec.logging.retentionDays < floor.logRetentionDays) {
      add(["logging", "retentionDays"], `${spec.logging.retentionDays} is below the ${floor.logRetentionDays} days that compliance ${tags} requires`, `set it to ${floor.logRetentionDays} or more`, reads);
    }
    if (spec.backup.retentionDays < floor.backupRetentionDays) {
      add(["backup", "retentionDays"], `${spec.backup.retentionDays} is below the ${floor.backupRetentionDays} days that compliance ${tags} requires`, `set it to ${floor.backupRetentionDays} or more`, reads);
    }
    if (!spec.logging.audit) add(["logging", "audit"], `false is not allowed with compliance ${tags}`, "set audit to true", reads);
    if (floor.waf && !spec.network.loadBalancer.waf && spec.services.some((s) => s.public)) {
      add(["network", "loadBalancer", "waf"], "false is not allowed with compliance pci for public services", "set waf to true", [...reads, ...publicFlags]);
    }
  }
  if (spec.services.some((s) => s.public) && !spec.network.loadBalancer.tls && production) {
    add(["network", "loadBalancer", "tls"], "false is not allowed in production for public services", "set tls to true", [ENV, ...publicFlags]);
  }
  return problems;
}

const located = (at: readonly PropertyKey[], message: string, fix?: string): Located => ({ path: formatPath(at), at, message, ...(fix === undefined ? {} : { fix }) });

/** Environment variable name for a spec secret: `stripe-key` -> `STRIPE_KEY`. */
export function secretEnvName(secretName: string): string {
  return secretName.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/**
 * A network's CIDR: large enough for the subnet plan of its zones, and a private (RFC 1918) range.
 * The one wording of this rule, for the spec and for components given a network directly.
 */
export function networkCidrProblems(network: Pick<NetworkSpec, "cidr" | "zones">): Located[] {
  const at = ["network", "cidr"];
  const planProblem = subnetPlanProblem(network.cidr, network.zones);
  if (planProblem !== undefined) return [located(at, planProblem)];
  if (!isPrivateCidr(network.cidr)) {
    return [located(at, `"${network.cidr}" is not a private range; allowed: RFC 1918 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`, 'use a private range such as "10.0.0.0/16"')];
  }
  return [];
}

/** A service's replica bounds: `min <= max`, and at least one replica at most. */
export function replicaProblems(service: Pick<ServiceSpec, "name" | "replicas">): Located[] {
  const at = ["services", service.name, "replicas"];
  const { min, max } = service.replicas;
  return [
    ...(min > max ? [located([...at, "min"], `${min} is greater than replicas.max ${max}`, "make min <= max")] : []),
    ...(max < 1 ? [located([...at, "max"], `${max} is out of range; allowed: at least 1`, "set replicas.max to 1 or more")] : []),
  ];
}

/**
 * A variable cannot be both a plain `env` value and a secret the service receives under the same name.
 * @param envNames the secrets' variable names. @default those of the service's `secrets`
 */
export function envSecretProblems(service: Pick<ServiceSpec, "name" | "env" | "secrets">, envNames: readonly string[] = service.secrets.map((name) => (name in GENERATED_SECRETS ? name : secretEnvName(name)))): Located[] {
  return envNames
    .filter((envName) => envName in service.env)
    .map((envName) => located(["services", service.name, "env", envName], "is also injected as a secret; a variable cannot be both", "remove it from env"));
}

/** What a service's `access` names must exist: the store, each bucket, each other service. */
function accessProblems(spec: ResolvedSpec, service: string, access: ParsedSpec["services"][string]["access"], at: readonly PropertyKey[]): Located[] {
  const problems: Located[] = [];
  const add = (path: Path, message: string, fix: string, reads: Path) =>
    problems.push({ path: formatPath([...at, "access", ...path]), at: [...at, "access", ...path], message, fix, reads: [reads] });
  for (const store of ["database", "cache"] as const) {
    if (access[store] === true && spec[store] === undefined) add([store], `true, but the spec has no ${store}`, `add a ${store} section or remove access.${store}`, [store]);
  }
  const buckets = spec.buckets.map((b) => b.name);
  for (const bucket of Object.keys(access.buckets)) {
    if (!buckets.includes(bucket)) add(["buckets", bucket], `"${bucket}" is not defined in buckets (defined: ${buckets.join(", ") || "none"})`, `add "${bucket}" under buckets or fix the name`, ["buckets", bucket]);
  }
  const services = spec.services.map((s) => s.name);
  (access.services ?? []).forEach((callee, i) => {
    if (callee === service) add(["services", i], `"${callee}" is this service itself; a service always reaches its own replicas`, `remove "${callee}"`, ["services", callee]);
    else if (!services.includes(callee)) add(["services", i], `"${callee}" is not a service (services: ${services.join(", ")})`, `fix the name or remove it`, ["services", callee]);
  });
  return problems;
}

function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/** The tag of an image reference, or undefined when it has none (digests count as immutable tags). */
export function imageTag(image: string): string | undefined {
  if (image.includes("@")) return image.slice(image.indexOf("@") + 1);
  const last = image.slice(image.lastIndexOf("/") + 1);
  const colon = last.indexOf(":");
  return colon === -1 ? undefined : last.slice(colon + 1);
}
