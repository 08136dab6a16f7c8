/**
 * Ends a run with what a person (and CI) needs beyond the default reporter: every
 * skipped test by name (a missing peer and its install command show there), and
 * one plain line `tests: N passed, N failed, N skipped`.
 */
import type { Reporter, TestCase } from "vitest/node";

export default class SummaryReporter implements Reporter {
  private readonly skipped: string[] = [];
  private passed = 0;
  private failed = 0;

  onTestCaseResult(testCase: TestCase): void {
    const state = testCase.result().state;
    if (state === "passed") this.passed++;
    else if (state === "failed") this.failed++;
    else if (state === "skipped") this.skipped.push(`${testCase.module.moduleId.replace(process.cwd() + "/", "")} > ${testCase.fullName}`);
  }

  onTestRunEnd(): void {
    if (this.skipped.length > 0) process.stdout.write(`\nSkipped tests (${this.skipped.length}):\n${this.skipped.map((s) => `  - ${s}`).join("\n")}\n`);
    process.stdout.write(`\ntests: ${this.passed} passed, ${this.failed} failed, ${this.skipped.length} skipped\n`);
  }
}
