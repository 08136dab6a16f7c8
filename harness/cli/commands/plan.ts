/** `edgesim plan`: the address plan of a topology, as printed at start-up. */
import type { Command } from "commander";
import { loadTopology } from "../../topology/registry.ts";
import { buildAddressPlan, type AddressPlan } from "../../world/address-plan.ts";
import { formatTable } from "../table.ts";

export function formatPlan(plan: AddressPlan): string {
  return formatTable(
    ["host", "interface", "zone", "address", "fqdn", "vip"],
    plan.entries.map((e) => [e.host, e.iface, e.zone, e.address, e.fqdn ?? "", e.vip ? "VIP" : ""]),
  );
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("print the address plan: every simulated interface and VIP with its 127.x.y.z address")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("--json", "print JSON")
    .action((opts: { topology: string; json?: boolean }) => {
      const plan = buildAddressPlan(loadTopology(opts.topology));
      process.stdout.write(opts.json ? JSON.stringify(plan.entries, null, 2) + "\n" : formatPlan(plan) + "\n");
    });
}
