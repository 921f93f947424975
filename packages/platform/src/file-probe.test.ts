import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { directoryProbe } from "./file-probe";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "polycloud-probe-"));
  for (const path of ["a.txt", "z/b.txt", "z/y/c.txt", "z/y/x/d.txt", "z/y/x/w/e.txt", "node_modules/p/f.txt", ".git/HEAD", "custom/g.txt"]) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `text of ${path}`);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("directoryProbe", () => {
  it("lists files breadth-first down to the depth limit, skipping node_modules and .git, when walking a directory", () => {
    expect(directoryProbe(root).list()).toEqual(["a.txt", "custom/g.txt", "z/b.txt", "z/y/c.txt", "z/y/x/d.txt"]);
    expect(directoryProbe(root, { maxDepth: 1 }).list()).toEqual(["a.txt", "custom/g.txt", "z/b.txt"]);
  });

  it("keeps the shallowest files when the file limit is reached", () => {
    expect(directoryProbe(root, { maxFiles: 2 }).list()).toEqual(["a.txt", "custom/g.txt"]);
  });

  it("skips the directories it is told to ignore", () => {
    expect(directoryProbe(root, { ignore: ["z", "node_modules", ".git"] }).list()).toEqual(["a.txt", "custom/g.txt"]);
  });

  it("reads only the start of a file, and nothing when the file is missing", () => {
    const probe = directoryProbe(root, { maxBytes: 7 });
    expect(probe.read("z/b.txt")).toBe("text of");
    expect(probe.read("missing.txt")).toBeUndefined();
  });

  it("answers whether an absolute path exists", () => {
    const probe = directoryProbe(root);
    expect([probe.exists(join(root, "z", "y")), probe.exists(join(root, "nope"))]).toEqual([true, false]);
  });
});
