import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup } from "./__tests__/capture";
import { blogProject, captureIo, type StandIn } from "./__tests__/stand-in";
import { driftCommand, type DriftFlags } from "./drift";
import { engineCommand } from "./engine";
import { reportError } from "./errors";

// One project with a deployed stack (two resources); each test changes only what the stand-in's refresh finds.
let dir: string;
let pulumi: StandIn;
beforeAll(async () => {
  ({ dir, pulumi } = blogProject());
  const { io } = captureIo({ cwd: dir, env: pulumi.env() });
  expect(await engineCommand("up", "blog.yaml", {}, io)).toBe(0);
});
afterAll(() => cleanup(dir));

const stackFile = () => readFileSync(join(dir, ".polycloud", ".pulumi", "stacks", "blog", "blog.json"), "utf8");

async function drift(flags: DriftFlags, found: object[]) {
  pulumi.reset();
  const captured = captureIo({ cwd: dir, env: pulumi.env({ FAKE_PULUMI_DRIFT: JSON.stringify(found) }) });
  const code = await driftCommand("blog.yaml", flags, captured.io).catch((error: unknown) => reportError(error, captured.io, false));
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const FOUND = [
  { op: "update", type: "kubernetes:apps/v1:Deployment", name: "blog-web", diffs: ["spec.replicas", "metadata.labels"] },
  { op: "delete", type: "kubernetes:core/v1:Namespace", name: "blog" },
];

describe("driftCommand", () => {
  it("lists what changed outside the code and exits 3, leaving the state as it was", async () => {
    const before = stackFile();
    const result = await drift({}, FOUND);
    expect(result.code).toBe(3);
    expect(pulumi.calls().find((c) => c.args[0] === "refresh")?.args).toEqual(expect.arrayContaining(["refresh", "--preview-only", "--stack", "blog"]));
    expect(result.stdout).toContain(
      [
        "drift in stack blog: 2 of 2 resources changed outside the code",
        "  ~ changed kubernetes:apps/v1:Deployment  blog-web (metadata.labels, spec.replicas)",
        "  - deleted kubernetes:core/v1:Namespace  blog",
        `To put them back as the code says: polycloud up ${join(dir, "blog.yaml")} (its preview shows the changes). To keep a change, make it in the spec first.`,
        "",
      ].join("\n"),
    );
    expect(stackFile()).toBe(before);
  });

  it("says there is none and exits 0 when the cloud matches the state", async () => {
    const result = await drift({}, []);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no drift: the 2 resources of stack blog match the state\n");
  });

  it("prints one JSON document with --json, the engine's text on stderr", async () => {
    const result = await drift({ json: true }, FOUND.slice(0, 1));
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({
      stack: "blog",
      spec: "blog",
      checked: 2,
      drift: [{ urn: "urn:pulumi:blog::blog::kubernetes:apps/v1:Deployment::blog-web", type: "kubernetes:apps/v1:Deployment", name: "blog-web", drift: "changed", properties: ["metadata.labels", "spec.replicas"] }],
    });
    expect(result.stderr).toContain("stand-in pulumi: refresh --preview-only of stack blog\n");
  });
});
