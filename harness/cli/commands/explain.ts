/**
 * `edgesim explain --from A --to B`: the decision path, step by step with rule IDs,
 * without sending anything. Exit 0 when the request would be delivered, 1 when
 * refused or unreachable (allowed by policy, but DNS leads nowhere: 504), 2 for
 * bad usage. XMPP partners get the XMPP proxy's and gateway's rules.
 */
import type { Command } from "commander";
import { formatVerdict, verdictForJson } from "../../../edge/policy/index.ts";
import { loadTopology } from "../../topology/registry.ts";
import { explainOffline, ExplainUsageError } from "../../explain/offline.ts";
import { printMatrix } from "./explain-matrix.ts";

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("explain, offline, whether a federated request would be delivered and by which rules")
    .option("--from <uri>", "sender, e.g. alice@contoso.test")
    .option("--to <uri>", "recipient, e.g. bob@fabrikam.test")
    .option("--matrix", "every user (one per external access policy) x partner x direction x modality, with verdict and rule")
    .option("--format <format>", "with --matrix: table, csv, json or md", "table")
    .option("--all-users", "with --matrix: every user, not one per policy")
    .option("--method <method>", "SIP method", "MESSAGE")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("--json", "print JSON")
    .action((opts: { from?: string; to?: string; method: string; topology: string; json?: boolean; matrix?: boolean; format?: string; allUsers?: boolean }) => {
      if (opts.matrix) return printMatrix(opts);
      if (!opts.from || !opts.to) throw new ExplainUsageError("give --from and --to (or --matrix)");
      const t = loadTopology(opts.topology);
      const e = explainOffline(t, opts.from, opts.to, opts.method.toUpperCase());
      if (opts.json) {
        const out = { direction: e.direction, protocol: e.protocol, from: opts.from, to: opts.to, partner: e.partner ?? null, headline: e.headline, deliverable: e.deliverable, reachability: e.reachability ?? null, verdict: verdictForJson(e.verdict), dns: e.dnsSteps };
        process.stdout.write(JSON.stringify(out, null, 2) + "\n");
      } else {
        const what = e.protocol === "xmpp" ? "XMPP IM" : opts.method.toUpperCase();
        process.stdout.write(`${e.direction} ${what} ${opts.from} -> ${opts.to}${e.partner ? ` (partner ${e.partner.domain}, ${e.partner.product})` : ""}\n\n`);
        // Never ALLOWED for a route that ends in 504: the headline says unreachable, and why.
        process.stdout.write(formatVerdict(e.verdict, e.verdict.allowed && !e.deliverable ? e.headline : undefined) + "\n");
        if (e.dnsSteps.length) process.stdout.write("\nDNS and connection:\n" + e.dnsSteps.map((s) => `  ${s}`).join("\n") + "\n");
      }
      process.exitCode = e.deliverable ? 0 : 1;
    });
}
