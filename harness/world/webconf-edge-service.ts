/**
 * The Web Conferencing Edge of every edge server as a world service: TLS 443 (the
 * +10000 fallback when not root) on each edge's own external Web Conferencing
 * address, and PSOM over mutual TLS on its internal address, port 8057, where the
 * front ends' PSOM links connect in (PORT-3, 002-int-node-psom-8057; the edge never
 * dials the front end). The balancer's Web Conferencing VIP (hlb-service.ts) forwards
 * to the 443 listeners. Every listener sits behind the world's firewall (PORT-5). When
 * the psom service already runs, its links are dialled now and waited for, so the
 * first meeting client finds a front end.
 */
import { WebconfEdge } from "../../edge/roles/webconf-edge/index.ts";
import type { RunningPsom } from "../org/psom/service.ts";
import type { RunningService, ServiceFactory } from "./service.ts";
import { PORTS } from "./ports.ts";
import { worldFirewall } from "../net/world-firewall.ts";

export interface RunningWebconf extends RunningService {
  edges: Map<string, WebconfEdge>;
}

export const webconfEdgeService: ServiceFactory = {
  name: "webconf-edge",
  describe: "Web Conferencing Edge on each edge (TLS 443 outside; PSOM 8057 inside, front ends connect in)",
  async start(ctx): Promise<RunningWebconf> {
    const org = ctx.topology.organisation;
    const frontEndNames = [org.frontEndPool.fqdn, ...org.frontEndPool.servers.map((s) => ctx.plan.byHost(s, "internal").fqdn ?? s)].map((n) => n.toLowerCase());
    const port = ctx.mapPort(PORTS.https);
    const edges = new Map<string, WebconfEdge>();
    try {
      for (const edge of org.edgePool.servers) {
        const ext = ctx.plan.byHost(edge, "external-webconf");
        const w = new WebconfEdge({
          host: edge, listen: { address: ext.address, port },
          external: ctx.pki.identity("edge-external"),
          internal: { identity: ctx.pki.identity("edge-internal"), address: ctx.plan.byHost(edge, "internal").address, port: PORTS.psom },
          frontEndNames, gate: worldFirewall(ctx).gate, events: ctx.events,
        });
        await w.start();
        edges.set(edge, w);
      }
    } catch (e) {
      await Promise.all([...edges.values()].map((w) => w.stop()));
      throw e;
    }
    const psom = ctx.running.get("psom") as RunningPsom | undefined;
    if (psom && !(await psom.connectEdges()))
      ctx.events({ kind: "note", ts: Date.now(), host: "webconf-edge", rules: ["PORT-3", "PORT-5"], detail: `not every front end's PSOM link reached the edges' internal 8057 within 5 s (${psom.links.filter((l) => !l.ready).map((l) => l.edge).join(", ")} down): meeting clients there are refused until one does` });
    return {
      name: "webconf-edge",
      edges,
      endpoints: org.edgePool.servers.flatMap((edge) => {
        const ext = ctx.plan.byHost(edge, "external-webconf");
        const int = ctx.plan.byHost(edge, "internal");
        return [
          { host: edge, role: "webconf", fqdn: ext.fqdn ?? edge, address: ext.address, port, transport: "tls" as const, vip: false },
          { host: edge, role: "webconf-psom", fqdn: int.fqdn ?? edge, address: int.address, port: PORTS.psom, transport: "tls" as const, vip: false },
        ];
      }),
      stop: async () => void (await Promise.all([...edges.values()].map((w) => w.stop()))),
    };
  },
};
