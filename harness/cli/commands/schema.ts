/** `edgesim schema`: prints the topology JSON Schema (docs/topology.schema.json is this output). */
import type { Command } from "commander";
import { topologyJsonSchema } from "../../topology/json-schema.ts";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of topology files, for editors")
    .action(() => {
      process.stdout.write(JSON.stringify(topologyJsonSchema(), null, 2) + "\n");
    });
}
