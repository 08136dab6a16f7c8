/**
 * `edgesim explain --from A --to B`: the decision path, step by step with rule IDs,
 * without sending anything. Exit 0 when the request would be delivered, 1 when
 * refused (so scripts can ask), 2 for bad usage.
 */
import type { Command } from "commander";
import { formatVerdict, verdictForJson } from "../../../edge/policy/index.ts";
import { loadTopology } from "../../topology/registry.ts";
import { explainOffline } from "../../explain/offline.ts";

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("explain, offline, whether a federated request would be delivered and by which rules")
    .requiredOption("--from <uri>", "sender, e.g. alice@contoso.test")
    .requiredOption("--to <uri>", "recipient, e.g. bob@fabrikam.test")
    .option("--method <method>", "SIP method", "MESSAGE")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("--json", "print JSON")
    .action((opts: { from: string; to: string; method: string; topology: string; json?: boolean }) => {
      const t = loadTopology(opts.topology);
      const e = explainOffline(t, opts.from, opts.to, opts.method.toUpperCase());
      if (opts.json) {
        process.stdout.write(JSON.stringify({ direction: e.direction, from: opts.from, to: opts.to, partner: e.partner ?? null, verdict: verdictForJson(e.verdict), dns: e.dnsSteps }, null, 2) + "\n");
      } else {
        process.stdout.write(`${e.direction} ${opts.method.toUpperCase()} ${opts.from} -> ${opts.to}${e.partner ? ` (partner ${e.partner.domain}, ${e.partner.product})` : ""}\n\n`);
        process.stdout.write(formatVerdict(e.verdict) + "\n");
        if (e.dnsSteps.length) process.stdout.write("\nDNS and connection:\n" + e.dnsSteps.map((s) => `  ${s}`).join("\n") + "\n");
      }
      process.exitCode = e.verdict.allowed ? 0 : 1;
    });
}
