import type { automation } from "@pulumi/pulumi";
import { captureIo } from "./__tests__/stand-in";
import { elapsed, trackProgress } from "./progress";

const event = (kind: "resourcePreEvent" | "resOutputsEvent", op: string, name: string) =>
  ({ sequence: 0, timestamp: 0, [kind]: { metadata: { op, urn: `urn:pulumi:dev::shop::aws:s3/bucket:Bucket::${name}`, type: "aws:s3/bucket:Bucket", provider: "" } } }) as unknown as automation.EngineEvent;

describe("trackProgress", () => {
  afterEach(() => jest.useRealTimers());

  it("redraws one line on a terminal as steps start and finish, and every second in between", () => {
    jest.useFakeTimers();
    let clock = 0;
    const captured = captureIo({ cwd: "/", env: {}, tty: "stderr" });
    const progress = trackProgress("up", captured.io, { total: 3, now: () => clock });
    progress.onEvent(event("resourcePreEvent", "create", "a"));
    progress.onEvent(event("resourcePreEvent", "update", "b"));
    progress.onEvent(event("resOutputsEvent", "create", "a"));
    clock = 75_000;
    jest.advanceTimersByTime(1000);
    progress.end();
    expect(captured.stderr().split("\r\u001b[K").slice(1)).toEqual([
      "up: 0 of 3 done (no resource changed), 1 in progress, 0s",
      "up: 0 of 3 done (no resource changed), 2 in progress, 0s",
      "up: 1 of 3 done (1 created), 1 in progress, 0s",
      "up: 1 of 3 done (1 created), 1 in progress, 1m15s\n",
    ]);
    expect(progress.describe()).toBe("1 created");
  });

  it("writes nothing to stderr off a terminal, and each event as a JSON line on stdout with json", () => {
    const captured = captureIo({ cwd: "/", env: {} });
    const progress = trackProgress("up", captured.io, { json: true });
    progress.onEvent(event("resOutputsEvent", "delete", "a"));
    progress.end();
    expect(captured.stderr()).toBe("");
    expect(JSON.parse(captured.stdout()).resOutputsEvent.metadata.op).toBe("delete");
    expect(progress.done()).toEqual({ delete: 1 });
  });

  it.each([[0, "0s"], [59_999, "59s"], [60_000, "1m00s"], [3_725_000, "62m05s"]])("shows %i ms as %s", (ms, text) => {
    expect(elapsed(ms)).toBe(text);
  });
});
