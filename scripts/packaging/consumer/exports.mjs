// Every subpath that the installed @polycloud packages export resolves from require and from import,
// and an ES module sees the same named exports as CommonJS (Node detects them in the CommonJS build).
/* global console, process, URL */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), "package.json"));
// Loaded by a test runner only: they extend Jest's expect or define suites when imported.
const needsJest = (subpath) => subpath.endsWith("/jest");
const checked = [];

for (const dir of readdirSync(join(process.cwd(), "node_modules", "@polycloud"))) {
  const name = `@polycloud/${dir}`;
  const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8"));
  for (const subpath of Object.keys(manifest.exports)) {
    const specifier = name + subpath.slice(1);
    const required = require.resolve(specifier);
    assert.equal(new URL(import.meta.resolve(specifier)).pathname, required, `${specifier}: import and require resolve to different files`);
    if (needsJest(subpath)) {
      checked.push(`${specifier} (resolved)`);
      continue;
    }
    if (specifier.endsWith(".json")) {
      const { default: json } = await import(specifier, { with: { type: "json" } });
      assert.deepEqual(json, require(specifier), `${specifier}: import and require read different JSON`);
    } else {
      const cjs = require(specifier);
      const esm = await import(specifier);
      const named = new Set(Object.keys(esm));
      const expected = Object.keys(cjs).filter((key) => key !== "__esModule");
      assert.ok(expected.length > 0, `${specifier}: exports nothing`);
      const missing = expected.filter((key) => !named.has(key));
      assert.deepEqual(missing, [], `${specifier}: named exports that an ES module cannot import`);
    }
    checked.push(specifier);
  }
}
assert.ok(checked.length > 0, "no @polycloud package installed");
console.log(`exports: ${checked.join(", ")}`);
