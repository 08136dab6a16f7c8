/**
 * The sandbox DNS as a world service: one server per view (DNS-4), UDP and TCP,
 * each behind the world's firewalls (PORT-5): the internal view's server is in
 * the internal zone, the external view's on the internet, and a query is judged
 * by the zone it comes from (seed 002 opens DNS out only from the Access Edge
 * nodes' external addresses, PORT-1).
 */
import { DnsServer } from "../dns/server.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import type { RecordSet } from "../dns/records.ts";
import type { ServiceFactory } from "./service.ts";
import { PORTS } from "./ports.ts";

export const dnsService: ServiceFactory = {
  name: "dns",
  describe: "split-view DNS (internal, external)",
  async start(ctx) {
    const port = ctx.mapPort(PORTS.dns);
    const views: { name: "internal" | "external"; host: string; sets: RecordSet[] }[] = [
      { name: "internal", host: "dns-internal", sets: [ctx.zones.internal, ctx.zones.external] },
      { name: "external", host: "dns-external", sets: [ctx.zones.external] },
    ];
    const gate = worldFirewall(ctx).gate;
    const servers: DnsServer[] = [];
    try {
      for (const v of views) {
        const address = ctx.plan.byHost(v.host).address;
        const server = new DnsServer({ view: { name: v.name, sets: v.sets }, address, port, host: v.host, events: ctx.events, gate });
        await server.start();
        servers.push(server);
      }
    } catch (err) {
      await Promise.all(servers.map((s) => s.stop()));
      throw err;
    }
    return {
      name: "dns",
      endpoints: views.flatMap((v) =>
        (["udp", "tcp"] as const).map((transport) => ({ host: v.host, role: "dns", fqdn: `${v.host}.dns.test`, address: ctx.plan.byHost(v.host).address, port, transport, vip: false })),
      ),
      stop: async () => {
        await Promise.all(servers.map((s) => s.stop()));
      },
    };
  },
};
