/**
 * The A/V Edge as a world service ("av-edge", issue 4): on every edge server of the
 * pool, STUN/TURN on UDP 3478 and TCP 443 (mapped: 10443 when not root) of the edge's
 * own external A/V address and of its internal address (PORT-1, PORT-3), relay ports
 * 50000-59999 on the external A/V address (HLB-3), and the A/V authentication service
 * (MRAS) on internal TCP 5062 over mutual TLS with the edge-internal identity (PORT-3).
 * Every listener, relay flow and MRAS peer passes the world's firewall (PORT-5).
 * Credentials derive from the av-auth key, the same on every edge (CERT-3).
 *
 * The load balancer finds each edge's AvPacketSink with
 *   (ctx.running.get("av-edge") as RunningAvEdge).sinkFor("edge1")   (or `.sinks.get("edge1")`)
 * and hands it what reaches the A/V VIP (edge/roles/av-edge/handoff.ts).
 */
import { AvEdgeServer, derivePoolSecret, listenTcp, listenUdp, MrasServer, type AvEdgeOptions, type AvPacketSink, type Listener } from "../../edge/roles/av-edge/index.ts";
import { PORTS } from "./ports.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { edgeToEdgePeers } from "../net/av-partners.ts";
import type { Endpoint, RunningService, ServiceFactory } from "./service.ts";

export interface AvEdgeInstance {
  host: string;
  server: AvEdgeServer;
  mras: MrasServer;
  /** The edge's own external A/V address (relays live here) and internal address. */
  external: string;
  internal: string;
}

export interface RunningAvEdge extends RunningService {
  edges: Map<string, AvEdgeInstance>;
  sinks: Map<string, AvPacketSink>;
  sinkFor(edge: string): AvPacketSink | undefined;
}

/** Settings every edge gets on top of the world's (tests shorten lifetimes, add static users). */
export type AvEdgeOverrides = Partial<Omit<AvEdgeOptions, "host" | "relayAddress" | "events">>;

export function createAvEdgeService(overrides: AvEdgeOverrides = {}): ServiceFactory {
  return {
    name: "av-edge",
    describe: "A/V Edge: STUN/TURN on each edge, A/V authentication on 5062 (issue 4)",
    async start(ctx): Promise<RunningAvEdge> {
      const org = ctx.topology.organisation;
      const pool = org.edgePool;
      const poolSecret = derivePoolSecret(ctx.pki.identity("av-auth").keyPem);
      const realm = org.sipDomains[0]!;
      const tcpPort = ctx.mapPort(PORTS.https);
      const frontEndNames = [org.frontEndPool.fqdn, ...org.frontEndPool.servers.map((s) => `${s}.${org.sipDomains[0]}`)].map((n) => n.toLowerCase());
      const gate = worldFirewall(ctx).gate;
      // PORT-1: media with a federated Lync 2010/2013 (or OCS 2007 R2) partner goes edge to edge over its A/V Edge's UDP 3478.
      const peerEdges = edgeToEdgePeers(ctx.topology, ctx.plan);
      const edgePeerPort = (ip: string) => (peerEdges.has(ip) ? PORTS.stun : undefined);
      const edges = new Map<string, AvEdgeInstance>();
      const listeners: Listener[] = [];
      const endpoints: Endpoint[] = [];
      const stopAll = async () => {
        await Promise.all(listeners.map((l) => l.close()));
        for (const e of edges.values()) await Promise.all([e.server.stop(), e.mras.stop()]);
      };
      try {
        for (const host of pool.servers) {
          const ext = ctx.plan.byHost(host, "external-av");
          const int = ctx.plan.byHost(host, "internal");
          const server = new AvEdgeServer({ realm, poolSecret, edgePeerPort, ...overrides, host, relayAddress: ext.address, gate, events: ctx.events });
          const mras = new MrasServer({
            host, address: int.address, port: PORTS.sipAvAuth, identity: ctx.pki.identity("edge-internal"), poolSecret, realm,
            // Gated (PORT-5): the front end reaches 5062 through the internal VIP (002-int-vip-avauth-5062), whose SNAT
            // leg comes from the VIP's own perimeter address; a front end dialling a node directly is dropped under an HLB.
            allowedPeerNames: frontEndNames, gate, events: ctx.events,
            servers: [
              { host: pool.avFqdn, transport: "udp", port: PORTS.stun },
              { host: pool.avFqdn, transport: "tcp", port: tcpPort },
            ],
          });
          edges.set(host, { host, server, mras, external: ext.address, internal: int.address });
          for (const [side, a] of [["external", ext], ["internal", int]] as const) {
            const guard = { gate, events: ctx.events, host };
            listeners.push(await listenUdp(server, a.address, PORTS.stun, guard), await listenTcp(server, a.address, tcpPort, guard));
            const fqdn = a.fqdn ?? host;
            endpoints.push(
              { host, role: side === "external" ? "av" : "av-internal", fqdn, address: a.address, port: PORTS.stun, transport: "udp", vip: false },
              { host, role: side === "external" ? "av" : "av-internal", fqdn, address: a.address, port: tcpPort, transport: "tcp", vip: false },
            );
          }
          await mras.start();
          endpoints.push({ host, role: "av-auth", fqdn: int.fqdn ?? host, address: int.address, port: PORTS.sipAvAuth, transport: "tls", vip: false });
        }
      } catch (err) {
        await stopAll();
        throw err;
      }
      const sinks = new Map<string, AvPacketSink>([...edges].map(([h, e]) => [h, e.server]));
      return { name: "av-edge", endpoints, edges, sinks, sinkFor: (edge) => sinks.get(edge), stop: stopAll };
    },
  };
}

export const avEdgeService: ServiceFactory = createAvEdgeService();
