/**
 * HLB-5 as data: each edge server's routing table. With a hardware load balancer
 * the Access Edge VIP is every edge's default gateway (so answers to internet
 * clients pass back through the balancer, which is what lets no-NAT A/V answers
 * leave from the VIP, HLB-2), and the internal networks are reached by persistent
 * static routes through the internal interface (never a second default gateway).
 * With DNS load balancing there is no balancer: the default gateway is the
 * external firewall, which the plan does not model.
 */
import type { Topology } from "../topology/schema.ts";
import type { AddressPlan } from "./address-plan.ts";

export interface EdgeRoute {
  edge: string;
  /** "default" or a CIDR. */
  destination: string;
  /** The next hop's address, when the plan has the host ("vip-access"). */
  via?: string;
  viaHost?: string;
  /** The edge's interface the route leaves by. */
  iface: string;
  /** `route -p` (persistent across reboots): the seeds ask for it on the internal routes. */
  persistent: boolean;
  rules: string[];
}

export function edgeRoutes(t: Topology, plan: AddressPlan): EdgeRoute[] {
  const pool = t.organisation.edgePool;
  const routes: EdgeRoute[] = [];
  for (const edge of pool.servers) {
    if (pool.loadBalancing === "hlb") {
      const vip = plan.byHost("vip-access");
      routes.push({ edge, destination: "default", via: vip.address, viaHost: "vip-access", iface: "external-access", persistent: true, rules: ["HLB-5"] });
    } else routes.push({ edge, destination: "default", iface: "external-access", persistent: true, rules: ["DNS-5"] });
    routes.push({ edge, destination: t.addressing.internal, iface: "internal", persistent: true, rules: ["HLB-5"] });
  }
  return routes;
}
