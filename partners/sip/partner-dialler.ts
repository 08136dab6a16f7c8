/**
 * How a partner's edge reaches another organisation's Access Edge pool, the way its
 * product does it (DNS-1, DNS-5; seed 003). Rule order:
 *   1. a sticky product (OCS 2007 / 2007 R2, public IM) that has established with an edge
 *      of that domain uses that address again and nothing else: when it no longer answers,
 *      the message fails (DNS-5: no failover; behind a hardware load balancer the address
 *      is the VIP, which sends the reconnection to a healthy edge);
 *   2. otherwise SRV `_sipfederationtls._tcp.<domain>` in RFC 2782 order (DNS-1), each
 *      target's A records in turn, until one answers: with DNS load balancing those are
 *      the pool's edges;
 *   3. a sticky product remembers the address that answered (the first edge that answered).
 * Lync 2010/2013 (and a hosting provider, of which the seeds say nothing: Lync's
 * behaviour is assumed) walk step 2 for every message, so they fail over.
 * The memory belongs to the partner edge's connection pool: a partner edge that is
 * stopped and started again has forgotten it, as a restarted server would.
 */
import { connectingPartnerFailover, federationSrvName, orderSrvTargets, type PartnerFailover } from "../../edge/policy/index.ts";
import { NameNotFoundError, type NameResolver } from "../../edge/net/resolver.ts";
import { DialError, type ConnectionPool, type SipConnection } from "../../edge/roles/access-edge/index.ts";
import type { SipPartnerProduct } from "./partner-options.ts";

/** Where a sticky partner established with a domain's pool (DNS-5). */
export interface EstablishedEdge {
  target: string;
  port: number;
  address: string;
}

export type DialOutcome =
  | { ok: true; conn: SipConnection; target: string; address: string }
  | { ok: false; rule: "DNS-1" | "DNS-5"; reason: string };

export class PartnerDialler {
  /** Per partner-edge pool (a restarted edge has a new pool): domain -> the edge it established with. */
  #established = new WeakMap<ConnectionPool, Map<string, EstablishedEdge>>();

  constructor(private readonly o: { product: SipPartnerProduct; resolver: NameResolver; random?: () => number }) {}

  /** DNS-5 for this product: the hosting provider behaves as Lync (the seeds are silent); the pool's balancing only changes the text. */
  get failover(): PartnerFailover {
    return connectingPartnerFailover(this.o.product === "hostingProvider" ? "lync2013" : this.o.product, "dns");
  }

  /** Where this partner edge established with `domain`, when its product sticks to it. */
  establishedWith(pool: ConnectionPool, domain: string): EstablishedEdge | undefined {
    return this.#established.get(pool)?.get(domain.toLowerCase());
  }

  async connect(pool: ConnectionPool, domain: string): Promise<DialOutcome> {
    const pinned = this.establishedWith(pool, domain);
    if (pinned) return this.#again(pool, pinned);
    const found = await this.#bySrv(pool, domain);
    if (found.ok && this.failover.sticksToFirstEdge) this.#remember(pool, domain, { target: found.target, port: found.conn.info.tuple.dstPort, address: found.address });
    return found;
  }

  /** Step 1: the established edge's address, reused or dialled again; never another. */
  async #again(pool: ConnectionPool, e: EstablishedEdge): Promise<DialOutcome> {
    try {
      const conn = await pool.get(e.target, e.port, { address: e.address });
      return { ok: true, conn, target: e.target, address: e.address };
    } catch (err) {
      if (!(err instanceof DialError)) throw err;
      return { ok: false, rule: "DNS-5", reason: `DNS-5: ${this.o.product} established with ${e.target} at ${e.address}, the first edge that answered, and does not fail over: ${err.message}` };
    }
  }

  /** Step 2: SRV in RFC 2782 order, each target (and its addresses) until one answers. */
  async #bySrv(pool: ConnectionPool, domain: string): Promise<DialOutcome> {
    const srvName = federationSrvName(domain);
    let targets;
    try {
      targets = orderSrvTargets(await this.o.resolver.resolveSrv(srvName), this.o.random ?? Math.random);
    } catch (err) {
      if (!(err instanceof NameNotFoundError)) throw err;
      return { ok: false, rule: "DNS-1", reason: `DNS-1: ${srvName}: ${err.code}` };
    }
    const errors: string[] = [];
    for (const t of targets) {
      try {
        const conn = await pool.get(t.target, t.port);
        return { ok: true, conn, target: t.target, address: conn.info.tuple.dstAddress };
      } catch (err) {
        if (!(err instanceof DialError) && !(err instanceof NameNotFoundError)) throw err;
        errors.push(err.message);
      }
    }
    return { ok: false, rule: "DNS-1", reason: `DNS-1: no edge of ${domain} answered: ${errors.join("; ") || `${srvName} lists no target`}` };
  }

  #remember(pool: ConnectionPool, domain: string, e: EstablishedEdge): void {
    let byDomain = this.#established.get(pool);
    if (!byDomain) this.#established.set(pool, (byDomain = new Map()));
    byDomain.set(domain.toLowerCase(), e);
  }
}
