/**
 * "web": the front end pool's web services, one WebServices per front end server
 * on its own address (443 internal, 4443 and 8080 external: PORT-4), behind the
 * world's firewalls (harness/net/world-firewall.ts).
 */
import { WebServices } from "../org/web/server.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import type { RunningService, ServiceFactory } from "./service.ts";

export interface RunningWeb extends RunningService {
  servers: WebServices[];
}

export const webService: ServiceFactory = {
  name: "web",
  describe: "front end web services: autodiscover, Mobility/UCWA, address book, meeting content (issue 6)",
  async start(ctx): Promise<RunningWeb> {
    const fw = worldFirewall(ctx);
    const servers: WebServices[] = [];
    try {
      for (const fe of ctx.topology.organisation.frontEndPool.servers) {
        const s = new WebServices({ topology: ctx.topology, server: fe, address: ctx.plan.byHost(fe).address, identity: ctx.pki.identity("frontend"), gate: fw.gate, events: ctx.events, mapPort: ctx.mapPort });
        servers.push(s);
        await s.start();
      }
    } catch (err) {
      await Promise.all(servers.map((s) => s.stop()));
      throw err;
    }
    return {
      name: "web",
      servers,
      endpoints: servers.flatMap((s, i) => {
        const fe = ctx.topology.organisation.frontEndPool.servers[i]!;
        const entry = ctx.plan.byHost(fe);
        return s.listeners.map((l) => ({ host: fe, role: `web-${l.access.toLowerCase()}-${l.documentedPort}`, fqdn: entry.fqdn ?? fe, address: entry.address, port: l.port, transport: l.tls ? ("tls" as const) : ("tcp" as const), vip: false }));
      }),
      stop: async () => {
        await Promise.all(servers.map((s) => s.stop()));
      },
    };
  },
};
