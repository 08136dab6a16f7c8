/**
 * The summary line counts what a person reading it needs to see: a test file that
 * does not load (a syntax error, a missing import, a missing fixture) is a failure,
 * not a silent "0 failed". Runs vitest itself, with this project's reporter, on a
 * small folder of throwaway test files in a temporary directory.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { projectPath } from "../../harness/paths/project-root.ts";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs vitest on `files` (name -> source) in a fresh folder; resolves with stdout and the exit code. */
async function vitestOn(files: Record<string, string>): Promise<{ stdout: string; code: number }> {
  const dir = mkdtempSync(join(tmpdir(), "edgesim-reporter-"));
  dirs.push(dir);
  // globals: the throwaway files live outside the project, where `import "vitest"` would not resolve.
  const config = { test: { include: ["*.test.mjs"], globals: true, reporters: [projectPath("test/kit/summary-reporter.ts")] } };
  writeFileSync(join(dir, "vitest.config.mjs"), `export default ${JSON.stringify(config)};\n`);
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "NODE_OPTIONS"));
  try {
    const { stdout } = await run(process.execPath, [projectPath("node_modules/vitest/vitest.mjs"), "run", "--root", dir], { cwd: dir, env });
    return { stdout, code: 0 };
  } catch (e) {
    const failed = e as { stdout: string; code: number };
    return { stdout: failed.stdout, code: failed.code };
  }
}

const summary = (stdout: string): string | undefined => /^tests: .*$/m.exec(stdout)?.[0];

describe("summary reporter", () => {
  it("counts a test file that fails to load as failed, and names it", async () => {
    const { stdout, code } = await vitestOn({
      "fine.test.mjs": 'it("passes", () => expect(1).toBe(1));\n',
      "broken.test.mjs": 'import "./no-such-module.mjs";\nit("never runs", () => {});\n',
    });
    expect(summary(stdout)).toBe("tests: 1 passed, 1 failed, 0 skipped");
    expect(stdout).toMatch(/- broken\.test\.mjs: .*no-such-module/);
    expect(code).not.toBe(0);
  });

  it("counts a file whose beforeAll throws as failed even though its tests did not run", async () => {
    const { stdout } = await vitestOn({ "hook.test.mjs": 'beforeAll(() => { throw new Error("no world"); });\nit("needs the world", () => {});\n' });
    expect(summary(stdout)).toMatch(/^tests: 0 passed, [1-9]\d* failed/);
  });

  it("still says 0 failed when every file loads and passes", async () => {
    const { stdout, code } = await vitestOn({ "a.test.mjs": 'it("one", () => {});\nit.skip("two", () => {});\n' });
    expect(summary(stdout)).toBe("tests: 1 passed, 0 failed, 1 skipped");
    expect(code).toBe(0);
  });
});
