/**
 * `edgesim`: the command line. Each subcommand lives in its own file under
 * commands/; this file only wires them into commander and maps errors to exit
 * codes (0 ok, 1 a check or expectation failed, 2 bad usage or bad config).
 */
import { Command, CommanderError } from "commander";
import { TopologyConfigError } from "../topology/config-error.ts";
import { ExplainUsageError } from "../explain/offline.ts";
import { registerUp } from "./commands/up.ts";
import { registerValidate } from "./commands/validate.ts";
import { registerDns } from "./commands/dns.ts";
import { registerCerts } from "./commands/certs.ts";
import { registerPlan } from "./commands/plan.ts";
import { registerSchema } from "./commands/schema.ts";
import { registerExplain } from "./commands/explain.ts";
import { registerPorts } from "./commands/ports.ts";
import { registerRun } from "./commands/run.ts";
import { registerAddresses } from "./commands/addresses.ts";
import { registerRules, UnknownRuleError } from "./commands/rules.ts";
import { registerImport } from "./commands/import.ts";
import { registerDiff, registerDiffLiveWorker } from "./commands/diff.ts";
import { registerExec } from "./commands/exec.ts";

export function buildProgram(): Command {
  const program = new Command("edgesim")
    .description("A Lync Server 2013 / Skype for Business Edge deployment, simulated on this machine with real sockets")
    .exitOverride()
    .showHelpAfterError();
  registerUp(program);
  registerValidate(program);
  registerDns(program);
  registerCerts(program);
  registerPlan(program);
  registerSchema(program);
  registerExplain(program);
  registerPorts(program);
  registerRun(program);
  registerAddresses(program);
  registerRules(program);
  registerImport(program);
  registerDiff(program);
  registerDiffLiveWorker(program);
  registerExec(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ExplainUsageError || err instanceof UnknownRuleError) {
      process.stderr.write(`edgesim: ${err.message}\n`);
      return 2;
    }
    if (err instanceof TopologyConfigError) {
      process.stderr.write(err.message + "\n");
      return 2;
    }
    process.stderr.write(`edgesim: ${(err as Error).message}\n`);
    return 2;
  }
}
