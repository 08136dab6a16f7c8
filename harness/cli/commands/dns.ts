/**
 * `edgesim dns [NAME] [TYPE] [--view] [--from]`: asks the sandbox DNS with a real query.
 * If a world is already up its DNS answers; otherwise the DNS service alone is
 * started for the question and stopped after. Without NAME, lists the view's records.
 *
 * PORT-5: the DNS servers are behind the world's firewalls. By default the query
 * leaves from the view's own server address (inside its zone, so no firewall is
 * crossed: the internal view answers); `--from` asks as a host of the address plan
 * (`edge1/external-access`, `client-alice`) or from an address, and a query its
 * firewall drops gets no answer (exit 1; the drop's reason is printed when this
 * command started the DNS itself).
 */
import type { Command } from "commander";
import type { RecordType } from "dns-packet";
import { loadTopology } from "../../topology/registry.ts";
import { World } from "../../world/world.ts";
import { buildAddressPlan } from "../../world/address-plan.ts";
import { buildZones } from "../../dns/zones.ts";
import { describeRecord } from "../../dns/records.ts";
import { queryDns, formatAnswer, DnsTimeoutError } from "../../dns/client.ts";
import { portMapper, PORTS } from "../../world/ports.ts";

interface DnsOptions {
  view: "internal" | "external";
  topology: string;
  tcp?: boolean;
  stateDir: string;
  from?: string;
}

export function registerDns(program: Command): void {
  program
    .command("dns")
    .description("ask the sandbox DNS (real packets); without a name, list the view's records")
    .argument("[name]", "the name to look up, e.g. _sipfederationtls._tcp.fabrikam.test")
    .argument("[type]", "A, SRV or CNAME", "A")
    .option("--view <view>", "internal or external (DNS-4)", "external")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("--tcp", "ask over TCP")
    .option("--from <host[/iface]|address>", "ask as this host of the address plan (or from this 127.x address); default: the view's own server address")
    .option("--state-dir <dir>", "where the certificate cache lives", ".edgesim")
    .action(async (name: string | undefined, type: string, opts: DnsOptions) => {
      if (opts.view !== "internal" && opts.view !== "external") throw new RangeError(`--view must be internal or external, not '${opts.view}'`);
      const topology = loadTopology(opts.topology);
      const mapPort = portMapper();
      const plan = buildAddressPlan(topology);
      if (!name) {
        const zones = buildZones(topology, plan, mapPort);
        const sets = opts.view === "internal" ? [zones.internal, zones.external] : [zones.external];
        for (const r of sets.flatMap((s) => s.all())) process.stdout.write(describeRecord(r) + "\n");
        return;
      }
      const from = opts.from === undefined ? undefined : /^\d+\.\d+\.\d+\.\d+$/.test(opts.from) ? opts.from : plan.byHost(...(opts.from.split("/") as [string, string?])).address;
      const server = { address: opts.view === "internal" ? plan.dns.internal : plan.dns.external, port: mapPort(PORTS.dns), ...(from ? { from } : {}) };
      let world: World | undefined;
      try {
        world = await World.start({ topology, stateDir: opts.stateDir, services: ["dns"] });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
        // A world is already up: ask its DNS.
      }
      const drops: string[] = [];
      const unsubscribe = world?.bus.subscribe((e) => void (e.kind === "firewall.drop" && drops.push(`${e.detail} [${e.rules.join(", ")}]`)));
      try {
        const reply = await queryDns(server, name, type.toUpperCase() as RecordType, opts.tcp ? "tcp" : "udp").catch((err: unknown) => {
          if (err instanceof DnsTimeoutError || (err as NodeJS.ErrnoException).code === "ECONNRESET") for (const d of drops) process.stderr.write(`;; firewall drop: ${d}\n`);
          throw err;
        });
        process.stdout.write(`;; ${opts.view} view ${server.address}:${server.port}${from ? ` from ${from}` : ""} status: ${reply.rcode}${reply.authoritative ? ", authoritative" : ""}\n`);
        for (const a of reply.answers) process.stdout.write(formatAnswer(a) + "\n");
        if (reply.additionals.length) process.stdout.write(";; additional\n" + reply.additionals.map(formatAnswer).join("\n") + "\n");
        if (reply.rcode !== "NOERROR") process.exitCode = 1;
      } finally {
        unsubscribe?.();
        await world?.stop();
      }
    });
}
