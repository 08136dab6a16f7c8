/**
 * DNS-1: RFC 2782 ordering of `_sipfederationtls._tcp` SRV answers, and DNS-5:
 * which partner products fail over to the next target. Pure: the caller
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

export interface FailoverPolicy {
  /** Whether the partner tries the next SRV/A target when one does not answer. */
  tryNextTarget: boolean;
  rule: "DNS-5";
  text: string;
}

const FAILS_OVER: Record<PartnerProduct, boolean> = {
  lync2013: true,
  lync2010: true,
  ocs2007r2: false,
  ocs2007: false,
  publicIm: false,
  xmpp: false,
};

/**
 * DNS-5 (seed 003): with DNS load balancing, Lync 2010/2013 partners fail over to
 * the next edge; OCS 2007 / 2007 R2, public IM providers and XMPP partners use
 * the first server that answers and do not. Behind a hardware load balancer
 * they all see one VIP, and the HLB does the failing over.
 */
export function failoverPolicy(product: PartnerProduct, loadBalancing: EdgeLoadBalancing = "dns"): FailoverPolicy {
  if (loadBalancing === "hlb") {
    return { tryNextTarget: false, rule: "DNS-5", text: `edge pool behind a hardware load balancer: ${product} sees one VIP, which fails over to a healthy edge` };
  }
  const tryNextTarget = FAILS_OVER[product];
  const text = tryNextTarget
    ? `${product} fails over to the next DNS load-balanced edge when one is down`
    : `${product} connects to the first edge that answers and does not fail over (DNS load balancing)`;
  return { tryNextTarget, rule: "DNS-5", text };
}
