// The READMEs as a reader meets them: their TypeScript snippets compile and pass the repository's
// lint, their `polycloud` commands work from the repository root, and what they promise holds.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { polycloud } from "./__tests__/capture";
import { checkSnippets, ROOT, tsSnippets } from "./__tests__/snippets";

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** Stand-ins for the modules a README's snippet imports from the reader's own project. */
const STAND_INS = {
  "./website": [
    'import type * as pulumi from "@pulumi/pulumi";',
    "",
    "export declare class Website extends pulumi.ComponentResource {",
    "  readonly url: pulumi.Output<string>;",
    "  constructor(name: string, args: { domain: string }, opts?: pulumi.ComponentResourceOptions);",
    "}",
    "",
  ].join("\n"),
};

describe("the READMEs", () => {
  it("have TypeScript snippets that typecheck and pass the repository's lint", () => {
    const snippets = ["README.md", "packages/testing/README.md", "packages/cli/README.md"].flatMap(tsSnippets);
    expect(snippets.map((s) => s.file)).toEqual(["README.md", "README.md", "README.md", "packages/testing/README.md", "packages/testing/README.md"]);
    expect(checkSnippets(snippets, STAND_INS)).toEqual({ typeErrors: [], lintErrors: [] });
  }, 300_000);

  it("give polycloud commands that work from the repository root", async () => {
    const commands = [...read("README.md").matchAll(/^pnpm polycloud ((validate|detect) [^#\n]*?)\s*(#.*)?$/gm)].map((m) => m[1]!.split(/\s+/));
    expect(commands.map((c) => c[0])).toEqual(["validate", "detect"]);
    for (const argv of commands) {
      const result = await polycloud(argv, { cwd: ROOT, homeDir: join(ROOT, "nonexistent-home") });
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 0, stderr: "" });
    }
  });

  it("match aws:SecureTransport as the boolean that polycloud's own bucket policies write", () => {
    const testing = read("packages/testing/README.md");
    expect(testing).toContain('"aws:SecureTransport": false');
    expect(testing).not.toContain('"aws:SecureTransport": "false"');
    expect(read("packages/aws/src/policies.ts")).toMatch(/Condition: \{ Bool: \{ "aws:SecureTransport": false \} \}/);
  });

  it("name the four clouds, none as coming", () => {
    const root = read("README.md").replace(/\s+/g, " ");
    expect(root).toMatch(/AWS, Azure, GCP and Kubernetes/);
    expect(root).not.toMatch(/coming|not released/i);
  });
});

describe("the repository", () => {
  it("ignores what plan --out plan/ and the local state backend write", () => {
    const ignored = spawnSync("git", ["check-ignore", "plan/plan.json", ".polycloud/stacks/dev.json", "stacks/.polycloud/x"], { cwd: ROOT, encoding: "utf8" });
    expect(ignored.stdout.trim().split("\n")).toEqual(["plan/plan.json", ".polycloud/stacks/dev.json", "stacks/.polycloud/x"]);
  });
});
