/**
 * Lists every skipped test by name at the end of a run (the default reporter
 * only counts them), so a missing peer and its install command are visible.
 */
import type { Reporter, TestCase } from "vitest/node";

export default class SkippedReporter implements Reporter {
  private readonly skipped: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.result().state === "skipped") this.skipped.push(`${testCase.module.moduleId.replace(process.cwd() + "/", "")} > ${testCase.fullName}`);
  }

  onTestRunEnd(): void {
    if (this.skipped.length === 0) return;
    process.stdout.write(`\nSkipped tests (${this.skipped.length}):\n${this.skipped.map((s) => `  - ${s}`).join("\n")}\n`);
  }
}
