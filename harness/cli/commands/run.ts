/**
 * `edgesim run FILE...`: runs scenario files and prints a pass/fail table; exit
 * code 0 only if every expectation of every scenario held (1 otherwise).
 * `edgesim run --steps` lists the sentences scenarios can use; `--pcap FILE` writes every
 * forwarded leg of every scenario to one pcap file (LINKTYPE_IPV4, `tshark -r FILE`).
 */
import type { Command } from "commander";
import { runScenario } from "../../scenarios/runner.ts";
import { ACTIONS, EXPECTATION_KINDS } from "../../scenarios/steps/registry.ts";
import type { ScenarioOutcome } from "../../scenarios/types.ts";
import { formatTable } from "../table.ts";
import { EventBus } from "../../events/bus.ts";
import { PcapWriter } from "../../trace/pcap.ts";
import { PCAP_HELP, startTraceFile, TRACE_HELP } from "../output-files.ts";
import { enterNamespaceFor, parseBalancer } from "../../netns/up-namespace.ts";

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
    .option("--trace <file>", TRACE_HELP)
    .option("--pcap <file>", PCAP_HELP)
    .option("--steps", "list the sentences a scenario can use")
    .option("--balancer <kind>", "userland, or kernel: nftables NAT, every scenario in one new network namespace (default: each topology's edgePool.balancer)")
    .action(async (files: string[], opts: { json?: boolean; stateDir: string; trace?: string; pcap?: string; steps?: boolean; balancer?: string }) => {
      if (opts.steps || files.length === 0) {
        process.stdout.write("Actions:\n" + ACTIONS.map((a) => `  - ${a.example}`).join("\n") + "\nExpectations (about the action before):\n" + EXPECTATION_KINDS.map((e) => `  - ${e.example}`).join("\n") + "\n");
        if (files.length === 0 && !opts.steps) process.exitCode = 2;
        return;
      }
      // Kernel balancer: re-run this command inside a new network namespace (docs/load-balancer.md).
      const asked = parseBalancer(opts.balancer);
      const ns = asked ? await enterNamespaceFor(asked, { stateDir: opts.stateDir }) : undefined;
      if (ns?.ran) return void (process.exitCode = ns.exitCode);
      const balancer = ns && !ns.ran ? ns.balancer : undefined;
      let allOk = true;
      startTraceFile(opts.trace);
      // One bus for every scenario, so one pcap file holds them all, in order.
      const bus = opts.pcap ? new EventBus() : undefined;
      const pcap = bus && opts.pcap ? PcapWriter.attach(bus, opts.pcap) : undefined;
      try {
        for (const file of files) {
          const outcome = await runScenario(file, { stateDir: opts.stateDir, ...(opts.trace ? { tracePath: opts.trace } : {}), ...(bus ? { bus } : {}), ...(balancer ? { balancer } : {}) });
          allOk &&= outcome.ok;
          process.stdout.write(opts.json ? JSON.stringify(outcome) + "\n" : formatOutcome(outcome) + "\n\n");
        }
      } finally {
        pcap?.close();
      }
      if (pcap && !opts.json) process.stdout.write(`pcap: ${pcap.packets} packets in ${opts.pcap} (tshark -r ${opts.pcap})\n`);
      if (!opts.json) process.stdout.write(`${allOk ? "all scenarios passed" : "some expectations failed"}\n`);
      process.exitCode = allOk ? 0 : 1;
    });
}
