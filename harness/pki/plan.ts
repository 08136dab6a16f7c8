/**
 * Which certificates a topology needs, described as data (the issuer makes them):
 * - edge-external: the Access Edge external certificate shared by every edge of
 *   the pool (CERT-1): sip.<domain>, webconf, xmpp and the SIP domains
 *   themselves (XMPP federation names the domain), plus *.<domain> for every SIP
 *   domain when the pool federates over XMPP (xmppWildcards), serverAuth +
 *   clientAuth (PIC-2: the edge is a TLS client towards public IM providers);
 * - edge-internal: the internal interface, same key on every edge (CERT-3);
 * - frontend: the pool, its servers and web FQDNs; reverse-proxy: the published names;
 * - one per partner edge, with the topology's deliberate flaws (CERT-2, PIC-2).
 */
import type { Topology } from "../topology/schema.ts";
import { edgeRoleFqdn } from "../world/address-plan.ts";
import type { Eku, LeafSpec } from "./issuer.ts";

export interface CertificateRequest extends LeafSpec {
  /** The identity name, used by the world and `edgesim certs`. */
  name: string;
  /** Signed by a second CA nobody trusts. */
  untrustedCa: boolean;
  /** Share the key of another identity (CERT-3). */
  sameKeyAs?: string;
}

const BOTH: Eku[] = ["serverAuth", "clientAuth"];

export function planCertificates(t: Topology): CertificateRequest[] {
  const org = t.organisation;
  const pool = org.edgePool;
  const valid = { notBeforeDays: -1, notAfterDays: 365, untrustedCa: false };
  const out: CertificateRequest[] = [];
  const external = unique([
    pool.accessFqdn, pool.webconfFqdn, ...(pool.xmppFqdn ? [pool.xmppFqdn] : []),
    ...org.sipDomains.map((d) => `sip.${d}`), ...org.sipDomains, ...xmppWildcards(t),
    ...pool.servers.flatMap((s) => [edgeRoleFqdn(pool.accessFqdn, s), edgeRoleFqdn(pool.webconfFqdn, s)]),
  ]);
  out.push({ name: "edge-external", commonName: pool.accessFqdn, dnsNames: external, eku: pool.certificate.omitClientAuth ? ["serverAuth"] : BOTH, ...valid });
  const internal = unique([pool.internalFqdn, ...pool.servers.map((s) => `${s}.${org.sipDomains[0]}`)]);
  out.push({ name: "edge-internal", commonName: pool.internalFqdn, dnsNames: internal, eku: BOTH, ...valid });
  out.push({ name: "av-auth", commonName: pool.avFqdn, dnsNames: unique([pool.avFqdn, ...pool.servers.map((s) => edgeRoleFqdn(pool.avFqdn, s))]), eku: BOTH, ...valid, sameKeyAs: "edge-internal" });
  const fe = unique([
    org.frontEndPool.fqdn, ...org.frontEndPool.servers.map((s) => `${s}.${org.sipDomains[0]}`),
    org.internalWebFqdn, org.externalWebFqdn, ...org.sipDomains.map((d) => `lyncdiscoverinternal.${d}`),
  ]);
  out.push({ name: "frontend", commonName: org.frontEndPool.fqdn, dnsNames: fe, eku: BOTH, ...valid });
  const rp = reverseProxyNames(t);
  out.push({ name: "reverse-proxy", commonName: rp.includes(org.externalWebFqdn.toLowerCase()) ? org.externalWebFqdn : rp[0]!, dnsNames: rp, eku: ["serverAuth"], ...valid });

  for (const p of t.partners) {
    const knobs = p.certificate;
    for (const e of p.edges) {
      const names = knobs.wrongSan ? [`wrong-name.${p.domain}`] : unique([e.fqdn, ...(p.vipFqdn ? [p.vipFqdn] : []), p.domain, ...p.hostedDomains]);
      out.push({
        name: `partner:${p.domain}:${e.name}`,
        commonName: knobs.wrongSan ? `wrong-name.${p.domain}` : e.fqdn,
        dnsNames: names,
        eku: knobs.omitClientAuth ? ["serverAuth"] : BOTH,
        notBeforeDays: knobs.expired ? -730 : -1,
        notAfterDays: knobs.expired ? -365 : 365,
        untrustedCa: knobs.untrustedCa,
      });
    }
  }
  return out;
}

/**
 * CERT-1: "*.<domain> for XMPP federation". The topology federates over XMPP when
 * the edge pool has an XMPP proxy (edgePool.xmppFqdn, XMPP-1: Topology Builder's
 * "enable XMPP federation" on the pool, which is when the certificate is requested)
 * or federation.EnableXmppFederation is on. A wildcard covers one label only
 * (RFC 6125 6.4.3): it names chat.contoso.test, not contoso.test, which stays a
 * SAN of its own.
 */
export function xmppWildcards(t: Topology): string[] {
  const xmpp = t.organisation.edgePool.xmppFqdn !== undefined || t.federation.EnableXmppFederation;
  return xmpp ? t.organisation.sipDomains.map((d) => `*.${d}`) : [];
}

/**
 * The reverse proxy's published names (RP-1), less the ones the topology leaves off
 * (organisation.reverseProxy.certificate.omitNames): without lyncdiscover.<d>,
 * autodiscover over HTTPS fails on the name check and only HTTP 80 works (MOB-4).
 */
function reverseProxyNames(t: Topology): string[] {
  const org = t.organisation;
  const all = unique([org.externalWebFqdn, ...org.sipDomains.flatMap((d) => [`lyncdiscover.${d}`, `meet.${d}`, `dialin.${d}`])]);
  const omit = unique(org.reverseProxy?.certificate.omitNames ?? []);
  const unknown = omit.filter((n) => !all.includes(n));
  if (unknown.length) throw new RangeError(`organisation.reverseProxy.certificate.omitNames: ${unknown.join(", ")} ${unknown.length > 1 ? "are" : "is"} not on the reverse-proxy certificate (its names: ${all.join(", ")})`);
  const kept = all.filter((n) => !omit.includes(n));
  if (kept.length === 0) throw new RangeError(`organisation.reverseProxy.certificate.omitNames leaves the reverse-proxy certificate with no name at all (keep at least ${org.externalWebFqdn})`);
  return kept;
}

function unique(list: string[]): string[] {
  return [...new Set(list.map((s) => s.toLowerCase()))];
}
