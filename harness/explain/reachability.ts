/**
 * Whether a route the policy allows can be reached at all, read from the external
 * DNS view the live edge resolves in. The policy engine is pure and never sees
 * DNS; without this, `edgesim explain` would say ALLOWED for a request the live
 * edge answers 504 (DNS-1: no SRV record, or a next hop with no A record).
 * The codes are the live Access Edge's own (edge/roles/access-edge/diagnostics.ts).
 */
import type { Route } from "../../edge/policy/index.ts";
import type { RecordSet, SrvRecordData } from "../dns/records.ts";

export interface Reachability {
  reachable: boolean;
  /** The rule that decides reachability (DNS-1 for SIP federation, DNS-3 for XMPP). */
  rule: string;
  /** One line: where the edge would connect, or why it cannot. */
  text: string;
  /** Unreachable SIP federation: the status and ms-diagnostics code the live edge answers with. */
  status?: 504;
  code?: number;
}

/** The A records of a name, through one CNAME (what the edge's resolver follows). */
export function addressesOf(view: RecordSet, name: string): string[] {
  const direct = view.get(name, "A").flatMap((r) => (r.type === "A" ? [r.address] : []));
  if (direct.length > 0) return direct;
  const alias = view.get(name, "CNAME")[0];
  return alias?.type === "CNAME" ? addressesOf(view, alias.target) : [];
}

function srvRecords(view: RecordSet, name: string): SrvRecordData[] {
  // RFC 2782: a lone "." target means the service is decidedly not available.
  return (view.get(name, "SRV") as SrvRecordData[]).filter((r) => r.target.replace(/\.$/, "") !== "");
}

const SRV_NOT_FOUND = 54011;
const HOST_NOT_FOUND = 54012;

function unreachable(rule: string, text: string, code?: number): Reachability {
  return { reachable: false, rule, text, ...(code !== undefined ? { status: 504 as const, code } : {}) };
}

/** FED-2/3 (SRV), FED-4/5/8 (an FQDN): the first hop the live edge would dial, or why there is none. */
function sipRoute(route: Exclude<Route, { kind: "internal" | "xmpp" }>, view: RecordSet): Reachability {
  if (route.kind === "srv") {
    const records = srvRecords(view, route.srvName);
    if (records.length === 0) return unreachable("DNS-1", `no SRV record ${route.srvName} (the live edge answers 504, ms-diagnostics ${SRV_NOT_FOUND})`, SRV_NOT_FOUND);
    const resolvable = records.filter((r) => addressesOf(view, r.target).length > 0);
    if (resolvable.length === 0) return unreachable("DNS-1", `SRV ${route.srvName} names ${records.map((r) => r.target).join(", ")}, none with an A record (the live edge answers 504, ms-diagnostics ${HOST_NOT_FOUND})`, HOST_NOT_FOUND);
    return { reachable: true, rule: "DNS-1", text: `SRV ${route.srvName} -> ${resolvable.map((r) => `${r.target}:${r.port}`).join(", ")}` };
  }
  if (addressesOf(view, route.fqdn).length === 0) return unreachable("DNS-1", `${route.fqdn} has no A record (the live edge answers 504, ms-diagnostics ${HOST_NOT_FOUND})`, HOST_NOT_FOUND);
  return { reachable: true, rule: "DNS-1", text: `${route.fqdn}:${route.port}` };
}

/** XMPP-2 route: ProxyFqdn, else `_xmpp-server._tcp` SRV (DNS-3), else the domain's own A record on 5269 (RFC 6120 3.2.2). */
function xmppRoute(route: Extract<Route, { kind: "xmpp" }>, view: RecordSet): Reachability {
  if (route.fqdn) {
    return addressesOf(view, route.fqdn).length > 0
      ? { reachable: true, rule: "XMPP-2", text: `ProxyFqdn ${route.fqdn}:${route.port}` }
      : unreachable("XMPP-2", `ProxyFqdn ${route.fqdn} has no A record: stanzas come back remote-server-timeout`);
  }
  const records = srvRecords(view, route.srvName).filter((r) => addressesOf(view, r.target).length > 0);
  if (records.length > 0) return { reachable: true, rule: "DNS-3", text: `SRV ${route.srvName} -> ${records.map((r) => `${r.target}:${r.port}`).join(", ")}` };
  if (addressesOf(view, route.domain).length > 0) return { reachable: true, rule: "DNS-3", text: `no SRV ${route.srvName}; RFC 6120 fallback to ${route.domain}:${route.port}` };
  return unreachable("DNS-3", `no SRV ${route.srvName} and no A record for ${route.domain}: stanzas come back remote-server-timeout`);
}

export interface OwnEdge {
  /** PIC-2: our external edge certificate carries the clientAuth EKU (default true). */
  certificateAllowsClientAuth?: boolean;
}

const NO_CLIENT_AUTH = 54031;

/**
 * Reachability of an allowed outbound route; undefined for delivery to one of our
 * users (the front end's business). PIC-2 first, as the live edge checks it before
 * dialling a provider that needs our clientAuth EKU.
 */
export function reachabilityOf(route: Route | undefined, external: RecordSet, own: OwnEdge = {}): Reachability | undefined {
  if (!route || route.kind === "internal") return undefined;
  if (route.kind === "xmpp") return xmppRoute(route, external);
  if (route.kind === "provider" && route.requiresClientAuthEku && own.certificateAllowsClientAuth === false)
    return unreachable("PIC-2", `${route.provider} requires the clientAuth EKU on our edge certificate, which lacks it (the live edge answers 504, ms-diagnostics ${NO_CLIENT_AUTH})`, NO_CLIENT_AUTH);
  return sipRoute(route, external);
}
