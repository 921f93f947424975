/**
 * `polycloud ci init --github|--gitlab`: a delivery pipeline for the stacks of the repository (the specs
 * in `stacks/`). On a pull (merge) request every stack is validated, planned with the mandatory policies
 * and previewed, and the plan and preview are posted as a comment. On the default branch development and
 * staging stacks are deployed in that order; each production stack is previewed, the preview saved as
 * an artifact, and applied only after the platform's protected-environment approval, with
 * `--expect-changes` on that artifact so exactly the approved preview runs. A schedule runs `drift` on
 * every stack (exit 3 fails the job).
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import YAML from "yaml";
import { loadSpec, PolycloudError, type ResolvedSpec } from "@polycloud/core";
import { ExitCode } from "./errors";
import { writeAtomically } from "./files";
import type { Io } from "./io";

export interface CiInitFlags {
  readonly github?: boolean;
  readonly gitlab?: boolean;
  /** Overwrite an existing pipeline file. */
  readonly force?: boolean;
  /** Where the specs are, relative to the working directory. @default "stacks" */
  readonly stacks?: string;
}

/** A stack of the repository: its spec file (relative to the repository) and what it is. */
export interface PipelineStack {
  readonly name: string;
  readonly spec: string;
  readonly environment: ResolvedSpec["environment"];
}

export const PIPELINE_FILES = { github: ".github/workflows/polycloud.yml", gitlab: ".gitlab-ci.yml" } as const;
export type Platform = keyof typeof PIPELINE_FILES;

/** What the commands in the pipeline start with, by the repository's package manager. */
interface Runner {
  readonly install: string;
  readonly polycloud: string;
}

/** A runner's `./.polycloud` is thrown away with the job: every job needs the team's state backend. */
const REQUIRE_BACKEND = 'test -n "$PULUMI_BACKEND_URL" || { echo "PULUMI_BACKEND_URL is not set: state in the runner\'s ./.polycloud would be thrown away after the job; set it to the team\'s state backend (s3://, azblob://, gs://, https://api.pulumi.com)"; exit 1; }';

function runnerOf(dir: string): Runner {
  if (existsSync(join(dir, "pnpm-lock.yaml"))) return { install: "corepack enable && pnpm install --frozen-lockfile", polycloud: "pnpm polycloud" };
  if (existsSync(join(dir, "yarn.lock"))) return { install: "corepack enable && yarn install --immutable", polycloud: "yarn polycloud" };
  return { install: "npm ci", polycloud: "npx polycloud" };
}

/** The specs under `dir` (YAML files that are not Pulumi's own), loaded to know their environment. */
export function repositoryStacks(cwd: string, dir: string): PipelineStack[] {
  const abs = resolve(cwd, dir);
  const files = existsSync(abs) ? readdirSync(abs).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith("Pulumi.")).sort() : [];
  if (files.length === 0) {
    throw new PolycloudError([{ path: "--stacks", message: `${JSON.stringify(dir)} (${abs}) has no spec files (*.yaml)`, fix: "run in the repository's root, or name the folder of the specs with --stacks <dir>" }], "No stacks found");
  }
  return files.map((file) => {
    const spec = loadSpec(join(abs, file));
    return { name: file.replace(/\.ya?ml$/, ""), spec: relative(cwd, join(abs, file)).split("\\").join("/"), environment: spec.environment };
  });
}

const ORDER: Readonly<Record<PipelineStack["environment"], number>> = { development: 0, staging: 1, production: 2 };
const byEnvironment = (stacks: readonly PipelineStack[]) => [...stacks].sort((a, b) => ORDER[a.environment] - ORDER[b.environment] || a.name.localeCompare(b.name));
const changesFile = (stack: PipelineStack) => `changes/${stack.name}.json`;

/** The review commands of one stack: validate, the policy-gated plan and the preview, into review/<name>.md. */
function reviewScript(runner: Runner, name: string, spec: string): string[] {
  const md = `review/${name}.md`;
  return [
    // A failed plan or preview fails the job even though its output is also teed into the comment.
    "set -o pipefail",
    "mkdir -p review",
    `${runner.polycloud} validate ${spec}`,
    `{ echo "### polycloud: ${name}"; echo; echo '<details><summary>plan</summary>'; echo; echo '\`\`\`'; } > ${md}`,
    `${runner.polycloud} plan ${spec} --policy mandatory | tee -a ${md}`,
    `{ echo '\`\`\`'; echo '</details>'; echo; echo '<details><summary>preview</summary>'; echo; echo '\`\`\`'; } >> ${md}`,
    `${runner.polycloud} preview ${spec} 2>&1 | tee -a ${md}`,
    `{ echo '\`\`\`'; echo '</details>'; } >> ${md}`,
  ];
}

/** The GitHub Actions workflow. */
export function githubWorkflow(stacks: readonly PipelineStack[], runner: Runner): object {
  const ordered = byEnvironment(stacks);
  const setup = [
    { name: "Require the state backend", run: REQUIRE_BACKEND },
    { uses: "actions/checkout@v4" },
    { uses: "actions/setup-node@v4", with: { "node-version": 22 } },
    { name: "Install the Pulumi CLI", uses: "pulumi/actions@v6" },
    { run: runner.install },
  ];
  const jobKey = (stack: PipelineStack, prefix: string) => `${prefix}-${stack.name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const jobs: Record<string, object> = {
    review: {
      name: "review ${{ matrix.stack }}",
      if: "github.event_name == 'pull_request'",
      "runs-on": "ubuntu-latest",
      permissions: { contents: "read", "pull-requests": "write" },
      strategy: { "fail-fast": false, matrix: { include: ordered.map((s) => ({ stack: s.name, spec: s.spec })) } },
      steps: [
        ...setup,
        { name: "Validate, plan with the mandatory policies, preview", shell: "bash", run: reviewScript(runner, "${{ matrix.stack }}", "${{ matrix.spec }}").join("\n") },
        {
          name: "Comment the plan and preview on the pull request",
          if: "always()",
          uses: "actions/github-script@v7",
          with: {
            script: [
              "const fs = require('fs');",
              "const file = `review/${process.env.STACK}.md`;",
              // One comment per stack, updated on each push (found by its marker), rather than one more each time.
              "const marker = `<!-- polycloud review ${process.env.STACK} -->`;",
              "const body = marker + '\\n' + (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(0, 60000) : `polycloud: the review of ${process.env.STACK} failed before the plan; see the job log.`);",
              "const { owner, repo } = context.repo;",
              "const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number: context.issue.number });",
              "const previous = comments.find((c) => c.body?.startsWith(marker));",
              "if (previous) await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });",
              "else await github.rest.issues.createComment({ owner, repo, issue_number: context.issue.number, body });",
            ].join("\n"),
          },
          env: { STACK: "${{ matrix.stack }}" },
        },
      ],
    },
  };
  jobs["drift"] = {
    name: "drift ${{ matrix.stack }}",
    if: "github.event_name == 'schedule'",
    "runs-on": "ubuntu-latest",
    strategy: { "fail-fast": false, matrix: { include: ordered.map((s) => ({ stack: s.name, spec: s.spec })) } },
    // Exit 3 (drift) fails the job, and GitHub notifies about failed scheduled runs.
    steps: [...setup, { run: `${runner.polycloud} drift \${{ matrix.spec }}` }],
  };
  let previous: string | undefined;
  for (const stack of ordered) {
    const needs = previous === undefined ? {} : { needs: previous };
    if (stack.environment !== "production") {
      const key = jobKey(stack, "deploy");
      jobs[key] = {
        name: `up ${stack.name} (${stack.environment})`,
        if: "github.event_name == 'push'",
        ...needs,
        "runs-on": "ubuntu-latest",
        environment: stack.environment,
        concurrency: { group: `polycloud-${stack.name}`, "cancel-in-progress": false },
        steps: [...setup, { run: `${runner.polycloud} up ${stack.spec}` }],
      };
      previous = key;
      continue;
    }
    const preview = jobKey(stack, "preview");
    const apply = jobKey(stack, "deploy");
    jobs[preview] = {
      name: `preview ${stack.name} (production)`,
      if: "github.event_name == 'push'",
      ...needs,
      "runs-on": "ubuntu-latest",
      steps: [
        ...setup,
        { shell: "bash", run: `mkdir -p changes\n${runner.polycloud} preview ${stack.spec} --save-changes ${changesFile(stack)} 2>&1 | tee preview.txt\n{ echo '### ${stack.name}: the preview to approve'; echo '\`\`\`'; cat preview.txt; echo '\`\`\`'; } >> "$GITHUB_STEP_SUMMARY"` },
        { uses: "actions/upload-artifact@v4", with: { name: `changes-${stack.name}`, path: changesFile(stack), "if-no-files-found": "error" } },
      ],
    };
    jobs[apply] = {
      name: `up ${stack.name} (production, approved)`,
      if: "github.event_name == 'push'",
      needs: preview,
      "runs-on": "ubuntu-latest",
      // Required reviewers on the `production` environment approve here, having read the preview's summary.
      environment: "production",
      concurrency: { group: `polycloud-${stack.name}`, "cancel-in-progress": false },
      steps: [...setup, { uses: "actions/download-artifact@v4", with: { name: `changes-${stack.name}`, path: "changes" } }, { run: `${runner.polycloud} up ${stack.spec} --yes --expect-changes ${changesFile(stack)}` }],
    };
    previous = apply;
  }
  return {
    name: "polycloud",
    on: { pull_request: { branches: ["main"] }, push: { branches: ["main"] }, schedule: [{ cron: "17 6 * * *" }] },
    permissions: { contents: "read" },
    env: {
      PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
      PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
    },
    jobs,
  };
}

/** The GitLab CI/CD configuration. */
export function gitlabPipeline(stacks: readonly PipelineStack[], runner: Runner): object {
  const ordered = byEnvironment(stacks);
  const onMergeRequest = [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }];
  const onDefaultBranch = [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"' }];
  // A pipeline schedule (Build > Pipeline schedules) runs the drift checks.
  const onSchedule = [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }];
  const pipeline: Record<string, unknown> = {
    workflow: { rules: [...onMergeRequest, ...onDefaultBranch, ...onSchedule] },
    stages: ["review", "deploy", "drift"],
    default: { image: "pulumi/pulumi-nodejs:latest", before_script: [REQUIRE_BACKEND, runner.install], interruptible: false },
    variables: { PULUMI_SKIP_UPDATE_CHECK: "true" },
  };
  for (const stack of ordered) {
    pipeline[`review:${stack.name}`] = {
      stage: "review",
      // A newer push supersedes a review; deployments are never interrupted.
      interruptible: true,
      rules: onMergeRequest,
      script: reviewScript(runner, stack.name, stack.spec),
      after_script: [
        // Needs a project access token with the api scope in the CI/CD variable POLYCLOUD_GITLAB_TOKEN.
        `test -f review/${stack.name}.md && curl --fail --silent --request POST --header "PRIVATE-TOKEN: $POLYCLOUD_GITLAB_TOKEN" --data-urlencode "body@review/${stack.name}.md" "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes" > /dev/null || echo "no merge request comment (set POLYCLOUD_GITLAB_TOKEN)"`,
      ],
      artifacts: { paths: [`review/${stack.name}.md`], when: "always", expire_in: "1 week" },
    };
    pipeline[`drift:${stack.name}`] = { stage: "drift", rules: onSchedule, script: [`${runner.polycloud} drift ${stack.spec}`] };
  }
  let previous: string | undefined;
  for (const stack of ordered) {
    const needs = previous === undefined ? [] : [previous];
    if (stack.environment !== "production") {
      const key = `up:${stack.name}`;
      pipeline[key] = {
        stage: "deploy",
        rules: onDefaultBranch,
        needs,
        resource_group: stack.name,
        environment: { name: stack.name, deployment_tier: stack.environment === "staging" ? "staging" : "development" },
        script: [`${runner.polycloud} up ${stack.spec}`],
      };
      previous = key;
      continue;
    }
    const preview = `preview:${stack.name}`;
    const apply = `up:${stack.name}`;
    pipeline[preview] = {
      stage: "deploy",
      rules: onDefaultBranch,
      needs,
      script: ["mkdir -p changes", `${runner.polycloud} preview ${stack.spec} --save-changes ${changesFile(stack)}`],
      artifacts: { paths: [changesFile(stack)], expire_in: "30 days" },
    };
    pipeline[apply] = {
      stage: "deploy",
      // A manual job on a protected environment: only its approvers (Settings > CI/CD > Protected environments) can run it.
      rules: onDefaultBranch.map((rule) => ({ ...rule, when: "manual" })),
      allow_failure: false,
      needs: [{ job: preview, artifacts: true }],
      resource_group: stack.name,
      environment: { name: stack.name, deployment_tier: "production" },
      script: [`${runner.polycloud} up ${stack.spec} --yes --expect-changes ${changesFile(stack)}`],
    };
    previous = apply;
  }
  return pipeline;
}

const HEADER = (platform: Platform, stacks: readonly PipelineStack[]) =>
  [
    `# Written by \`polycloud ci init --${platform}\` for the stacks ${byEnvironment(stacks).map((s) => `${s.name} (${s.environment})`).join(", ")}.`,
    "# Pull/merge requests: validate, plan --policy mandatory and preview each stack, the result posted as a comment.",
    "# Default branch: up for development and staging; production previewed, then applied after approval,",
    "# exactly as previewed (--expect-changes). Scheduled: drift of every stack. Set PULUMI_CONFIG_PASSPHRASE (secret), PULUMI_BACKEND_URL, and the",
    "# cloud credentials of your backend (prefer OIDC) for these jobs.",
    "",
  ].join("\n");

export async function ciInitCommand(flags: CiInitFlags, io: Io): Promise<number> {
  const chosen = (["github", "gitlab"] as const).filter((p) => flags[p] === true);
  if (chosen.length !== 1) {
    throw new PolycloudError(
      [{ path: chosen.length === 0 ? "--github|--gitlab" : "--github, --gitlab", message: chosen.length === 0 ? "no platform named" : "both platforms named; one pipeline is written per run", fix: "pass --github (GitHub Actions) or --gitlab (GitLab CI/CD)" }],
      "Invalid flags",
    );
  }
  const platform = chosen[0]!;
  const file = resolve(io.cwd, PIPELINE_FILES[platform]);
  if (existsSync(file) && flags.force !== true) {
    throw new PolycloudError([{ path: PIPELINE_FILES[platform], message: `already exists (${file})`, fix: "pass --force to overwrite it, or move it away first" }], "Pipeline exists");
  }
  const stacks = repositoryStacks(io.cwd, flags.stacks ?? "stacks");
  const runner = runnerOf(io.cwd);
  const document = platform === "github" ? githubWorkflow(stacks, runner) : gitlabPipeline(stacks, runner);
  writeAtomically(file, HEADER(platform, stacks) + YAML.stringify(document, { lineWidth: 0, aliasDuplicateObjects: false }));
  const production = stacks.filter((s) => s.environment === "production").map((s) => s.name);
  io.stdout.write(
    [
      `wrote ${PIPELINE_FILES[platform]} for ${stacks.length} stack${stacks.length === 1 ? "" : "s"} (${stacks.map((s) => s.name).join(", ")})`,
      ...(production.length === 0
        ? []
        : [
            platform === "github"
              ? `Protect production: Settings > Environments > production > Required reviewers (the up of ${production.join(", ")} waits for them).`
              : `Protect production: Settings > CI/CD > Protected environments > ${production.join(", ")} with approvers (their up jobs are manual).`,
          ]),
      `Set the secrets it reads: PULUMI_CONFIG_PASSPHRASE, PULUMI_BACKEND_URL${platform === "gitlab" ? ", POLYCLOUD_GITLAB_TOKEN (merge request comments)" : ""} and your cloud's credentials.`,
      "",
    ].join("\n"),
  );
  return ExitCode.ok;
}
