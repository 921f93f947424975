/**
 * Sizes of the stateful workloads this package runs, and the namespace capacity (ResourceQuota)
 * a whole spec needs, so the quota is tight enough to stop a runaway and loose enough for a rollout.
 */
import type { ResolvedSpec, ServiceSpec, Size } from "@polycloud/core";

/** CPU (cores) and memory (MiB) of one database, cache or object-store pod per spec size. */
export const STATEFUL_SIZES: Readonly<Record<Size, { readonly cpu: number; readonly memory: number }>> = {
  small: { cpu: 0.5, memory: 1024 },
  medium: { cpu: 1, memory: 4096 },
  large: { cpu: 2, memory: 8192 },
};

/** Redis persistence volume: twice its memory (room for the append-only file and a rewrite), in GiB. */
export function cacheStorageGb(size: Size): number {
  return Math.ceil((STATEFUL_SIZES[size].memory * 2) / 1024);
}

/** Instances of the database: three with high availability (a primary and two standbys), else one. */
export function databaseInstances(highAvailability: boolean): number {
  return highAvailability ? 3 : 1;
}

/** Pods of a service at the peak of a rollout: max replicas plus the surge its strategy creates. */
export function peakPods(service: Pick<ServiceSpec, "replicas" | "deployment">): number {
  const { max } = service.replicas;
  // Rolling surges 25%; blue-green and canary run a second full (or partial) copy next to the stable one.
  return max + (service.deployment.strategy === "rolling" ? Math.ceil(max / 4) : max);
}

/** What a namespace may hold at most. */
export interface Capacity {
  /** CPU limit total, in cores. */
  readonly cpu: number;
  /** Memory limit total, in MiB. */
  readonly memory: number;
  readonly pods: number;
  /** Requested persistent storage total, in GiB. */
  readonly storageGb: number;
  readonly persistentVolumeClaims: number;
}

/** A namespace quota for small apps used when nothing is known about the workloads. */
export const DEFAULT_CAPACITY: Capacity = { cpu: 4, memory: 8192, pods: 20, storageGb: 100, persistentVolumeClaims: 10 };

/** Bucket (MinIO) volume size in GiB when none is given. */
export const DEFAULT_BUCKET_STORAGE_GB = 10;

// Headroom for jobs, operator pods and the odd debug pod, so a quota is never the reason a rollout stalls.
const HEADROOM = 1.25;

/** The capacity a spec needs: every service at its rollout peak, plus the database, cache and buckets. */
export function capacityFor(spec: Pick<ResolvedSpec, "services" | "database" | "cache" | "buckets">): Capacity {
  const parts: { pods: number; cpu: number; memory: number; storageGb: number; claims: number }[] = spec.services.map((s) => {
    const pods = peakPods(s);
    return { pods, cpu: pods * s.cpu, memory: pods * s.memory, storageGb: 0, claims: 0 };
  });
  if (spec.database !== undefined) {
    const n = databaseInstances(spec.database.highAvailability);
    const size = STATEFUL_SIZES[spec.database.size];
    // Plus one volume as large as the data for the plain StatefulSet's pg_dump backups.
    parts.push({ pods: n, cpu: n * size.cpu, memory: n * size.memory, storageGb: (n + 1) * spec.database.storageGb, claims: n + 1 });
  }
  if (spec.cache !== undefined) {
    const size = STATEFUL_SIZES[spec.cache.size];
    parts.push({ pods: 1, cpu: size.cpu, memory: size.memory, storageGb: cacheStorageGb(spec.cache.size), claims: 1 });
  }
  const n = spec.buckets.length;
  const bucketSize = STATEFUL_SIZES.small;
  parts.push({ pods: n, cpu: n * bucketSize.cpu, memory: n * bucketSize.memory, storageGb: n * DEFAULT_BUCKET_STORAGE_GB, claims: n });
  const sum = (key: keyof (typeof parts)[number]) => parts.reduce((total, p) => total + p[key], 0);
  return {
    cpu: Math.ceil(sum("cpu") * HEADROOM),
    memory: Math.ceil((sum("memory") * HEADROOM) / 1024) * 1024,
    pods: Math.ceil(sum("pods") * HEADROOM),
    storageGb: Math.ceil(sum("storageGb") * HEADROOM),
    persistentVolumeClaims: sum("claims") + 2,
  };
}
