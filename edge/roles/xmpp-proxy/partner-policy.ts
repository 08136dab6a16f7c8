/**
 * The XMPP proxy's answer to "may this domain federate, and how?": the policy
 * engine's domain checks (decideXmppDomain: XMPP-1 XMPP federation enabled, FED-1
 * AllowFederatedUsers, FED-6 not blocked, XMPP-2 on the allowed-partner list), so
 * the live stream and `edgesim explain` give one verdict. A refusal is a stream
 * error policy-violation naming the rule. The entry's TlsNegotiation,
 * SaslNegotiation and SupportDialbackNegotiation become the stream settings;
 * PartnerType decides whether what the partner sends is verifiable.
 */
import type { FederationConfig } from "../../policy/config.ts";
import { normalizeFqdn } from "../../policy/domains.ts";
import { decideXmppDomain } from "../../policy/xmpp-partner.ts";
import type { PartnerDecision } from "./s2s-types.ts";

/** What the stream error says, per deciding rule (the ms-diagnostics code follows it). */
const REFUSAL_TEXT: Record<string, (domain: string) => string> = {
  "XMPP-1": () => "XMPP federation is not enabled on this Edge",
  "FED-1": (d) => `AllowFederatedUsers is false: federation is off, for XMPP partner ${d} too`,
  "FED-6": (d) => `${d} is on the blocked domain list`,
  "XMPP-2": (d) => `${d} is not an XMPP allowed partner`,
};

export function decideXmppStreamPartner(config: FederationConfig, enabled: boolean, domain: string): PartnerDecision {
  const d = normalizeFqdn(domain);
  const verdict = decideXmppDomain(config, { remoteDomain: d, xmppFederationEnabled: enabled });
  if (!verdict.allowed) {
    const rule = verdict.steps.at(-1)?.rule ?? "XMPP-2";
    const code = verdict.refusal?.diagnostics.code;
    const text = REFUSAL_TEXT[rule]?.(d) ?? verdict.refusal?.diagnostics.text ?? "refused";
    return { allowed: false, condition: "policy-violation", rules: [rule], detail: code !== undefined ? `${text} (${code})` : text };
  }
  const p = config.xmppAllowedPartners.find((x) => normalizeFqdn(x.Identity) === d)!;
  return {
    allowed: true,
    settings: { tls: p.TlsNegotiation, sasl: p.SaslNegotiation, dialback: p.SupportDialbackNegotiation },
    rules: ["XMPP-2"],
    detail: `${d}: ${p.PartnerType}, TLS ${p.TlsNegotiation}, SASL ${p.SaslNegotiation}, dialback ${p.SupportDialbackNegotiation ? "on" : "off"}`,
    verifiable: verdict.verification === "verifiable",
    ...(p.ProxyFqdn ? { proxyFqdn: p.ProxyFqdn } : {}),
  };
}
