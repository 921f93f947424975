/**
 * The TypeScript snippets of the READMEs, checked like the repository's own code: each ```ts block is
 * written out as a module, typechecked with the repository's compiler settings (tsgo) and linted with
 * its ESLint config. Packages resolve as in the repository (`@polycloud/*` to their sources); a
 * relative import resolves to a stand-in the caller provides.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..", "..", "..");

/** One ```ts block of a markdown file. */
export interface Snippet {
  readonly file: string;
  /** 1-based line of the block's first line of code. */
  readonly line: number;
  readonly code: string;
}

/** The ```ts (or ```typescript) blocks of a markdown file, relative to the repository root. */
export function tsSnippets(file: string): Snippet[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const snippets: Snippet[] = [];
  let start: number | undefined;
  lines.forEach((text, i) => {
    if (start === undefined && /^```(ts|typescript)\s*$/.test(text)) start = i + 1;
    else if (start !== undefined && /^```\s*$/.test(text)) {
      snippets.push({ file, line: start + 1, code: `${lines.slice(start, i).join("\n")}\n` });
      start = undefined;
    }
  });
  return snippets;
}

/** What checking snippets found: compiler and linter messages naming the README and line. */
export interface SnippetReport {
  readonly typeErrors: string[];
  readonly lintErrors: string[];
}

/**
 * Typechecks and lints `snippets`. `standIns` maps a relative import (`./website`) to the source of a
 * module standing in for it.
 */
export function checkSnippets(snippets: readonly Snippet[], standIns: Readonly<Record<string, string>> = {}): SnippetReport {
  // Outside the repository, so that nothing else there (tsc, eslint .) ever sees the files.
  const dir = mkdtempSync(join(tmpdir(), "polycloud-readme-snippets-"));
  try {
    const names = snippets.map((s, i) => `${s.file.replace(/[^A-Za-z0-9]+/g, "-")}-${i}.ts`);
    const origin = new Map(names.map((name, i) => [name, snippets[i]!]));
    snippets.forEach((s, i) => writeFileSync(join(dir, names[i]!), s.code));
    for (const [specifier, source] of Object.entries(standIns)) {
      const file = join(dir, `${specifier.replace(/^\.\//, "")}.ts`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, source);
    }
    const specifiers = new Set(
      [...snippets.map((s) => s.code), ...Object.values(standIns)].flatMap((code) => [...code.matchAll(/(?:from|import)\s+"([^".][^"]*)"/g)].map((m) => m[1]!)),
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.base.json"),
        compilerOptions: { noEmit: true, typeRoots: [join(ROOT, "node_modules", "@types")], paths: pathsFor(specifiers) },
        files: names,
      }),
    );
    const where = (text: string) =>
      text.replace(/\S*?([\w.-]+\.ts)\((\d+),(\d+)\)/g, (all, name: string, line: string) => {
        const s = origin.get(name);
        return s === undefined ? all : `${s.file}:${s.line + Number(line) - 1}`;
      });
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "tsgo", "bin", "tsc"), "-p", join(dir, "tsconfig.json")], { cwd: ROOT, encoding: "utf8" });
    const typeErrors = `${tsc.stdout}${tsc.stderr}`.split("\n").filter((l) => /error TS/.test(l)).map(where);
    // A compiler that fails without a type error failed to run: that is an error too, never a pass.
    if (tsc.status !== 0 && typeErrors.length === 0) typeErrors.push(`tsc exited with ${String(tsc.status)}: ${tsc.stderr || tsc.stdout}`);
    const eslint = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules", "eslint", "bin", "eslint.js"), "--config", join(ROOT, "eslint.config.mjs"), "--max-warnings", "0", "--format", "json", ...names],
      { cwd: dir, encoding: "utf8" },
    );
    if (eslint.status !== 0 && eslint.status !== 1) return { typeErrors, lintErrors: [`eslint exited with ${String(eslint.status)}: ${eslint.stderr}`] };
    const results = JSON.parse(eslint.stdout) as { filePath: string; messages: { line: number; ruleId: string | null; message: string }[] }[];
    const lintErrors = results.flatMap((r) => {
      const s = origin.get(r.filePath.split(/[\\/]/).pop()!);
      return r.messages.map((m) => `${s?.file ?? r.filePath}:${(s?.line ?? 1) + m.line - 1}: ${m.message} (${m.ruleId ?? "parse"})`);
    });
    return { typeErrors, lintErrors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `paths` that resolve each bare specifier as the repository does: a `@polycloud/*` package (or
 * entry point) to its source, anything else to the first workspace package that has it installed.
 */
function pathsFor(specifiers: Iterable<string>): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  const installedIn = [ROOT, ...["packages", "examples"].flatMap((d) => readdirSync(join(ROOT, d)).map((p) => join(ROOT, d, p))), join(ROOT, "stacks")];
  for (const specifier of specifiers) {
    const polycloud = /^@polycloud\/([^/]+)(?:\/(.+))?$/.exec(specifier);
    if (polycloud !== null) {
      const manifest = JSON.parse(readFileSync(join(ROOT, "packages", polycloud[1]!, "package.json"), "utf8")) as { exports: Record<string, { source: string }> };
      const entry = manifest.exports[polycloud[2] === undefined ? "." : `./${polycloud[2]}`];
      if (entry !== undefined) paths[specifier] = [join(ROOT, "packages", polycloud[1]!, entry.source)];
      continue;
    }
    const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
    const home = installedIn.find((dir) => existsSync(join(dir, "node_modules", name)));
    if (home !== undefined) paths[specifier] = [join(home, "node_modules", specifier)];
  }
  return paths;
}
