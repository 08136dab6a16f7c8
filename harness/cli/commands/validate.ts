/** `edgesim validate FILE`: checks a topology file; every problem with file:line, field and rule. */
import type { Command } from "commander";
import { loadTopologyFile } from "../../topology/load.ts";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a topology file: every problem is printed with file:line:column, the field and the rule")
    .argument("<file>", "topology YAML file")
    .action((file: string) => {
      const t = loadTopologyFile(file);
      process.stdout.write(`${file}: valid topology '${t.name}' (${t.organisation.edgePool.servers.length} edge servers, ${t.partners.length} partners)\n`);
    });
}
