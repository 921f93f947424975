import { PolycloudError } from "@polycloud/core";
import { containerSecurityContext, podSecurityContext, runAsProblems, scratchVolumes } from "./security";

describe("podSecurityContext", () => {
  it.each([
    [{}, 10001, 10001],
    [{ uid: 20000 }, 20000, 10001],
    [{ uid: 20000, gid: 30000 }, 20000, 30000],
  ])("runs as non-root with RuntimeDefault seccomp for %j", (runAs, uid, gid) => {
    expect(podSecurityContext(runAs)).toEqual({
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      fsGroup: gid,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    });
  });
});

describe("containerSecurityContext", () => {
  it("drops every capability and privilege and mounts the root read-only", () => {
    expect(containerSecurityContext()).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });
  it("throws a PolycloudError for a low UID", () => {
    expect(() => containerSecurityContext({ uid: 0 }, "database.runAs")).toThrow(PolycloudError);
  });
});

describe("runAsProblems", () => {
  it.each([
    [{ uid: 10000 }, ["runAs.uid"]],
    [{ gid: 1.5 }, ["runAs.gid"]],
    [{ uid: 0, gid: 0 }, ["runAs.uid", "runAs.gid"]],
    [{ uid: 10001 }, []],
  ])("reports %j at %j", (runAs, paths) => {
    expect(runAsProblems(runAs, "runAs").map((p) => p.path)).toEqual(paths);
  });
});

describe("scratchVolumes", () => {
  it("always includes a bounded /tmp", () => {
    expect(scratchVolumes([{ name: "run", mountPath: "/run", sizeLimit: "1Mi" }])).toEqual({
      volumes: [
        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
        { name: "run", emptyDir: { sizeLimit: "1Mi" } },
      ],
      mounts: [
        { name: "tmp", mountPath: "/tmp" },
        { name: "run", mountPath: "/run" },
      ],
    });
  });
});
