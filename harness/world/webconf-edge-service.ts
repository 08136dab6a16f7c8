/**
 * The Web Conferencing Edge of every edge server as a world service: TLS 443 (the
 * +10000 fallback when not root) on each edge's own external Web Conferencing
 * address, relaying to the first front end's PSOM port 8057. The balancer's
 * Web Conferencing VIP (hlb-service.ts) forwards to these. Each listener sits
 * behind the world's firewall (PORT-5); the PSOM dial is not gated (docs/firewall.md).
 */
import { WebconfEdge } from "../../edge/roles/webconf-edge/index.ts";
import type { RunningService, ServiceFactory } from "./service.ts";
import { PORTS } from "./ports.ts";
import { worldFirewall } from "../net/world-firewall.ts";

export interface RunningWebconf extends RunningService {
  edges: Map<string, WebconfEdge>;
}

export const webconfEdgeService: ServiceFactory = {
  name: "webconf-edge",
  describe: "Web Conferencing Edge on each edge (TLS 443 -> PSOM 8057 over mutual TLS)",
  async start(ctx): Promise<RunningWebconf> {
    const org = ctx.topology.organisation;
    const fe = org.frontEndPool.servers[0]!;
    const feAddr = ctx.plan.byHost(fe, "internal");
    const port = ctx.mapPort(PORTS.https);
    const edges = new Map<string, WebconfEdge>();
    try {
      for (const edge of org.edgePool.servers) {
        const ext = ctx.plan.byHost(edge, "external-webconf");
        const w = new WebconfEdge({
          host: edge, listen: { address: ext.address, port },
          external: ctx.pki.identity("edge-external"),
          internal: { identity: ctx.pki.identity("edge-internal"), address: ctx.plan.byHost(edge, "internal").address },
          psom: { fqdn: feAddr.fqdn ?? fe, address: feAddr.address, port: PORTS.psom },
          gate: worldFirewall(ctx).gate, events: ctx.events,
        });
        await w.start();
        edges.set(edge, w);
      }
    } catch (e) {
      await Promise.all([...edges.values()].map((w) => w.stop()));
      throw e;
    }
    return {
      name: "webconf-edge",
      edges,
      endpoints: org.edgePool.servers.map((edge) => {
        const ext = ctx.plan.byHost(edge, "external-webconf");
        return { host: edge, role: "webconf", fqdn: ext.fqdn ?? edge, address: ext.address, port, transport: "tls" as const, vip: false };
      }),
      stop: async () => void (await Promise.all([...edges.values()].map((w) => w.stop()))),
    };
  },
};
