import { PolycloudError } from "@polycloud/core";
import { cleanup, polycloud, tmpProject } from "./__tests__/capture";
import { CliFailure, ExitCode, reportError } from "./errors";
import type { Io } from "./io";

function capture(): { io: Io; stderr: () => string } {
  let stderr = "";
  const io: Io = { stdout: { write: () => undefined }, stderr: { write: (text) => void (stderr += text) }, env: {}, cwd: "/", homeDir: "/" };
  return { io, stderr: () => stderr };
}

describe("reportError", () => {
  it("prints an unexpected error's message and how to see its stack trace, exit 1, when not debugging", () => {
    const { io, stderr } = capture();
    expect(reportError(new TypeError("boom"), io, false)).toBe(ExitCode.failure);
    expect(stderr()).toBe("polycloud: boom\n(run again with --debug for the stack trace)\n");
  });

  it("prints the stack trace after the message when debugging", () => {
    const { io, stderr } = capture();
    const error = new TypeError("boom");
    expect(reportError(error, io, true)).toBe(ExitCode.failure);
    expect(stderr()).toBe(`polycloud: boom\n${error.stack}\n`);
  });

  it("exits 2 for bad input and 1 for an expected failure, with no hint about --debug", () => {
    const { io, stderr } = capture();
    expect(reportError(new PolycloudError([{ path: "x", message: "is bad" }]), io, false)).toBe(ExitCode.badInput);
    expect(reportError(new CliFailure("engine failed"), io, false)).toBe(ExitCode.failure);
    expect(stderr()).not.toContain("--debug");
  });
});

describe("badInput", () => {
  it("knows bad input from another copy of @polycloud/core, or wrapped by a runtime, and exits 2 for it", () => {
    const foreign = Object.assign(new Error("Spec shop cannot be built on aws (1 problem):\n  - tags: is bad"), { name: "PolycloudError", problems: [{ path: "tags", message: "is bad" }] });
    const wrapped = new Error("failed to register new resource shop", { cause: new PolycloudError([{ path: "tags", message: "is bad" }], "Spec shop cannot be built on aws") });
    for (const error of [foreign, wrapped]) {
      const { io, stderr } = capture();
      expect(reportError(error, io, false)).toBe(ExitCode.badInput);
      expect(stderr()).toBe("polycloud: Spec shop cannot be built on aws (1 problem):\n  - tags: is bad\n");
    }
  });
});

describe("polycloud --debug", () => {
  let dir: string;
  afterEach(() => cleanup(dir));

  it("prints the stack trace of an error only when --debug is given", async () => {
    dir = tmpProject();
    const plain = await polycloud(["validate", "nope.yaml"], { cwd: dir });
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await polycloud(["--debug", "validate", "nope.yaml"], { cwd: dir });
    expect(debug.code).toBe(2);
    expect(debug.stderr.startsWith(plain.stderr)).toBe(true);
    expect(debug.stderr.slice(plain.stderr.length)).toMatch(/^PolycloudError: Invalid spec[^]*\n\s+at /);
  });
});
