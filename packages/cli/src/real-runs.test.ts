import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, polycloud, SMALL_SPEC, writeFiles } from "./__tests__/capture";
import { blogProject, type StandIn } from "./__tests__/stand-in";

// The commands of real runs as the command line parses them (their behaviour has its own tests per module).
let dir: string;
let pulumi: StandIn;
beforeAll(() => {
  ({ dir, pulumi } = blogProject());
  writeFiles(dir, { "stacks/dev.yaml": SMALL_SPEC, "stacks/prod.yaml": `${SMALL_SPEC}environment: production\n` });
});
afterAll(() => cleanup(dir));

const cli = (argv: string[], env: Record<string, string> = {}) => polycloud(argv, { cwd: dir, env: pulumi.env(env) });

describe("polycloud real-run commands", () => {
  it("lists drift, promote, abort and ci in the help", async () => {
    const help = (await cli(["--help"])).stdout;
    for (const command of ["drift", "promote", "abort", "ci"]) expect(help).toMatch(new RegExp(`\\n  ${command} `));
    expect((await cli(["up", "--help"])).stdout.replace(/\s+/g, " ")).toContain("--expect-changes <file|hash> apply only if the preview matches this saved change summary");
  });

  it("takes preview --save-changes with --json, and up --yes --expect-changes with the file", async () => {
    const preview = await cli(["preview", "blog.yaml", "--save-changes", "changes.json", "--json"]);
    expect(preview.code).toBe(0);
    expect(preview.stdout.trimEnd().split("\n").every((line) => "sequence" in JSON.parse(line))).toBe(true);
    const { hash } = JSON.parse(readFileSync(join(dir, "changes.json"), "utf8"));
    expect(preview.stderr).toContain(`change summary ${hash} (2 to create) saved to ${join(dir, "changes.json")}\n`);
    const up = await cli(["up", "blog.yaml", "--yes", "--expect-changes", "changes.json"]);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`change summary ${hash}\n`);
  });

  it("takes drift --json and exits 3 on drift", async () => {
    const result = await cli(["drift", "blog.yaml", "--json"], { FAKE_PULUMI_DRIFT: JSON.stringify([{ op: "delete", type: "kubernetes:core/v1:Namespace", name: "blog" }]) });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).drift.map((d: { name: string }) => d.name)).toEqual(["blog"]);
  });

  it("takes promote --service and ci init --gitlab", async () => {
    const promote = await cli(["promote", "blog.yaml", "--service", "web"]);
    expect(promote.code).toBe(2);
    expect(promote.stderr).toContain("--service: web deploys by rolling update");
    expect((await cli(["ci", "init", "--gitlab"])).stdout).toContain("wrote .gitlab-ci.yml for 2 stacks (dev, prod)");
  });

  it("refuses a flag of another command as commander does (exit 2)", async () => {
    const result = await cli(["up", "blog.yaml", "--save-changes", "x.json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--save-changes'");
  });
});
