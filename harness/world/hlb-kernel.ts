/**
 * The `hlb` service with the kernel balancer (issue 12, docs/load-balancer.md "Kernel
 * balancer"): the same VIP plans as the userland VIPs (hlb-service.ts builds them), handed
 * to edge/lb/kernel as nftables pools, loaded by `nft -f` in this process's own network
 * namespace (harness/netns/netns.ts refuses the host's). No VIP socket is opened: the
 * edges' own listeners receive the DNATed flows, and conntrack answers from the VIP.
 * Health checks probe each edge's own address (STUN Binding over UDP for A/V: the kernel
 * balancer has no in-process handoff) and rewrite the pool's map when an edge dies.
 */
import { stunUdpProbe, type Affinity, type AnswerFrom } from "../../edge/lb/index.ts";
import { KernelBalancer, type KernelPoolSpec } from "../../edge/lb/kernel/balancer.ts";
import { conntrackForget, nftApply } from "../netns/netns.ts";
import type { RunningHlb, VipPlan } from "./hlb-service.ts";
import type { Endpoint, WorldContext } from "./service.ts";

export interface KernelHlbOptions {
  healthIntervalMs: number;
  fall: number;
  answerFrom: AnswerFrom;
  affinity: Affinity;
  probeTimeoutMs?: number;
}

/** One nftables pool per userland VIP plan: same VIP, ports, servers, mode and affinity. */
export function kernelPools(ctx: WorldContext, plans: VipPlan[], o: Pick<KernelHlbOptions, "answerFrom" | "affinity" | "probeTimeoutMs">): KernelPoolSpec[] {
  const servers = ctx.topology.organisation.edgePool.servers;
  return plans.map((p) => {
    const vipAddress = ctx.plan.byHost(p.host).address;
    const first = p.ports[0]!;
    const udp = p.ports.find((x) => x.transport === "udp");
    const probe = udp ? stunUdpProbe((e) => p.target(e, udp.port, "udp").target, vipAddress, o.probeTimeoutMs ?? 2000) : p.probe;
    return {
      vip: p.host, vipAddress, ports: p.ports, nat: p.strategy.mode, affinity: o.affinity,
      ...(p.host === "vip-av" ? { answerFrom: o.answerFrom } : {}),
      backends: servers.map((e) => ({ server: e, address: p.target(e, first.port, first.transport).target.address })),
      probe,
    };
  });
}

export async function startKernelHlb(ctx: WorldContext, plans: VipPlan[], o: KernelHlbOptions): Promise<RunningHlb> {
  // The plans' userland strategies are not used here (SNAT's has a sweep timer): close them.
  await Promise.all(plans.map((p) => p.strategy.close()));
  const pools = kernelPools(ctx, plans, o);
  const kernel = await KernelBalancer.start({ pools, apply: nftApply, forgetFlows: (f) => conntrackForget(f).catch((e: Error) => ctx.events({ kind: "note", ts: Date.now(), host: "hlb", rules: [], detail: `kernel balancer: ${e.message}` })), events: ctx.events, healthIntervalMs: o.healthIntervalMs, fall: o.fall });
  const endpoints: Endpoint[] = plans.flatMap((p) => {
    const a = ctx.plan.byHost(p.host);
    return p.ports.map(({ port, transport }) => ({ host: p.host, role: p.role, fqdn: a.fqdn ?? p.host, address: a.address, port, transport, vip: true }));
  });
  return { name: "hlb", vips: new Map(), endpoints, balancer: "kernel", kernel, stop: () => kernel.stop() };
}
