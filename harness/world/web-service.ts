/**
 * "web": the front end pool's web services, one WebServices per front end server
 * on its own address (443 internal, 4443 and 8080 external: PORT-4), behind the
 * world's firewalls (harness/net/world-firewall.ts), and in front of them the
 * front-end HLB's web services VIPs (web-vips.ts, MOB-5): the internal web FQDN and
 * the reverse proxy's publishing rules reach the pool through those VIPs.
 */
import { WebServices } from "../org/web/server.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import type { RunningService, ServiceFactory, WorldContext } from "./service.ts";
import { startWebVips, type WebVips } from "./web-vips.ts";

export interface RunningWeb extends RunningService {
  servers: WebServices[];
  /** The front-end HLB's web services VIPs (MOB-5). */
  vips: WebVips;
}

/** The running web service of a world (or a world context), for the reverse proxy and tests. */
export function webOf(world: { running: Map<string, RunningService> } | { service(name: string): RunningService }): RunningWeb {
  const s = "running" in world ? world.running.get("web") : world.service("web");
  if (!s) throw new RangeError("the world runs no 'web' service");
  return s as RunningWeb;
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
    const vips = await startWebVips(ctx).catch(async (err: unknown) => {
      await Promise.all(servers.map((s) => s.stop()));
      throw err;
    });
    return {
      name: "web",
      servers,
      vips,
      endpoints: [...serverEndpoints(ctx, servers), ...vips.endpoints],
      stop: async () => {
        await vips.stop();
        await Promise.all(servers.map((s) => s.stop()));
      },
    };
  },
};

function serverEndpoints(ctx: WorldContext, servers: WebServices[]): RunningService["endpoints"] {
  return servers.flatMap((s, i) => {
    const fe = ctx.topology.organisation.frontEndPool.servers[i]!;
    const entry = ctx.plan.byHost(fe);
    return s.listeners.map((l) => ({ host: fe, role: `web-${l.access.toLowerCase()}-${l.documentedPort}`, fqdn: entry.fqdn ?? fe, address: entry.address, port: l.port, transport: l.tls ? ("tls" as const) : ("tcp" as const), vip: false }));
  });
}
