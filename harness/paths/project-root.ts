/**
 * The edgesim project folder, found by walking up from this module to the
 * package.json named "edgesim": works from the sources (tsx, vitest) and from the
 * esbuild bundle in .edgesim/build/, so shipped files (topologies, scenarios) are
 * found either way.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "edgesim") return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the edgesim package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}
