/**
 * `edgesim run FILE...`: runs scenario files and prints a pass/fail table; exit
 * code 0 only if every expectation of every scenario held (1 otherwise).
 * `edgesim run --steps` lists the sentences scenarios can use.
 */
import type { Command } from "commander";
import { runScenario } from "../../scenarios/runner.ts";
import { ACTIONS, EXPECTATION_KINDS } from "../../scenarios/steps/registry.ts";
import type { ScenarioOutcome } from "../../scenarios/types.ts";
import { formatTable } from "../table.ts";

export function formatOutcome(o: ScenarioOutcome): string {
  const rows = o.steps.map((s) => [s.ok ? "pass" : "FAIL", `${s.line}`, s.step, s.detail.split("\n")[0] ?? ""]);
  const failures = o.steps.filter((s) => !s.ok && s.detail.includes("\n")).map((s) => `  line ${s.line}: ${s.detail}`);
  return `${o.ok ? "PASS" : "FAIL"}  ${o.name}  (${o.file}, ${o.elapsedMs} ms)\n${formatTable(["", "line", "step", "result"], rows)}${failures.length ? "\n" + failures.join("\n") : ""}`;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run scenario files; exit 0 only if every expectation held")
    .argument("[files...]", "scenario YAML files")
    .option("--json", "print one JSON object per scenario")
    .option("--state-dir <dir>", "where the certificate cache lives", ".edgesim")
    .option("--trace <file>", "write every event as JSON Lines to this file")
    .option("--steps", "list the sentences a scenario can use")
    .action(async (files: string[], opts: { json?: boolean; stateDir: string; trace?: string; steps?: boolean }) => {
      if (opts.steps || files.length === 0) {
        process.stdout.write("Actions:\n" + ACTIONS.map((a) => `  - ${a.example}`).join("\n") + "\nExpectations (about the action before):\n" + EXPECTATION_KINDS.map((e) => `  - ${e.example}`).join("\n") + "\n");
        if (files.length === 0 && !opts.steps) process.exitCode = 2;
        return;
      }
      let allOk = true;
      for (const file of files) {
        const outcome = await runScenario(file, { stateDir: opts.stateDir, ...(opts.trace ? { tracePath: opts.trace } : {}) });
        allOk &&= outcome.ok;
        process.stdout.write(opts.json ? JSON.stringify(outcome) + "\n" : formatOutcome(outcome) + "\n\n");
      }
      if (!opts.json) process.stdout.write(`${allOk ? "all scenarios passed" : "some expectations failed"}\n`);
      process.exitCode = allOk ? 0 : 1;
    });
}
