/**
 * The pod template every workload of this package shares: hardened security contexts, scratch
 * directories on a read-only root, no service account token, no service links, spread over zones
 * and nodes, Guaranteed QoS resources. Pure: plain Kubernetes args in, args out.
 */
import type { core } from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { cpuQuantity, memoryQuantity } from "./quantity";
import { containerSecurityContext, podSecurityContext, scratchVolumes, type RunAs, type ScratchDir } from "./security";


/** Ephemeral storage per container (logs, writable layer, emptyDir scratch), in MiB: requested, and the hard limit. */
export const EPHEMERAL_STORAGE = { requestMiB: 256, limitMiB: 1024 } as const;

/**
 * CPU and memory requests equal to limits (Guaranteed QoS): the scheduler reserves what the pod may
 * use, and it is evicted last. Ephemeral storage is bounded too, so logs or scratch files cannot fill the node's disk.
 */
export function guaranteedResources(cpu: number, memoryMiB: number): core.v1.ResourceRequirements {
  const amounts = { cpu: cpuQuantity(cpu), memory: memoryQuantity(memoryMiB) };
  return {
    requests: { ...amounts, "ephemeral-storage": memoryQuantity(EPHEMERAL_STORAGE.requestMiB) },
    limits: { ...amounts, "ephemeral-storage": memoryQuantity(EPHEMERAL_STORAGE.limitMiB) },
  };
}

/** How strictly pods spread across zones. */
export type ZoneSpread = "ScheduleAnyway" | "DoNotSchedule";

export interface HardenedPodOptions {
  readonly serviceAccountName: pulumi.Input<string>;
  /** The one application container; its securityContext and scratch mounts are added here. */
  readonly container: core.v1.Container;
  readonly selector: Readonly<Record<string, string>>;
  readonly runAs: RunAs;
  /** Arg path of `runAs`, for error messages. */
  readonly runAsPath: string;
  readonly volumes?: readonly core.v1.Volume[];
  /** Writable directories besides /tmp (e.g. PostgreSQL's socket directory). */
  readonly scratch?: readonly ScratchDir[];
  /** @default "ScheduleAnyway" */
  readonly zoneSpread?: ZoneSpread;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
}

export function hardenedPodSpec(o: HardenedPodOptions): core.v1.PodSpec {
  const scratch = scratchVolumes(o.scratch);
  const spread = (topologyKey: string, whenUnsatisfiable: ZoneSpread) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: { ...o.selector } },
  });
  return {
    serviceAccountName: o.serviceAccountName,
    // The apps never call the Kubernetes API: a mounted token would only be loot for an attacker.
    automountServiceAccountToken: false,
    // Service links inject every Service's address as env vars: noise, and a leak of the namespace's layout.
    enableServiceLinks: false,
    securityContext: podSecurityContext(o.runAs, o.runAsPath),
    terminationGracePeriodSeconds: o.terminationGracePeriodSeconds ?? 30,
    topologySpreadConstraints: [
      spread("topology.kubernetes.io/zone", o.zoneSpread ?? "ScheduleAnyway"),
      spread("kubernetes.io/hostname", "ScheduleAnyway"),
    ],
    containers: [
      {
        ...o.container,
        securityContext: containerSecurityContext(o.runAs, o.runAsPath),
        volumeMounts: [...scratch.mounts, ...((o.container.volumeMounts as core.v1.VolumeMount[] | undefined) ?? [])],
      },
    ],
    volumes: [...scratch.volumes, ...(o.volumes ?? [])],
  };
}
