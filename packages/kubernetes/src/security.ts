/**
 * Hardened pod and container settings, shared by every workload this package runs (web services,
 * PostgreSQL, Redis, MinIO). They satisfy the Pod Security Standard `restricted` profile and the
 * kube-score / Checkov container checks: non-root with a high UID, no privilege escalation, no
 * capabilities, read-only root filesystem, RuntimeDefault seccomp, no service account token.
 */
import type { core } from "@pulumi/kubernetes/types/input";
import { PolycloudError, type Problem } from "@polycloud/core";


/**
 * UID and GID the containers run as. 10001 and up stay clear of the host's system users and of
 * the users baked into common base images, so a container escape lands on an unprivileged id.
 */
export const MIN_UID = 10001;

/** The identity a workload's processes run as. */
export interface RunAs {
  /** @default 10001 */
  readonly uid?: number;
  /** @default 10001 */
  readonly gid?: number;
}

/** Problems with a workload's UID/GID, reported under `path`. */
export function runAsProblems(runAs: RunAs, path: string): Problem[] {
  return (
    [
      ["uid", runAs.uid],
      ["gid", runAs.gid],
    ] as const
  )
    .filter(([, id]) => id !== undefined && (!Number.isInteger(id) || id < MIN_UID))
    .map(([key, id]) => ({
      path: `${path}.${key}`,
      message: `${id} is not allowed; allowed: an integer >= ${MIN_UID} (low ids collide with host and image system users)`,
      fix: `set ${key} to ${MIN_UID} or more`,
    }));
}

function ids(runAs: RunAs, path: string): { uid: number; gid: number } {
  PolycloudError.throwIfAny(runAsProblems(runAs, path));
  return { uid: runAs.uid ?? MIN_UID, gid: runAs.gid ?? MIN_UID };
}

/** Pod-level security context: non-root, fixed high UID/GID, volumes group-owned by the GID, RuntimeDefault seccomp. */
export function podSecurityContext(runAs: RunAs = {}, path = "runAs"): core.v1.PodSecurityContext {
  const { uid, gid } = ids(runAs, path);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    // Only chown volumes whose root is not already owned by the GID: fast restarts on large volumes.
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level security context: read-only root, no privilege escalation, every capability dropped. */
export function containerSecurityContext(runAs: RunAs = {}, path = "runAs"): core.v1.SecurityContext {
  const { uid, gid } = ids(runAs, path);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** A writable scratch directory on a read-only root filesystem, bounded so it cannot fill the node's disk. */
export interface ScratchDir {
  readonly name: string;
  readonly mountPath: string;
  /** @default "64Mi" */
  readonly sizeLimit?: string;
}

/** The emptyDir volumes and mounts for a set of scratch directories (always including /tmp). */
export function scratchVolumes(extra: readonly ScratchDir[] = []): { volumes: core.v1.Volume[]; mounts: core.v1.VolumeMount[] } {
  const dirs: ScratchDir[] = [{ name: "tmp", mountPath: "/tmp" }, ...extra];
  return {
    volumes: dirs.map((d) => ({ name: d.name, emptyDir: { sizeLimit: d.sizeLimit ?? "64Mi" } })),
    mounts: dirs.map((d) => ({ name: d.name, mountPath: d.mountPath })),
  };
}
