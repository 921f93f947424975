/**
 * Kubernetes resource quantities from the spec's units: vCPU as cores, memory and storage in MiB / GiB.
 * Kubernetes accepts many spellings of one quantity; these produce the canonical short one, so a plan
 * never shows a diff between "0.5" and "500m".
 */

/** vCPU to a CPU quantity: 0.5 -> "500m", 2 -> "2", 0.25 -> "250m". Millicores are the finest unit. */
export function cpuQuantity(cores: number): string {
  if (!Number.isFinite(cores) || cores <= 0) throw new RangeError(`cpu must be a positive number of cores, got ${cores}`);
  const millis = Math.ceil(Math.round(cores * 1e6) / 1e3);
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** MiB to a memory quantity: 1024 -> "1Gi", 1536 -> "1536Mi", 512 -> "512Mi". */
export function memoryQuantity(mebibytes: number): string {
  if (!Number.isInteger(mebibytes) || mebibytes <= 0) throw new RangeError(`memory must be a positive whole number of MiB, got ${mebibytes}`);
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}

/** GiB to a storage quantity: 20 -> "20Gi", 1024 -> "1Ti". */
export function storageQuantity(gibibytes: number): string {
  if (!Number.isInteger(gibibytes) || gibibytes <= 0) throw new RangeError(`storage must be a positive whole number of GiB, got ${gibibytes}`);
  return gibibytes % 1024 === 0 ? `${gibibytes / 1024}Ti` : `${gibibytes}Gi`;
}
