/**
 * The hardware load balancer as a world service ("hlb", started last): one VIP per
 * role from the address plan, each forwarding to every edge of the pool, with the
 * mode the topology sets (organisation.edgePool.nat; defaults SNAT on Access and
 * Web Conferencing, no NAT on A/V: HLB-1, HLB-2), its affinity and the A/V answer
 * address (HLB-6 misconfigurations), and health checks that fail over.
 *   vip-access   TCP 5061, 443 (remote users), 5269 (XMPP)  -> each edge's external access address
 *   vip-webconf  TCP 443                                   -> each edge's Web Conferencing Edge
 *   vip-av       UDP 3478, TCP 443                         -> each edge's A/V Edge (AvPacketSink)
 *   vip-internal TCP 5061, 5062                            -> each edge's internal address
 * With loadBalancing "dns" there is no balancer: DNS lists the edges (DNS-5).
 * Every VIP sits behind the world's firewalls (PORT-2, PORT-3, PORT-5): a client the
 * rules do not let in is reset (TCP) or not delivered (UDP) before a server is picked,
 * and the drop is traced with the missing rule.
 */
import type { AvPacketSink } from "../../edge/roles/av-edge/handoff.ts";
import { NoNatStrategy, SnatStrategy, Vip, sinkBindingProbe, stunUdpProbe, tcpConnectProbe, type BackendTarget, type LbStrategy, type Probe } from "../../edge/lb/index.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { captureEnabled } from "../trace/capture.ts";
import type { KernelBalancer } from "../../edge/lb/kernel/balancer.ts";
import { kernelBalancerAvailable } from "../netns/netns.ts";
import { startKernelHlb } from "./hlb-kernel.ts";
import type { Endpoint, RunningService, ServiceFactory, WorldContext } from "./service.ts";
import { PORTS } from "./ports.ts";
import type { RunningWebconf } from "./webconf-edge-service.ts";

export interface HlbServiceOptions {
  /** The A/V Edge sink of each edge; default: the running "av-edge" service's `sinkFor(edge)` (or `sinks` map). */
  avSinks?: (edge: string) => AvPacketSink | undefined;
  /** Time between health-probe rounds; default 2000 ms. */
  healthIntervalMs?: number;
  /** Failed probes before an edge is out of rotation; default 3 (a busy 2-core machine can miss one). */
  fall?: number;
  /** How long one probe may take; default 2000 ms. */
  probeTimeoutMs?: number;
}

export interface RunningHlb extends RunningService {
  /** "vip-av" (UDP 3478 and TCP 443 share one pool: affinity across both), and "<vip>:<port>" for the TCP VIPs. Empty with the kernel balancer. */
  vips: Map<string, Vip>;
  /** Which balancer forwards the VIPs; with "kernel", `kernel` is it (nftables in the world's namespace). */
  balancer: "userland" | "kernel";
  /** Why the userland balancer runs although the topology asked for the kernel one. */
  fallback?: string;
  kernel?: KernelBalancer;
}

type AvProvider = { sinkFor?: (edge: string) => AvPacketSink | undefined; sinks?: Map<string, AvPacketSink> };

function avSinksFrom(ctx: WorldContext): ((edge: string) => AvPacketSink | undefined) | undefined {
  const av = ctx.running.get("av-edge") as (RunningService & AvProvider) | undefined;
  if (typeof av?.sinkFor === "function") return (e) => av.sinkFor!(e);
  if (av?.sinks instanceof Map) return (e) => av.sinks!.get(e);
  return undefined;
}

export interface VipPlan {
  host: string;
  role: string;
  strategy: LbStrategy;
  ports: { port: number; transport: "udp" | "tcp" }[];
  target: (edge: string, port: number, transport: "udp" | "tcp") => BackendTarget;
  probe: Probe;
}

export function createHlbService(opts: HlbServiceOptions = {}): ServiceFactory {
  return {
    name: "hlb",
    describe: "hardware load balancer: Access, Web Conferencing, A/V and internal VIPs (HLB-1, HLB-2, HLB-6)",
    async start(ctx): Promise<RunningHlb> {
      const pool = ctx.topology.organisation.edgePool;
      const vips = new Map<string, Vip>();
      if (pool.loadBalancing === "dns") {
        ctx.events({ kind: "note", ts: Date.now(), host: "hlb", rules: ["DNS-5"], detail: "edge pool uses DNS load balancing: no hardware load balancer, DNS lists every edge" });
        return { name: "hlb", vips, endpoints: [], balancer: "userland", stop: async () => undefined };
      }
      const plan = ctx.plan;
      const edges = pool.servers;
      const https = ctx.mapPort(PORTS.https);
      const addr = (edge: string, iface: string) => plan.byHost(edge, iface).address;
      const webconf = ctx.running.get("webconf-edge") as RunningWebconf | undefined;
      const avSinks = opts.avSinks ?? avSinksFrom(ctx);
      const probeMs = opts.probeTimeoutMs ?? 2000;
      const tcpProbe = (iface: string, port: number, vip: string): Probe => tcpConnectProbe((e) => ({ address: addr(e, iface), port }), plan.byHost(vip).address, probeMs);
      const snat = (rules: string[]) => new SnatStrategy({}, rules);
      const mode = (m: "snat" | "no-nat", rules: string[]) => (m === "snat" ? snat(rules) : new NoNatStrategy("targeted"));

      // One pool per forwarded TCP port, probed on that port: the Access Edge (5061, 443) and
      // the XMPP proxy (5269) are separate services on the same address, and one being down
      // must not take the other out of rotation.
      const perPort = (host: string, role: string, iface: string, ports: number[], strategy: () => LbStrategy, sink?: (e: string) => BackendTarget["sink"]): VipPlan[] =>
        ports.map((port) => ({
          host, role, strategy: strategy(),
          ports: [{ port, transport: "tcp" as const }],
          target: (e: string, p: number) => {
            const s = sink?.(e);
            return { server: e, target: { address: addr(e, iface), port: p }, ...(s ? { sink: s } : {}) };
          },
          probe: tcpProbe(iface, port, host),
        }));
      const webconfSink = (e: string): BackendTarget["sink"] => {
        const w = webconf?.edges.get(e);
        return w ? { acceptTcp: (s) => w.acceptTcp(s) } : undefined;
      };
      const plans: VipPlan[] = [
        ...perPort("vip-access", "access", "external-access", [PORTS.sipMtls, https, PORTS.xmppS2s], () => mode(pool.nat.access, ["HLB-1"])),
        ...perPort("vip-webconf", "webconf", "external-webconf", [https], () => mode(pool.nat.webconf, ["HLB-1"]), webconfSink),
        ...perPort("vip-internal", "edge-internal", "internal", [PORTS.sipMtls, PORTS.sipAvAuth], () => snat(["PORT-3"])),
      ];
      if (avSinks || pool.nat.av === "snat") {
        const vipAv = plan.byHost("vip-av");
        plans.push({
          host: "vip-av", role: "av",
          strategy: pool.nat.av === "snat" ? snat(["HLB-6"]) : new NoNatStrategy(pool.avAnswerFrom),
          ports: [{ port: PORTS.stun, transport: "udp" }, { port: https, transport: "tcp" }],
          target: (e, port, transport) => {
            const sink = avSinks?.(e);
            return { server: e, target: { address: addr(e, "external-av"), port: transport === "udp" ? PORTS.stun : port }, ...(sink ? { sink } : {}) };
          },
          probe: pool.nat.av === "snat" || !avSinks
            ? stunUdpProbe((e) => ({ address: addr(e, "external-av"), port: PORTS.stun }), vipAv.address, probeMs)
            : sinkBindingProbe(avSinks, { address: vipAv.address, port: PORTS.stun }, { address: vipAv.address, port: PORTS.stun }, probeMs),
        });
      } else {
        ctx.events({ kind: "note", ts: Date.now(), host: "vip-av", rules: ["HLB-2"], detail: "no A/V Edge is running: the A/V VIP (UDP 3478, TCP 443) is not opened" });
      }

      let fallback: string | undefined;
      if (pool.balancer === "kernel") {
        const avail = await kernelBalancerAvailable();
        if (avail.ok) return startKernelHlb(ctx, plans, { healthIntervalMs: opts.healthIntervalMs ?? 2000, fall: opts.fall ?? 3, answerFrom: pool.avAnswerFrom, affinity: pool.affinity });
        fallback = `kernel balancer unavailable (${avail.why}): the userland balancer runs`;
        ctx.events({ kind: "note", ts: Date.now(), host: "hlb", rules: [], detail: fallback });
      }
      const endpoints: Endpoint[] = [];
      try {
        for (const p of plans) {
          const a = plan.byHost(p.host);
          const vip = await Vip.start({
            name: p.host, address: a.address, servers: edges, strategy: p.strategy, affinity: pool.affinity, events: ctx.events,
            capture: captureEnabled(ctx.events), probe: p.probe, healthIntervalMs: opts.healthIntervalMs ?? 2000,
            fall: opts.fall ?? 3, gate: worldFirewall(ctx).gate,
            listeners: p.ports.map(({ port, transport }) => ({ port, transport, backends: edges.map((e) => p.target(e, port, transport)) })),
          });
          vips.set(p.ports.length === 1 ? `${p.host}:${p.ports[0]!.port}` : p.host, vip);
          for (const ep of vip.endpoints) endpoints.push({ host: p.host, role: p.role, fqdn: a.fqdn ?? p.host, address: ep.address, port: ep.port, transport: ep.transport, vip: true });
        }
      } catch (e) {
        await Promise.all([...vips.values()].map((v) => v.stop()));
        throw e;
      }
      return { name: "hlb", vips, endpoints, balancer: "userland", ...(fallback ? { fallback } : {}), stop: async () => void (await Promise.all([...vips.values()].map((v) => v.stop()))) };
    },
  };
}

export const hlbService: ServiceFactory = createHlbService();
