/**
 * `edgesim validate FILE`: checks a topology file; every problem with file:line, field and
 * rule (exit 2), and every warning (what the product did not support; still valid, exit 0).
 */
import type { Command } from "commander";
import { formatProblem } from "../../topology/config-error.ts";
import { loadTopologyFileWithWarnings } from "../../topology/load.ts";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a topology file: every problem (and warning) is printed with file:line:column, the field and the rule")
    .argument("<file>", "topology YAML file")
    .action((file: string) => {
      const { topology: t, warnings } = loadTopologyFileWithWarnings(file);
      for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
      const warned = warnings.length ? `, ${warnings.length} warning${warnings.length > 1 ? "s" : ""}` : "";
      process.stdout.write(`${file}: valid topology '${t.name}' (${t.organisation.edgePool.servers.length} edge servers, ${t.partners.length} partners${warned})\n`);
    });
}
