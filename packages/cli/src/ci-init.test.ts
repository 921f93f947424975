import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import YAML from "yaml";
import { cleanup, SMALL_SPEC, tmpProject, writeFiles } from "./__tests__/capture";
import { captureIo } from "./__tests__/stand-in";
import { ciInitCommand, PIPELINE_FILES, type CiInitFlags } from "./ci-init";
import { reportError } from "./errors";

// The generated pipelines are held to the platforms' own schemas (vendored in __tests__/schemas, see its README).
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const schema = (name: string) => JSON.parse(readFileSync(join(__dirname, "__tests__", "schemas", name), "utf8"));
const validators = { github: ajv.compile(schema("github-workflow.json")), gitlab: ajv.compile(schema("gitlab-ci.json")) };

let dir: string;
beforeEach(() => {
  dir = tmpProject({
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "stacks/dev.yaml": SMALL_SPEC,
    "stacks/staging.yaml": `${SMALL_SPEC}environment: staging\n`,
    "stacks/prod.yaml": `${SMALL_SPEC}environment: production\n`,
    "stacks/Pulumi.prod.yaml": "config: {}\n",
  });
});
afterEach(() => cleanup(dir));

async function init(flags: CiInitFlags) {
  const captured = captureIo({ cwd: dir, env: {} });
  const code = await ciInitCommand(flags, captured.io).catch((error: unknown) => reportError(error, captured.io, false));
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const written = (platform: keyof typeof PIPELINE_FILES) => YAML.parse(readFileSync(join(dir, PIPELINE_FILES[platform]), "utf8"));

describe("ciInitCommand", () => {
  it("writes a GitHub workflow that the workflow schema accepts: review on pull requests, dev then staging on main, production after approval as previewed", async () => {
    const result = await init({ github: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("wrote .github/workflows/polycloud.yml for 3 stacks (dev, prod, staging)\nProtect production: Settings > Environments > production > Required reviewers");
    const workflow = written("github");
    expect(validators.github(workflow)).toBe(true);
    expect(validators.github.errors ?? []).toEqual([]);
    expect(workflow.on).toEqual({ pull_request: { branches: ["main"] }, push: { branches: ["main"] }, schedule: [{ cron: "17 6 * * *" }] });
    expect(Object.keys(workflow.jobs)).toEqual(["review", "drift", "deploy-dev", "deploy-staging", "preview-prod", "deploy-prod"]);
    expect(workflow.jobs.drift).toMatchObject({ if: "github.event_name == 'schedule'" });
    expect(workflow.jobs.drift.steps.at(-1).run).toBe("pnpm polycloud drift ${{ matrix.spec }}");
    const review = workflow.jobs.review;
    expect(review.strategy.matrix.include).toEqual([
      { stack: "dev", spec: "stacks/dev.yaml" },
      { stack: "staging", spec: "stacks/staging.yaml" },
      { stack: "prod", spec: "stacks/prod.yaml" },
    ]);
    const script = review.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(script).toContain("pnpm polycloud validate ${{ matrix.spec }}");
    expect(script).toContain("pnpm polycloud plan ${{ matrix.spec }} --policy mandatory | tee -a review/${{ matrix.stack }}.md");
    expect(script).toContain("pnpm polycloud preview ${{ matrix.spec }}");
    // Every job first refuses to run on a runner's throwaway ./.polycloud.
    const guard = review.steps[0].run;
    expect(spawnSync("sh", ["-c", guard], { env: {}, encoding: "utf8" })).toMatchObject({ status: 1, stdout: expect.stringContaining("PULUMI_BACKEND_URL is not set") });
    expect(spawnSync("sh", ["-c", guard], { env: { PULUMI_BACKEND_URL: "s3://acme-state" } }).status).toBe(0);
    for (const job of Object.values(workflow.jobs) as { steps: { run?: string }[] }[]) expect(job.steps[0]!.run).toBe(guard);
    expect(review.steps.at(-1).uses).toBe("actions/github-script@v7");
    // The comment script is JavaScript that parses (github-script runs it as the body of an async function).
    expect(() => new Function("github", "context", "require", "process", `return (async () => {\n${review.steps.at(-1).with.script}\n})`)).not.toThrow();
    expect(review.steps.at(-1).with.script).toContain("github.rest.issues.updateComment");
    expect(review.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(workflow.jobs["deploy-staging"]).toMatchObject({ needs: "deploy-dev", environment: "staging" });
    expect(workflow.jobs["deploy-staging"].steps.at(-1).run).toBe("pnpm polycloud up stacks/staging.yaml");
    expect(workflow.jobs["preview-prod"].steps.map((s: { run?: string }) => s.run ?? "").join("\n")).toContain("pnpm polycloud preview stacks/prod.yaml --save-changes changes/prod.json");
    expect(workflow.jobs["deploy-prod"]).toMatchObject({ needs: "preview-prod", environment: "production" });
    expect(workflow.jobs["deploy-prod"].steps.slice(-2)).toEqual([
      { uses: "actions/download-artifact@v4", with: { name: "changes-prod", path: "changes" } },
      { run: "pnpm polycloud up stacks/prod.yaml --yes --expect-changes changes/prod.json" },
    ]);
  });

  it("writes a GitLab pipeline that GitLab's CI schema accepts, production a manual job on its environment applying the saved preview", async () => {
    expect((await init({ gitlab: true })).code).toBe(0);
    // Plain YAML: no anchors or aliases for a reader to chase.
    expect(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")).not.toMatch(/[&*]a\d/);
    const pipeline = written("gitlab");
    expect(validators.gitlab(pipeline)).toBe(true);
    expect(validators.gitlab.errors ?? []).toEqual([]);
    expect(Object.keys(pipeline).filter((k) => k.includes(":"))).toEqual(["review:dev", "drift:dev", "review:staging", "drift:staging", "review:prod", "drift:prod", "up:dev", "up:staging", "preview:prod", "up:prod"]);
    expect(pipeline["drift:prod"]).toEqual({ stage: "drift", rules: [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }], script: ["pnpm polycloud drift stacks/prod.yaml"] });
    expect(pipeline.default.before_script[0]).toMatch(/^test -n "\$PULUMI_BACKEND_URL" \|\| /);
    expect(pipeline["review:prod"].rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(pipeline["review:prod"].after_script[0]).toContain("$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes");
    expect(pipeline["up:staging"]).toMatchObject({ needs: ["up:dev"], environment: { name: "staging", deployment_tier: "staging" } });
    expect(pipeline["preview:prod"]).toMatchObject({ needs: ["up:staging"], artifacts: { paths: ["changes/prod.json"] } });
    expect(pipeline["up:prod"]).toMatchObject({
      rules: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"', when: "manual" }],
      needs: [{ job: "preview:prod", artifacts: true }],
      environment: { name: "prod", deployment_tier: "production" },
      script: ["pnpm polycloud up stacks/prod.yaml --yes --expect-changes changes/prod.json"],
    });
  });

  it("is held to the schemas for real: a job without runs-on, or a rule with an unknown when, is refused", async () => {
    await init({ github: true });
    const workflow = written("github");
    delete workflow.jobs["deploy-dev"]["runs-on"];
    expect(validators.github(workflow)).toBe(false);
    await init({ gitlab: true });
    const pipeline = written("gitlab");
    pipeline["up:prod"].rules[0].when = "after-lunch";
    expect(validators.gitlab(pipeline)).toBe(false);
  });

  it("refuses to overwrite a pipeline file without --force, and overwrites it with --force", async () => {
    writeFiles(dir, { ".gitlab-ci.yml": "# ours\n" });
    const refused = await init({ gitlab: true });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`Pipeline exists (1 problem):\n  - .gitlab-ci.yml: already exists (${join(dir, ".gitlab-ci.yml")}); pass --force to overwrite it`);
    expect(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")).toBe("# ours\n");
    expect((await init({ gitlab: true, force: true })).code).toBe(0);
    expect(readFileSync(join(dir, ".gitlab-ci.yml"), "utf8")).toMatch(/^# Written by `polycloud ci init --gitlab` for the stacks dev \(development\), staging \(staging\), prod \(production\)\./);
  });

  it.each([
    [{}, "--github|--gitlab: no platform named; pass --github (GitHub Actions) or --gitlab (GitLab CI/CD)"],
    [{ github: true, gitlab: true }, "--github, --gitlab: both platforms named; one pipeline is written per run"],
    [{ github: true, stacks: "infra" }, `--stacks: "infra" (${"DIR"}/infra) has no spec files (*.yaml); run in the repository's root, or name the folder of the specs with --stacks <dir>`],
  ] as [CiInitFlags, string][])("exits 2 naming the flag and the fix for %j", async (flags, message) => {
    const result = await init(flags);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message.replace("DIR", dir));
  });
});
