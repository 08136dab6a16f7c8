/**
 * Where an allowed outbound request goes, from the policy's route (FED-2/3: SRV,
 * FED-4: ProxyFqdn, FED-5: provider, FED-8: default route): DNS-1 SRV lookup in the
 * external view, RFC 2782 order (orderSrvTargets), DNS-5 failover as
 * failoverPolicy says for the partner on the other side, CERT-2 name checks on
 * every dial, PIC-2 before dialling a provider that needs our clientAuth EKU.
 * Returns a connection, or the refusal that explains why there is none (FED-12).
 */
import { NameNotFoundError, type NameResolver, type SrvTarget } from "../../net/resolver.ts";
import { expectedPeerName, failoverPolicy, orderSrvTargets, requiresClientAuthEku, type EdgeLoadBalancing, type FailoverPolicy, type PartnerProduct, type Route } from "../../policy/index.ts";
import type { ConnectionPool } from "./connection-pool.ts";
import { edgeRefusal, type EdgeRefusal } from "./diagnostics.ts";
import type { SipConnection } from "./sip-connection.ts";
import type { SrvCache } from "./srv-cache.ts";
import { DialError } from "./tls-endpoints.ts";

/** What the edge knows of the product behind a domain (DNS-5); the harness injects it, default Lync 2013 behind DNS LB. */
export type PeerProductLookup = (domain: string) => { product: PartnerProduct; loadBalancing: EdgeLoadBalancing } | undefined;

export interface NextHopContext {
  pool: ConnectionPool;
  /** SRV lookups in the external view (the edge passes its cache; `peek` gives a fresh cached answer without waiting). */
  resolver: Pick<NameResolver, "resolveSrv"> & Partial<Pick<SrvCache, "peek">>;
  random: () => number;
  peerProduct: PeerProductLookup;
  /** PIC-2: our external certificate carries clientAuth. */
  ownCertAllowsClientAuth: boolean;
  /** false: nobody reads the steps (the edge has no event sink): the ones written for every request (SRV order, CERT-2 of an open connection) are skipped. */
  traceSteps?: boolean;
}

export type NextHop = { ok: true; conn: SipConnection; target: string; steps: string[] } | { ok: false; refusal: EdgeRefusal; steps: string[] };

interface Target { fqdn: string; port: number }
type FederationRoute = Exclude<Route, { kind: "internal" | "xmpp" }>;
type SrvRoute = Extract<Route, { kind: "srv" }>;

/**
 * The next hop of an allowed outbound request. Synchronous when everything is known
 * (SRV answer cached, a connection to the first target open): most requests of a busy
 * edge then take no turn of the event loop; otherwise a promise, with the same steps,
 * the same RFC 2782 draw and the same outcome.
 */
export function connectForRoute(ctx: NextHopContext, route: FederationRoute): NextHop | Promise<NextHop> {
  const steps: string[] = [];
  if (requiresClientAuthEku(route) && !ctx.ownCertAllowsClientAuth) {
    steps.push(`PIC-2: ${route.kind === "provider" ? route.provider : route.domain} requires the clientAuth EKU on our certificate, which lacks it: not dialling`);
    return { ok: false, refusal: edgeRefusal("noClientAuthEku", route.kind === "provider" ? `${route.provider} (${route.fqdn})` : route.domain, [route.rule]), steps };
  }
  if (route.kind !== "srv") {
    steps.push(`${route.rule}: connect to ${route.fqdn}:${route.port} (no SRV lookup)`);
    return viaTargets(ctx, route, [{ fqdn: route.fqdn, port: route.port }], undefined, steps);
  }
  const cached = ctx.resolver.peek?.(route.srvName);
  if (cached !== undefined && "records" in cached) return fromSrv(ctx, route, cached.records, steps);
  return resolveThenConnect(ctx, route, steps);
}

async function resolveThenConnect(ctx: NextHopContext, route: SrvRoute, steps: string[]): Promise<NextHop> {
  let records;
  try {
    records = await ctx.resolver.resolveSrv(route.srvName);
  } catch (err) {
    if (!(err instanceof NameNotFoundError)) throw err;
    steps.push(`DNS-1: SRV ${route.srvName}: ${err.code}`);
    return { ok: false, refusal: edgeRefusal("srvNotFound", `${route.srvName} (${err.code})`, [route.rule]), steps };
  }
  return fromSrv(ctx, route, records, steps);
}

/** FED-2/3 with the SRV answer in hand: RFC 2782 order (DNS-1), DNS-5 failover as the partner's product does it. */
function fromSrv(ctx: NextHopContext, route: SrvRoute, records: SrvTarget[], steps: string[]): NextHop | Promise<NextHop> {
  const ordered = orderSrvTargets(records, ctx.random);
  if (ordered.length === 0) return { ok: false, refusal: edgeRefusal("srvNotFound", `${route.srvName} says no service`, [route.rule]), steps };
  const peer = ctx.peerProduct(route.domain) ?? { product: "lync2013", loadBalancing: "dns" };
  const failover = failoverPolicy(peer.product, peer.loadBalancing);
  if (ctx.traceSteps !== false) steps.push(`DNS-1: SRV ${route.srvName} -> ${ordered.map((r) => `${r.target}:${r.port}`).join(", ")}`, `${failover.rule}: ${failover.text}`);
  const targets = (failover.tryNextTarget ? ordered : ordered.slice(0, 1)).map((r) => ({ fqdn: r.target, port: r.port }));
  return viaTargets(ctx, route, targets, failover, steps);
}

/** The first target's connection when it is open (what the pool would hand out at once), else dial in order. */
function viaTargets(ctx: NextHopContext, route: FederationRoute, targets: Target[], failover: FailoverPolicy | undefined, steps: string[]): NextHop | Promise<NextHop> {
  const first = targets[0];
  const open = first === undefined ? undefined : ctx.pool.peek(first.fqdn, first.port);
  if (first !== undefined && open !== undefined) {
    if (ctx.traceSteps !== false) steps.push(`CERT-2: ${first.fqdn}:${first.port} presented a trusted certificate naming ${expectedPeerName(route, first.fqdn) ?? first.fqdn}`);
    return { ok: true, conn: open, target: first.fqdn, steps };
  }
  return dialTargets(ctx, route, targets, failover, steps);
}

async function dialTargets(ctx: NextHopContext, route: FederationRoute, targets: Target[], failover: FailoverPolicy | undefined, steps: string[]): Promise<NextHop> {
  let last: EdgeRefusal | undefined;
  for (const t of targets) {
    const expected = expectedPeerName(route, t.fqdn) ?? t.fqdn;
    try {
      const conn = await ctx.pool.get(t.fqdn, t.port, { expectedName: expected, tryEveryAddress: failover?.tryNextTarget ?? true });
      steps.push(`CERT-2: ${t.fqdn}:${t.port} presented a trusted certificate naming ${expected}`);
      return { ok: true, conn, target: t.fqdn, steps };
    } catch (err) {
      last = refusalForDial(err, t, route);
      steps.push(`${last.rules[0]}: ${last.diagnostics.text}`);
      if (err instanceof DialError && (err.failure === "name" || err.failure === "untrusted")) break;
    }
  }
  if (failover && !failover.tryNextTarget && last?.diagnostics.code === 54013)
    return { ok: false, refusal: edgeRefusal("noFailover", `${targets[0]?.fqdn}: ${failover.text}`, [route.rule]), steps };
  return { ok: false, refusal: last ?? edgeRefusal("unreachable", route.domain, [route.rule]), steps };
}

function refusalForDial(err: unknown, t: Target, route: Route & { rule: string }): EdgeRefusal {
  if (err instanceof NameNotFoundError) return edgeRefusal("hostNotFound", `${t.fqdn} (${err.code})`, [route.rule]);
  if (err instanceof DialError) {
    if (err.failure === "name") return edgeRefusal("peerNameMismatch", `${err.message}${route.rule === "FED-4" ? " (FED-4: has the partner moved its edge?)" : ""}`, [route.rule]);
    if (err.failure === "untrusted") return edgeRefusal("peerUntrusted", err.message, [route.rule]);
    if (err.failure === "firewall") return edgeRefusal("firewallDrop", err.message, [...err.rules, route.rule]);
    return edgeRefusal("unreachable", err.message, [route.rule]);
  }
  throw err;
}
