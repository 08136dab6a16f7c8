/**
 * Which source address an edge server's outbound Access Edge traffic carries
 * (HLB-5, PORT-2, PORT-3). With a hardware load balancer the balancer is every
 * edge's default gateway (edge-routes.ts) and source-NATs the edges' outbound
 * Access Edge traffic to the VIP: seed 002's rows name the Access Edge public
 * VIP as the source of federation (5061) and XMPP (5269) traffic to partners,
 * and the internal VIP as the source of SIP to the front end. The sandbox has no
 * edge -> balancer leg for outbound connections: the edge binds the VIP's
 * address as its source, so partners, traces and the firewalls see what they
 * would on the wire beyond the balancer. With DNS load balancing there is no
 * balancer: each edge's own address. A/V traffic never goes through this (the
 * A/V Edge is not NATed, HLB-2), nor DNS or CRL lookups (seed 002 names the
 * nodes' own addresses for those).
 */
import type { WorldContext } from "./service.ts";

export type EdgeSide = "external" | "internal";

export function edgeOutboundAddress(ctx: Pick<WorldContext, "topology" | "plan">, edge: string, side: EdgeSide): string {
  const hlb = ctx.topology.organisation.edgePool.loadBalancing === "hlb";
  if (side === "external") return hlb ? ctx.plan.byHost("vip-access").address : ctx.plan.byHost(edge, "external-access").address;
  return hlb ? ctx.plan.byHost("vip-internal").address : ctx.plan.byHost(edge, "internal").address;
}
