/**
 * The PSOM-like conference service as a world service: on every front end, a conference
 * service (server.ts) and a PSOM link to every edge's internal address, port 8057 (PORT-3,
 * seed 002 row 002-int-node-psom-8057: the front end connects out to the Web Conferencing
 * Edge, edge-link.ts), gated by the world's firewall (PORT-5). It listens on nothing.
 * Started before the webconf-edge service (services.ts), its links retry until the edges
 * listen; that service calls `connectEdges` once they do, so a world is ready when started.
 */
import type { RunningService, ServiceFactory } from "../../world/service.ts";
import { PORTS } from "../../world/ports.ts";
import { worldFirewall } from "../../net/world-firewall.ts";
import { PsomServer } from "./server.ts";
import { PsomEdgeLink } from "./edge-link.ts";

export interface RunningPsom extends RunningService {
  /** One conference service per front end. */
  servers: Map<string, PsomServer>;
  /** Every front end's link to every edge. */
  links: PsomEdgeLink[];
  /** Dials every link that is down now and waits until all are up; false if one is not after `timeoutMs`. */
  connectEdges(timeoutMs?: number): Promise<boolean>;
}

export const psomService: ServiceFactory = {
  name: "psom",
  describe: "front-end PSOM-like conference service, linked out to each Web Conferencing Edge's internal 8057 (mutual TLS)",
  async start(ctx): Promise<RunningPsom> {
    const org = ctx.topology.organisation;
    const gate = worldFirewall(ctx).gate;
    const servers = new Map<string, PsomServer>();
    const links: PsomEdgeLink[] = [];
    for (const fe of org.frontEndPool.servers) {
      const a = ctx.plan.byHost(fe, "internal");
      const psom = new PsomServer({ host: fe, address: a.address, identity: ctx.pki.identity("frontend"), events: ctx.events });
      servers.set(fe, psom);
      for (const edge of org.edgePool.servers) {
        const e = ctx.plan.byHost(edge, "internal");
        links.push(new PsomEdgeLink({ psom, gate, edge: { host: edge, fqdn: e.fqdn ?? edge, address: e.address, port: PORTS.psom } }));
      }
    }
    for (const l of links) l.start();
    const connectEdges = async (timeoutMs = 5000) => {
      for (const l of links) l.retryNow();
      return (await Promise.all(links.map((l) => l.whenReady(timeoutMs)))).every(Boolean);
    };
    if (ctx.running.has("webconf-edge")) await connectEdges();
    return {
      name: "psom", endpoints: [], servers, links, connectEdges,
      stop: async () => {
        for (const l of links) l.stop();
        for (const s of servers.values()) s.stop();
      },
    };
  },
};
