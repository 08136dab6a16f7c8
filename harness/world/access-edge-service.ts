/**
 * The Access Edge as a world service ("access-edge", issue 3): one AccessEdge per edge
 * server, each on its OWN addresses (the load balancer owns the VIPs):
 *   external access address: 5061 mutual TLS (federation, public IM), 443 TLS (remote
 *   users; 10443 unprivileged), 8443 SIP over WSS (remote sip.js users, edgesim's choice);
 *   internal address: 5061 mutual TLS towards the front-end pool.
 */
import { AccessEdge } from "../../edge/roles/access-edge/index.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { edgeOutboundAddress } from "./edge-outbound.ts";
import { perimeterHostsFile } from "../dns/hosts-file-resolver.ts";
import { PORTS } from "./ports.ts";
import type { Endpoint, RunningService, ServiceFactory } from "./service.ts";

/** SIP over secure WebSocket on the external access address (RFC 7118); not a product port. */
export const ACCESS_EDGE_WSS_PORT = 8443;
/** Timer F of forwarded requests in a world: under the user agents' 10 s, so the edge's own 408 arrives first. */
export const ACCESS_EDGE_TRANSACTION_TIMEOUT_MS = 8000;

export interface RunningAccessEdge extends RunningService {
  edges: Map<string, AccessEdge>;
}

export interface AccessEdgeServiceOptions {
  /** Timer C of proxied INVITEs; default the edge's (over 3 minutes, RFC 3261 16.6 step 11). Tests run it short. */
  inviteTimeoutMs?: number;
}

export const accessEdgeService: ServiceFactory = createAccessEdgeService();

export function createAccessEdgeService(opts: AccessEdgeServiceOptions = {}): ServiceFactory {
  return {
    name: "access-edge",
    describe: "Access Edge SIP proxy on each edge's own addresses (issue 3)",
    async start(ctx): Promise<RunningAccessEdge> {
      const t = ctx.topology;
      const config = federationConfigFromTopology(t);
      const edges = new Map<string, AccessEdge>();
      const endpoints: Endpoint[] = [];
      const remotePort = ctx.mapPort(PORTS.https);
      try {
        for (const host of t.organisation.edgePool.servers) {
          const ext = ctx.plan.byHost(host, "external-access");
          const int = ctx.plan.byHost(host, "internal");
          const edge = new AccessEdge({
            host, config, events: ctx.events, transactionTimeoutMs: ACCESS_EDGE_TRANSACTION_TIMEOUT_MS, ...(opts.inviteTimeoutMs !== undefined ? { inviteTimeoutMs: opts.inviteTimeoutMs } : {}), gate: worldFirewall(ctx).gate,
            external: { address: ext.address, outboundAddress: edgeOutboundAddress(ctx, host, "external"), fqdn: ext.fqdn!, accessFqdn: t.organisation.edgePool.accessFqdn, federationPort: PORTS.sipMtls, remotePort, wssPort: ACCESS_EDGE_WSS_PORT, identity: ctx.pki.identity("edge-external"), resolver: ctx.resolverFor("external", ext.address) },
            internal: { address: int.address, outboundAddress: edgeOutboundAddress(ctx, host, "internal"), fqdn: int.fqdn!, edgePoolFqdn: t.organisation.edgePool.internalFqdn, port: PORTS.sipMtls, identity: ctx.pki.identity("edge-internal"), resolver: perimeterHostsFile(t, ctx.plan), poolFqdn: t.organisation.frontEndPool.fqdn, poolPort: PORTS.sipMtls },
          });
          await edge.start();
          edges.set(host, edge);
          const ep = (address: string, fqdn: string, port: number, transport: "tls" | "wss"): Endpoint => ({ host, role: "access", fqdn, address, port, transport, vip: false });
          endpoints.push(ep(ext.address, ext.fqdn!, PORTS.sipMtls, "tls"), ep(ext.address, ext.fqdn!, remotePort, "tls"), ep(ext.address, ext.fqdn!, ACCESS_EDGE_WSS_PORT, "wss"), ep(int.address, int.fqdn!, PORTS.sipMtls, "tls"));
        }
      } catch (err) {
        for (const e of edges.values()) await e.stop();
        throw err;
      }
      return {
        name: "access-edge",
        edges,
        endpoints,
        stop: async () => {
          for (const e of edges.values()) await e.stop();
        },
      };
    },
  };
}

export function accessEdgesOf(world: { service(name: string): RunningService }): Map<string, AccessEdge> {
  const s = world.service("access-edge") as RunningAccessEdge;
  return s.edges;
}
