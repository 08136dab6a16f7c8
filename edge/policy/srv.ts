/**
 * DNS-1: RFC 2782 ordering of `_sipfederationtls._tcp` SRV answers (our edge tries
 * them in that order, whatever the partner runs), and DNS-5: how a partner's product
 * behaves towards our edge pool when one of its edges fails. Pure: the caller
 * resolves DNS and passes the randomness.
 */

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export function federationSrvName(domain: string): string {
  return `_sipfederationtls._tcp.${domain}`;
}

/**
 * RFC 2782: lowest priority first; within one priority, repeatedly pick a record
 * with probability proportional to its weight (zero-weight records sorted first
 * so they keep a small chance). `random` returns [0, 1). A lone target "." means
 * the service is decidedly not available: no targets.
 */
export function orderSrvTargets(records: readonly SrvRecord[], random: () => number): SrvRecord[] {
  if (records.length === 1 && records[0]?.target.replace(/\.$/, "") === "") return [];
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: SrvRecord[] = [];
  for (const priority of priorities) {
    const remaining = records.filter((r) => r.priority === priority);
    remaining.sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (remaining.length > 0) {
      const total = remaining.reduce((sum, r) => sum + r.weight, 0);
      const pick = Math.min(total, Math.floor(random() * (total + 1)));
      let running = 0;
      let index = remaining.findIndex((r) => {
        running += r.weight;
        return running >= pick;
      });
      if (index < 0) index = 0;
      const [chosen] = remaining.splice(index, 1);
      if (chosen) ordered.push(chosen);
    }
  }
  return ordered;
}

export type PartnerProduct = "lync2013" | "lync2010" | "ocs2007r2" | "ocs2007" | "publicIm" | "xmpp";
export type EdgeLoadBalancing = "dns" | "hlb";

/**
 * DNS-1 on our side: our Lync 2013 Access Edge, dialling out, tries the SRV targets in
 * RFC 2782 order (and each target's A records) until one answers, whatever product the
 * partner runs. DNS-5 is about the other direction (connectingPartnerFailover).
 */
export const OUR_EDGE_FAILOVER = "our Lync 2013 edge tries the targets in this order until one answers, whatever the partner's product";

/** DNS-5: how a partner's edge behaves towards OUR edge pool when the edge it uses fails. */
export interface PartnerFailover {
  /** The partner keeps the address that answered first and never tries another (OCS 2007 / 2007 R2, public IM, XMPP). */
  sticksToFirstEdge: boolean;
  /** Whether the partner's messages still get through once the edge it used has failed. */
  failsOver: boolean;
  rule: "DNS-5";
  text: string;
}

/** Seed 003: only Lync 2010/2013 are aware of DNS load balancing. */
const DNS_LB_AWARE: Record<PartnerProduct, boolean> = {
  lync2013: true,
  lync2010: true,
  ocs2007r2: false,
  ocs2007: false,
  publicIm: false,
  xmpp: false,
};

/**
 * DNS-5 (seed 003): the CONNECTING side's product decides. Towards a DNS-load-balanced
 * pool, Lync 2010/2013 partners try the next edge when one does not answer; OCS 2007 /
 * 2007 R2 partners, public IM providers and XMPP partners establish with the first edge
 * that answers and, when that edge fails, do not fail over. Towards a pool behind a
 * hardware load balancer every partner sees one VIP: it reconnects to the VIP and the
 * balancer sends it to a healthy edge.
 */
export function connectingPartnerFailover(product: PartnerProduct, poolLoadBalancing: EdgeLoadBalancing): PartnerFailover {
  const sticksToFirstEdge = !DNS_LB_AWARE[product];
  if (poolLoadBalancing === "hlb") {
    return { sticksToFirstEdge, failsOver: true, rule: "DNS-5", text: `${product} sees one VIP: when the edge behind it fails, it reconnects to the VIP and the hardware load balancer sends it to a healthy edge` };
  }
  const text = sticksToFirstEdge
    ? `${product} establishes with the first edge of the DNS-load-balanced pool that answers and does not fail over when that edge fails`
    : `${product} tries the next edge of the DNS-load-balanced pool when one does not answer`;
  return { sticksToFirstEdge, failsOver: !sticksToFirstEdge, rule: "DNS-5", text };
}
