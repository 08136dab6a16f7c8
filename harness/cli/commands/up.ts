/**
 * `edgesim up`: starts the world and keeps it running until Ctrl-C (SIGINT) or
 * SIGTERM, then closes every socket and exits 0. With --json it prints one JSON
 * line when ready (ready, dns, ca, endpoints) so scripts can drive it.
 */
import type { Command } from "commander";
import { loadTopology } from "../../topology/registry.ts";
import { World } from "../../world/world.ts";
import { formatPlan } from "./plan.ts";
import { formatTable } from "../table.ts";
import { EventBus } from "../../events/bus.ts";
import { PcapWriter } from "../../trace/pcap.ts";
import { PCAP_HELP, startTraceFile, TRACE_HELP } from "../output-files.ts";
import { Dashboard } from "../../dashboard/server.ts";
import { buildAddressPlan } from "../../world/address-plan.ts";
import { announceInNamespace, balancerInfo, planNamespace } from "../../netns/up-namespace.ts";
import { insideWorldNamespace } from "../../netns/reexec.ts";
import { LoopbackCapture } from "../../netns/capture.ts";

/** The dashboard's port on its own address in the internal zone. */
export const DASHBOARD_PORT = 8080;

interface UpOptions {
  topology: string;
  json?: boolean;
  trace?: string;
  stateDir: string;
  services?: string;
  dashboard: boolean;
  pcap?: string;
  balancer?: string;
}

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("start the simulated deployment and keep it running until Ctrl-C")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("--json", "print one JSON line when ready, for scripts")
    .option("--trace <file>", TRACE_HELP)
    .option("--state-dir <dir>", "where the certificate cache lives", ".edgesim")
    .option("--services <names>", "start only these services (comma-separated)")
    .option("--pcap <file>", PCAP_HELP)
    .option("--no-dashboard", "do not serve the dashboard page")
    .option("--balancer <kind>", "userland, or kernel: nftables NAT in the world's own network namespace (default: the topology's edgePool.balancer)")
    .action(async (opts: UpOptions) => {
      const topology = loadTopology(opts.topology);
      startTraceFile(opts.trace);
      // Kernel balancer: re-run this command inside a new network namespace (docs/load-balancer.md).
      const dashboardAt = opts.dashboard ? { address: buildAddressPlan(topology).byHost("dashboard").address, port: DASHBOARD_PORT } : undefined;
      const ns = await planNamespace(topology, { ...(opts.balancer ? { balancer: opts.balancer } : {}), stateDir: opts.stateDir, ...(dashboardAt ? { dashboard: dashboardAt } : {}) });
      if (ns.ran) return void (process.exitCode = ns.exitCode);
      const bus = new EventBus();
      // In the world's own namespace, --pcap is a real capture on its loopback (harness/netns/capture.ts).
      const lo = opts.pcap && insideWorldNamespace() ? await LoopbackCapture.start(opts.pcap) : undefined;
      const pcap = opts.pcap && !lo ? PcapWriter.attach(bus, opts.pcap) : undefined;
      const world = await World.start({
        topology,
        bus,
        stateDir: opts.stateDir,
        ...(opts.trace ? { tracePath: opts.trace } : {}),
        ...(opts.services ? { services: opts.services.split(",").map((s) => s.trim()) } : {}),
      });
      let dashboard: Dashboard | undefined;
      if (opts.dashboard) {
        dashboard = new Dashboard({ address: world.plan.byHost("dashboard").address, port: DASHBOARD_PORT, bus: world.bus, snapshot: () => world.readyInfo });
        try {
          await dashboard.start();
        } catch (err) {
          // Nothing may outlive a failed `up`: the world's sockets close before the error is reported.
          await world.stop().catch(() => undefined);
          pcap?.close();
          throw new Error(`the dashboard could not start on ${world.plan.byHost("dashboard").address}:${DASHBOARD_PORT} (${(err as Error).message}); the world was stopped (--no-dashboard runs without it)`, { cause: err });
        }
      }
      const unannounce = await announceInNamespace(world, { stateDir: opts.stateDir, ...(dashboard && dashboardAt ? { dashboard: dashboardAt } : {}) });
      const lb = balancerInfo(world);
      const fallback = ns.fallback ?? lb.balancerFallback;
      const info = { ...world.readyInfo, ...lb, ...(fallback ? { balancerFallback: fallback } : {}), ...(dashboard ? { dashboard: dashboard.url } : {}) };
      if (opts.json) process.stdout.write(JSON.stringify(info) + "\n");
      else {
        process.stdout.write(`edgesim: world '${topology.name}' is up in ${info.elapsedMs} ms\n\n`);
        process.stdout.write(`Address plan (every address is in 127.0.0.0/8):\n${formatPlan(world.plan)}\n\n`);
        process.stdout.write(`Listening:\n${formatTable(["host", "role", "fqdn", "address", "port", "transport", "vip"], info.endpoints.map((e) => [e.host, e.role, e.fqdn, e.address, e.port, e.transport, e.vip ? "VIP" : ""]))}\n\n`);
        process.stdout.write(`DNS: internal view ${info.dns.internal}, external view ${info.dns.external}\n`);
        process.stdout.write(`  try: dig @${info.dns.external.replace(/:(\d+)$/, " -p $1")} SRV _sipfederationtls._tcp.fabrikam.test\n`);
        process.stdout.write(`Sandbox CA: ${info.ca}\n`);
        if (dashboard) process.stdout.write(`Dashboard: ${dashboard.url}\n`);
        process.stdout.write(`Balancer: ${info.balancer}${info.balancer === "kernel" ? " (nftables NAT in this world's network namespace: edgesim exec -- nft list ruleset)" : ""}${fallback ? ` (${fallback})` : ""}\n`);
        if (!info.privilegedPorts) process.stdout.write(`Not root: ports below 1024 use the +10000 fallback (443 -> 10443, 80 -> 10080, 53 -> 10053).\n`);
        process.stdout.write(`\nPress Ctrl-C to stop.\n`);
      }
      await new Promise<void>((resolve) => {
        const onSignal = () => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          resolve();
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });
      await unannounce();
      await dashboard?.stop();
      await world.stop();
      pcap?.close();
      await lo?.stop();
      if (opts.json) process.stdout.write(JSON.stringify({ stopped: true }) + "\n");
      else process.stdout.write("edgesim: stopped, every socket closed\n");
    });
}
