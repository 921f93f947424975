/**
 * Cloud Run instance sizes: the spec's CPU and memory rounded up to the smallest size Cloud Run offers
 * that holds both. Whole vCPUs only (1, 2, 4, 6, 8): fractional CPU serves one request at a time.
 * Sizes beyond the largest are refused by core's capabilities before anything is built.
 */

/** vCPUs Cloud Run offers, with the memory each allows (MiB). */
export const CLOUD_RUN_SIZES: readonly { readonly cpu: number; readonly minMemoryMb: number; readonly maxMemoryMb: number }[] = [
  { cpu: 1, minMemoryMb: 512, maxMemoryMb: 4096 },
  { cpu: 2, minMemoryMb: 512, maxMemoryMb: 8192 },
  { cpu: 4, minMemoryMb: 2048, maxMemoryMb: 16384 },
  { cpu: 6, minMemoryMb: 4096, maxMemoryMb: 24576 },
  { cpu: 8, minMemoryMb: 4096, maxMemoryMb: 32768 },
];

export interface CloudRunSize {
  /** Cloud Run's `limits.cpu`, e.g. "2". */
  readonly cpu: string;
  /** Cloud Run's `limits.memory`, e.g. "1024Mi". */
  readonly memory: string;
}

/**
 * The smallest Cloud Run size with at least `cpu` vCPUs and `memoryMb` MiB.
 * @throws RangeError beyond 8 vCPU or 32 GiB (core refuses such specs first).
 */
export function cloudRunSize(cpu: number, memoryMb: number): CloudRunSize {
  const size = CLOUD_RUN_SIZES.find((s) => s.cpu >= cpu && s.maxMemoryMb >= memoryMb);
  if (size === undefined) throw new RangeError(`Cloud Run offers at most 8 vCPU and 32768 MiB; asked for ${cpu} vCPU and ${memoryMb} MiB`);
  return { cpu: String(size.cpu), memory: `${Math.max(memoryMb, size.minMemoryMb)}Mi` };
}
