/**
 * `edgesim explain` for an XMPP partner: the verdict the live XMPP proxy and the
 * front end's XMPP gateway give (decideXmppPartner: XMPP-1, FED-1, FED-6, XMPP-2
 * for the domain; FED-9 EnableXmppAccess, XMPP-5 for our user), not the SIP rules.
 * A domain is an XMPP partner when it is on the XMPP allowed-partner list or the
 * topology's partner there runs an XMPP server.
 */
import { decideXmppPartner, type FederationConfig, type PolicyRequest, type Verdict } from "../../edge/policy/index.ts";
import type { Topology } from "../topology/schema.ts";
import type { RecordSet } from "../dns/records.ts";
import { addressesOf } from "./reachability.ts";

export function isXmppPartnerDomain(t: Topology, domain: string): boolean {
  const d = domain.toLowerCase();
  if (t.federation.xmppAllowedPartners.some((p) => p.Identity.toLowerCase() === d)) return true;
  return t.partners.some((p) => p.product === "xmpp" && p.domain.toLowerCase() === d);
}

export interface XmppExplanation {
  verdict: Verdict;
  dnsSteps: string[];
}

/** XMPP-1: the edge pool federates over XMPP (the same test the firewall plan makes). */
function xmppEnabled(t: Topology): boolean {
  return t.federation.EnableXmppFederation && t.organisation.edgePool.xmppFqdn !== undefined;
}

function listed(t: Topology, domain: string): boolean {
  return t.federation.xmppAllowedPartners.some((p) => p.Identity.toLowerCase() === domain.toLowerCase());
}

export function explainXmpp(t: Topology, config: FederationConfig, request: PolicyRequest, remoteDomain: string, external: RecordSet): XmppExplanation {
  const inbound = request.direction === "inbound";
  const verdict = decideXmppPartner(config, { localUser: inbound ? request.to : request.from, remoteDomain, direction: request.direction, xmppFederationEnabled: xmppEnabled(t) });
  const steps: string[] = [];
  const ourXmpp = t.organisation.edgePool.xmppFqdn;
  if (inbound) {
    steps.push(`the partner's server finds us by _xmpp-server._tcp.<our domain> (DNS-3) -> ${ourXmpp ?? "(no xmppFqdn)"}:5269 and opens a stream to the XMPP proxy (XMPP-1); refusals there are stream errors policy-violation`);
  } else if (!listed(t, remoteDomain)) {
    steps.push(`XMPP-1: the front end hands IM to the XMPP gateway only for domains on the XMPP allowed-partner list; a SIP client's IM to ${remoteDomain} goes to SIP federation instead`);
  } else {
    steps.push(`XMPP-1: the front end hands the IM to the XMPP gateway, which sends it over the internal link (23456) to the XMPP proxy on the edge`);
  }
  const entry = t.federation.xmppAllowedPartners.find((p) => p.Identity.toLowerCase() === remoteDomain.toLowerCase());
  if (verdict.allowed && entry) steps.push(`XMPP-3: the stream is authenticated per the entry: TLS ${entry.TlsNegotiation}, SASL ${entry.SaslNegotiation}, dialback ${entry.SupportDialbackNegotiation ? "supported" : "not supported"}`);
  if (!inbound && verdict.route?.kind === "xmpp") {
    const srv = external.get(verdict.route.srvName, "SRV");
    steps.push(srv.length
      ? `SRV ${verdict.route.srvName} -> ${srv.map((r) => (r.type === "SRV" ? `${r.target}:${r.port} -> A ${addressesOf(external, r.target).join(", ") || "NXDOMAIN"}` : "")).join(", ")} (DNS-3)`
      : `SRV ${verdict.route.srvName}: no record (DNS-3)`);
  }
  return { verdict, dnsSteps: steps };
}
