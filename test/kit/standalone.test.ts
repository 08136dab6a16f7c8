/**
 * The repository stands alone: a clone anywhere, with nothing beside it, has every
 * file its tests, docs and code refer to. No file may name a folder of the machine it
 * was written on or the material outside the repository it was built from (the rules
 * are docs/rules.md, the test vectors test/fixtures/).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../harness/paths/project-root.ts";

const SKIP = new Set(["node_modules", ".git", ".edgesim", "coverage", "tmp"]);
const TEXT = /\.(ts|mjs|js|json|md|yaml|yml|txt|lua|cfg|conf)$/;

function projectTextFiles(dir = projectRoot()): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return projectTextFiles(path);
    return TEXT.test(name) ? [path] : [];
  });
}

// Built from parts so that this file does not match itself.
const OUTSIDE = [new RegExp(["", "work", ""].join("/")), new RegExp(["\\.\\.", "shared\\b"].join("/")), new RegExp(["shared", "spec", ""].join("/")), new RegExp(["shared", "testdata"].join("/"))];

describe("the repository stands alone", () => {
  it("no file names a machine folder or material outside the repository", () => {
    const found = projectTextFiles().flatMap((file) => {
      const lines = readFileSync(file, "utf8").split("\n");
      return lines.flatMap((line, i) => (OUTSIDE.some((re) => re.test(line)) ? [`${relative(projectRoot(), file)}:${i + 1}: ${line.trim()}`] : []));
    });
    expect(found).toEqual([]);
  });
});
