/**
 * The XMPP proxy's answer to "may this domain federate, and how?" (XMPP-2): only
 * domains on the XMPP allowed-partner list, never a blocked domain (FED-6), nothing
 * when XMPP federation is off (XMPP-1). The entry's TlsNegotiation, SaslNegotiation
 * and SupportDialbackNegotiation become the stream settings; PartnerType decides
 * whether what the partner sends is verifiable (PublicUnverified is not).
 */
import type { FederationConfig } from "../../policy/config.ts";
import type { PartnerDecision } from "./s2s-types.ts";

export function decideXmppStreamPartner(config: FederationConfig, enabled: boolean, domain: string): PartnerDecision {
  const d = domain.trim().toLowerCase().replace(/\.$/, "");
  if (!enabled) return { allowed: false, condition: "policy-violation", rules: ["XMPP-1"], detail: "XMPP federation is not enabled on this Edge" };
  if (config.blockedDomains.some((b) => b.Identity.toLowerCase() === d)) return { allowed: false, condition: "policy-violation", rules: ["FED-6"], detail: `${d} is on the blocked domain list` };
  const p = config.xmppAllowedPartners.find((x) => x.Identity.toLowerCase() === d);
  if (!p) return { allowed: false, condition: "policy-violation", rules: ["XMPP-2"], detail: `${d} is not an XMPP allowed partner` };
  return {
    allowed: true,
    settings: { tls: p.TlsNegotiation, sasl: p.SaslNegotiation, dialback: p.SupportDialbackNegotiation },
    rules: ["XMPP-2"],
    detail: `${d}: ${p.PartnerType}, TLS ${p.TlsNegotiation}, SASL ${p.SaslNegotiation}, dialback ${p.SupportDialbackNegotiation ? "on" : "off"}`,
    verifiable: p.PartnerType !== "PublicUnverified",
    ...(p.ProxyFqdn ? { proxyFqdn: p.ProxyFqdn } : {}),
  };
}
