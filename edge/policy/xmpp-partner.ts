/**
 * XMPP federation for one of our users with a remote XMPP domain, either way:
 * FED-9 the user needs EnableXmppAccess, XMPP-5 not homed on a survivable branch
 * appliance, FED-6 the domain is not blocked, XMPP-2 only listed partners. The
 * XMPP proxy then authenticates the stream (TLS/SASL/dialback per the entry,
 * XMPP-3); this engine only answers who may federate and where to connect.
 * Whether AllowFederatedUsers (FED-1) also gates XMPP could not be confirmed,
 * so it is not applied here.
 */
import type { FederationConfig } from "./config.ts";
import { findUser, isBlockedDomain, parseSipAddress, policyOf, sameFqdn } from "./domains.ts";
import type { Route, Verdict } from "./verdict.ts";
import { DecisionPath, XMPP_SERVER_PORT } from "./verdict.ts";

export interface XmppPartnerRequest {
  /** Our user's SIP URI (the gateway translates the JID). */
  localUser: string;
  /** The remote XMPP domain (the domain part of the JID). */
  remoteDomain: string;
}

export function decideXmppPartner(config: FederationConfig, request: XmppPartnerRequest): Verdict {
  const path = new DecisionPath();
  const user = findUser(config, request.localUser);
  const domain = request.remoteDomain.trim().toLowerCase();
  if (!user || !parseSipAddress(request.localUser)) return path.refuse("unknownSender", request.localUser);
  const policy = policyOf(config, user);
  if (!policy) return path.refuse("policyMissing", `${user.uri} has policy ${user.policy ?? "Global"}`);
  if (!policy.EnableXmppAccess) return path.refuse("policyNoXmpp", `${user.uri} (policy ${policy.Identity})`);
  path.step("FED-9", `${user.uri} may use XMPP federation: policy ${policy.Identity} has EnableXmppAccess`);
  if (user.homedOnSba) return path.refuse("xmppSba", user.uri);
  path.step("XMPP-5", `${user.uri} is not homed on a survivable branch appliance`);
  if (isBlockedDomain(config, domain)) return path.refuse("blocked", domain);
  path.step("FED-6", `${domain} is not on the blocked list`);
  const partner = config.xmppAllowedPartners.find((p) => sameFqdn(p.Identity, domain));
  if (!partner) return path.refuse("xmppNotPartner", domain);
  path.step(
    "XMPP-2",
    `${domain} is an XMPP allowed partner (${partner.PartnerType}; TLS ${partner.TlsNegotiation}, SASL ${partner.SaslNegotiation}, dialback ${partner.SupportDialbackNegotiation ? "supported" : "not supported"})`,
  );
  const srvName = `_xmpp-server._tcp.${domain}`;
  const route: Route = { kind: "xmpp", domain, srvName, port: XMPP_SERVER_PORT, rule: "XMPP-2" };
  if (partner.ProxyFqdn) route.fqdn = partner.ProxyFqdn;
  return path.allow(route, partner.PartnerType === "PublicUnverified" ? "unverifiable" : "verifiable");
}
