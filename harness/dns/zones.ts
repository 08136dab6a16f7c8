/**
 * Builds the two views of the sandbox DNS from the topology and the address plan.
 *
 * External (the internet's view): our _sipfederationtls (DNS-1), _sip._tls (DNS-2)
 * and _xmpp-server (DNS-3) SRV records, the edge and reverse-proxy names, and every
 * partner's records. Internal: the pool, front ends, the edge's internal name,
 * lyncdiscoverinternal and the internal web FQDN (both the front-end HLB's internal
 * web services VIP, MOB-5); names it does not hold fall
 * through to the external view, while internal-only names never resolve from
 * outside (DNS-4). With DNS load balancing every edge is listed; with an HLB one
 * VIP (DNS-5).
 */
import type { Topology } from "../topology/schema.ts";
import type { AddressPlan } from "../world/address-plan.ts";
import { RecordSet, type ViewName } from "./records.ts";
import { PORTS } from "../world/ports.ts";

const TTL = 300;

export interface Zones {
  internal: RecordSet;
  external: RecordSet;
}

export function buildZones(t: Topology, plan: AddressPlan, mapPort: (p: number) => number = (p) => p): Zones {
  const internal = new RecordSet();
  const external = new RecordSet();
  const a = (set: RecordSet, name: string, address: string) => set.add({ name, type: "A", address, ttl: TTL });
  const srv = (set: RecordSet, name: string, target: string, port: number, priority = 0, weight = 100) =>
    set.add({ name, type: "SRV", priority, weight, port, target, ttl: TTL });

  const org = t.organisation;
  const pool = org.edgePool;
  const hlb = pool.loadBalancing === "hlb";
  const edgeAddresses = (role: "access" | "webconf" | "av" | "edge-internal") =>
    plan.find((e) => e.role === role && (hlb ? e.vip : !e.vip) && (role === "edge-internal" || e.iface.startsWith("external")) ).map((e) => e.address);

  for (const d of org.sipDomains) {
    srv(external, `_sipfederationtls._tcp.${d}`, pool.accessFqdn, PORTS.sipMtls);
    srv(external, `_sip._tls.${d}`, pool.accessFqdn, mapPort(PORTS.https));
    if (pool.xmppFqdn) srv(external, `_xmpp-server._tcp.${d}`, pool.xmppFqdn, PORTS.xmppS2s);
    srv(internal, `_sipinternaltls._tcp.${d}`, org.frontEndPool.fqdn, PORTS.sipMtls);
    a(external, `lyncdiscover.${d}`, plan.byHost("reverse-proxy", "external").address);
    a(external, `meet.${d}`, plan.byHost("reverse-proxy", "external").address);
    a(external, `dialin.${d}`, plan.byHost("reverse-proxy", "external").address);
    a(internal, `lyncdiscoverinternal.${d}`, plan.byHost("vip-web-internal").address); // the internal web services VIP (MOB-1, MOB-5)
  }
  for (const addr of edgeAddresses("access")) a(external, pool.accessFqdn, addr);
  for (const addr of edgeAddresses("webconf")) a(external, pool.webconfFqdn, addr);
  for (const addr of edgeAddresses("av")) a(external, pool.avFqdn, addr);
  if (pool.xmppFqdn) for (const addr of edgeAddresses("access")) a(external, pool.xmppFqdn, addr); // XMPP-1: shares the Access Edge address
  for (const addr of edgeAddresses("edge-internal")) a(internal, pool.internalFqdn, addr);
  a(external, org.externalWebFqdn, plan.byHost("reverse-proxy", "external").address);

  // Each edge's own names: the physical interfaces a client may target directly (HLB-2).
  for (const e of plan.entries) {
    if (e.vip || !e.fqdn) continue;
    if (e.role === "access" || e.role === "webconf" || e.role === "av") a(external, e.fqdn, e.address);
    if (e.role === "edge-internal" || e.role === "frontend") a(internal, e.fqdn, e.address);
  }
  for (const fe of org.frontEndPool.servers) a(internal, org.frontEndPool.fqdn, plan.byHost(fe).address);
  // MOB-5: the internal web services FQDN is the front-end HLB's VIP (SIP to the pool stays DNS load balanced).
  a(internal, org.internalWebFqdn, plan.byHost("vip-web-internal").address);

  addPartnerRecords(t, plan, external, srv, a);
  applyOverrides(t, plan, { internal, external });
  return { internal, external };
}

type SrvAdder = (set: RecordSet, name: string, target: string, port: number, priority?: number, weight?: number) => void;
type AAdder = (set: RecordSet, name: string, address: string) => void;

function addPartnerRecords(t: Topology, plan: AddressPlan, external: RecordSet, srv: SrvAdder, a: AAdder): void {
  for (const p of t.partners) {
    const names = new Set([...p.edges.map((e) => e.fqdn), ...(p.vipFqdn ? [p.vipFqdn] : [])]);
    for (const e of plan.find((x) => x.role === "partner" && x.fqdn !== undefined && names.has(x.fqdn))) a(external, e.fqdn!, e.address);
    if (!p.publishSrv) continue;
    const xmpp = p.product === "xmpp";
    const service = xmpp ? "_xmpp-server._tcp" : "_sipfederationtls._tcp";
    const port = xmpp ? PORTS.xmppS2s : PORTS.sipMtls;
    const targets = p.srv ?? (p.loadBalancing === "hlb" && p.vipFqdn ? [{ target: p.vipFqdn, port, priority: 0, weight: 100 }] : p.edges.map((e) => ({ target: e.fqdn, port, priority: 0, weight: 100 })));
    // A hosting provider's hosted domains point at the provider's edge (FED-5).
    for (const domain of [p.domain, ...p.hostedDomains])
      for (const r of targets) srv(external, `${service}.${domain}`, r.target, r.port, r.priority, r.weight);
  }
}

function applyOverrides(t: Topology, plan: AddressPlan, zones: Zones): void {
  for (const r of t.dnsRecords) {
    const views: ViewName[] = r.view === "both" ? ["internal", "external"] : [r.view];
    for (const v of views) {
      const set = zones[v];
      if (r.replace) set.remove(r.name, r.type);
      if (r.type === "A") {
        const address = /^127\.\d+\.\d+\.\d+$/.test(r.value) ? r.value : plan.byHost(r.value).address;
        set.add({ name: r.name, type: "A", address, ttl: TTL });
      } else if (r.type === "CNAME") set.add({ name: r.name, type: "CNAME", target: r.value, ttl: TTL });
      else set.add({ name: r.name, type: "SRV", priority: r.priority, weight: r.weight, port: r.port ?? PORTS.sipMtls, target: r.value, ttl: TTL });
    }
  }
}
