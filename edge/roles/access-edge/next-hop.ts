/**
 * Where an allowed outbound request goes, from the policy's route (FED-2/3: SRV,
 * FED-4: ProxyFqdn, FED-5: provider, FED-8: default route): DNS-1 SRV lookup in the
 * external view, RFC 2782 order (orderSrvTargets), then every target (and each of its
 * A records) in that order until one answers, whatever product the partner runs
 * (DNS-1; DNS-5 is about partners connecting to US, partners/sip), CERT-2 name checks
 * on every dial, PIC-2 before dialling a provider that needs our clientAuth EKU.
 * Returns a connection, or the refusal that explains why there is none (FED-12): a
 * 504 when no target answered names every target tried and why.
 */
import { NameNotFoundError, type NameResolver, type SrvTarget } from "../../net/resolver.ts";
import { expectedPeerName, orderSrvTargets, OUR_EDGE_FAILOVER, requiresClientAuthEku, type Route } from "../../policy/index.ts";
import type { ConnectionPool } from "./connection-pool.ts";
import { EDGE_DIAGNOSTICS, edgeRefusal, type EdgeDiagnosticsKey, type EdgeRefusal } from "./diagnostics.ts";
import type { SipConnection } from "./sip-connection.ts";
import type { SrvCache } from "./srv-cache.ts";
import { DialError } from "./tls-endpoints.ts";

export interface NextHopContext {
  pool: ConnectionPool;
  /** SRV lookups in the external view (the edge passes its cache; `peek` gives a fresh cached answer without waiting). */
  resolver: Pick<NameResolver, "resolveSrv"> & Partial<Pick<SrvCache, "peek">>;
  random: () => number;
  /** PIC-2: our external certificate carries clientAuth. */
  ownCertAllowsClientAuth: boolean;
  /** false: nobody reads the steps (the edge has no event sink): the ones written for every request (SRV order, CERT-2 of an open connection) are skipped. */
  traceSteps?: boolean;
}

export type NextHop = { ok: true; conn: SipConnection; target: string; steps: string[] } | { ok: false; refusal: EdgeRefusal; steps: string[] };

interface Target { fqdn: string; port: number }
/** One target that did not give us a connection, and why: `detail` completes the refusal's text, `line` stands alone in a list of targets. */
interface DialFailure { target: Target; key: EdgeDiagnosticsKey; detail: string; line: string; rules: string[] }
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
    return viaTargets(ctx, route, [{ fqdn: route.fqdn, port: route.port }], steps);
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

/** FED-2/3 with the SRV answer in hand: RFC 2782 order, every target tried in turn (DNS-1), whatever the partner's product. */
function fromSrv(ctx: NextHopContext, route: SrvRoute, records: SrvTarget[], steps: string[]): NextHop | Promise<NextHop> {
  const ordered = orderSrvTargets(records, ctx.random);
  if (ordered.length === 0) return { ok: false, refusal: edgeRefusal("srvNotFound", `${route.srvName} says no service`, [route.rule]), steps };
  if (ctx.traceSteps !== false) steps.push(`DNS-1: SRV ${route.srvName} -> ${ordered.map((r) => `${r.target}:${r.port}`).join(", ")}: ${OUR_EDGE_FAILOVER}`);
  return viaTargets(ctx, route, ordered.map((r) => ({ fqdn: r.target, port: r.port })), steps);
}

/** The first target's connection when it is open (what the pool would hand out at once), else dial in order. */
function viaTargets(ctx: NextHopContext, route: FederationRoute, targets: Target[], steps: string[]): NextHop | Promise<NextHop> {
  const first = targets[0];
  const open = first === undefined ? undefined : ctx.pool.peek(first.fqdn, first.port);
  if (first !== undefined && open !== undefined) {
    if (ctx.traceSteps !== false) steps.push(`CERT-2: ${first.fqdn}:${first.port} presented a trusted certificate naming ${expectedPeerName(route, first.fqdn) ?? first.fqdn}`);
    return { ok: true, conn: open, target: first.fqdn, steps };
  }
  return dialTargets(ctx, route, targets, steps);
}

/**
 * DNS-1: each target in order (the pool tries each of its A records) until one answers.
 * A certificate that names the wrong host or is not trusted stops the walk: that target
 * answered, and the refusal says CERT-2 rather than hiding it behind the next target.
 */
async function dialTargets(ctx: NextHopContext, route: FederationRoute, targets: Target[], steps: string[]): Promise<NextHop> {
  const failures: DialFailure[] = [];
  for (const t of targets) {
    const expected = expectedPeerName(route, t.fqdn) ?? t.fqdn;
    try {
      const conn = await ctx.pool.get(t.fqdn, t.port, { expectedName: expected });
      if (failures.length > 0) steps.push(`DNS-1: ${t.fqdn}:${t.port} answered after ${failures.map((f) => f.target.fqdn).join(", ")} did not`);
      steps.push(`CERT-2: ${t.fqdn}:${t.port} presented a trusted certificate naming ${expected}`);
      return { ok: true, conn, target: t.fqdn, steps };
    } catch (err) {
      const f = failureOf(err, t, route);
      failures.push(f);
      steps.push(`${f.rules[0]}: ${f.line}`);
      if (err instanceof DialError && (err.failure === "name" || err.failure === "untrusted")) break;
    }
  }
  return { ok: false, refusal: refusalFor(failures, route), steps };
}

/**
 * The refusal for the targets that failed: one target's own reason, or every target tried
 * with its reason (FED-12), coded by the certificate failure that stopped the walk, else by
 * the failure they share, else 54013 (no edge answered).
 */
function refusalFor(failures: DialFailure[], route: FederationRoute): EdgeRefusal {
  const first = failures[0];
  const last = failures[failures.length - 1];
  if (first === undefined || last === undefined) return edgeRefusal("unreachable", route.domain, [route.rule]);
  const rules = [...new Set([...failures.flatMap((f) => f.rules), route.rule])];
  if (failures.length === 1) return edgeRefusal(first.key, first.detail, rules);
  const stoppedByCertificate = last.key === "peerNameMismatch" || last.key === "peerUntrusted";
  const key = stoppedByCertificate ? last.key : failures.every((f) => f.key === first.key) ? first.key : "unreachable";
  return edgeRefusal(key, `tried ${failures.length} targets in RFC 2782 order: ${failures.map((f) => f.line).join("; ")}`, rules);
}

function failureOf(err: unknown, target: Target, route: FederationRoute): DialFailure {
  const f = (key: EdgeDiagnosticsKey, detail: string, rules: string[] = [], line = detail): DialFailure => ({ target, key, detail, line, rules: [EDGE_DIAGNOSTICS[key].rule, ...rules] });
  if (err instanceof NameNotFoundError) return f("hostNotFound", `${target.fqdn} (${err.code})`, [], `${target.fqdn}: no A record (${err.code})`);
  if (err instanceof DialError) {
    if (err.failure === "name") return f("peerNameMismatch", `${err.message}${route.rule === "FED-4" ? " (FED-4: has the partner moved its edge?)" : ""}`);
    if (err.failure === "untrusted") return f("peerUntrusted", err.message);
    if (err.failure === "firewall") return f("firewallDrop", err.message, err.rules);
    return f("unreachable", err.message);
  }
  throw err;
}
