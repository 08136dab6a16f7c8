/**
 * Ends a run with what a person (and CI) needs beyond the default reporter: every
 * skipped test by name (a missing peer and its install command show there), every
 * test file that failed outside its tests (it did not load, or a beforeAll/afterAll
 * hook threw), and one plain line `tests: N passed, N failed, N skipped`.
 *
 * A file that fails to load has no test cases, so counting test cases alone would
 * report "0 failed" for a run that lost a whole file: each such file counts as one
 * failed test, and so does each error vitest caught outside any test file.
 */
import type { Reporter, SerializedError, TestCase, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  private readonly skipped: string[] = [];
  private passed = 0;
  private failed = 0;

  onTestCaseResult(testCase: TestCase): void {
    const state = testCase.result().state;
    if (state === "passed") this.passed++;
    else if (state === "failed") this.failed++;
    else if (state === "skipped") this.skipped.push(`${relative(testCase.module.moduleId)} > ${testCase.fullName}`);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const broken = testModules.filter(failedOutsideTests).map((m) => `${relative(m.moduleId)}: ${firstLine(m.errors()[0])}`);
    const stray = unhandledErrors.map((e) => `(outside any file): ${firstLine(e)}`);
    const fileFailures = [...broken, ...stray];
    if (this.skipped.length > 0) process.stdout.write(`\nSkipped tests (${this.skipped.length}):\n${list(this.skipped)}\n`);
    if (fileFailures.length > 0) process.stdout.write(`\nFailed outside a test, each counted as one failed test (${fileFailures.length}):\n${list(fileFailures)}\n`);
    process.stdout.write(`\ntests: ${this.passed} passed, ${this.failed + fileFailures.length} failed, ${this.skipped.length} skipped\n`);
  }
}

/** The file failed (did not load, or a hook threw) although none of its test cases did. */
function failedOutsideTests(module: TestModule): boolean {
  if (module.errors().length === 0) return false;
  for (const test of module.children.allTests()) if (test.result().state === "failed") return false;
  return true;
}

const relative = (file: string): string => file.replace(process.cwd() + "/", "");
const firstLine = (e: SerializedError | undefined): string => (e?.message ?? "unknown error").split("\n")[0]!;
const list = (lines: string[]): string => lines.map((s) => `  - ${s}`).join("\n");
