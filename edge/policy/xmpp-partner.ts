/**
 * XMPP federation for one of our users with a remote XMPP domain, in the order
 * the live path meets the checks:
 *  - the domain, as the XMPP proxy checks every stream (decideXmppDomain): XMPP-1
 *    XMPP federation enabled on the edge pool (when the caller knows), FED-1
 *    AllowFederatedUsers (the Access Edge's one switch for federated users, XMPP
 *    partners included), FED-6 not blocked, XMPP-2 on the allowed-partner list;
 *  - the user, as the front end's XMPP gateway checks every stanza: FED-9
 *    EnableXmppAccess, XMPP-5 not homed on a survivable branch appliance.
 * Outbound (our user writes) the gateway decides first: user, then domain, like
 * SIP outbound (FED-9 before FED-1). Inbound the proxy decides first: domain,
 * then user, like SIP inbound. The XMPP proxy then authenticates the stream
 * (TLS/SASL/dialback per the entry, XMPP-3); this engine answers who may
 * federate and where to connect.
 */
import type { FederationConfig, XmppAllowedPartner } from "./config.ts";
import { findUser, isBlockedDomain, normalizeFqdn, parseSipAddress, policyOf, sameFqdn } from "./domains.ts";
import type { Direction } from "./request.ts";
import type { Route, Verdict } from "./verdict.ts";
import { DecisionPath, XMPP_SERVER_PORT } from "./verdict.ts";

export interface XmppPartnerRequest {
  /** Our user's SIP URI (the gateway translates the JID). */
  localUser: string;
  /** The remote XMPP domain (the domain part of the JID). */
  remoteDomain: string;
  /** outbound (default): our user writes to the partner; inbound: the partner's stanza to our user. */
  direction?: Direction;
  /** XMPP-1: the edge pool's XMPP federation is enabled (topology EnableXmppFederation); undefined: not checked. */
  xmppFederationEnabled?: boolean;
}

export interface XmppDomainRequest {
  remoteDomain: string;
  xmppFederationEnabled?: boolean;
}

/** XMPP-1, FED-1, FED-6, XMPP-2 for a domain: the partner entry, or the refusal verdict. */
function checkDomain(config: FederationConfig, request: XmppDomainRequest, path: DecisionPath): XmppAllowedPartner | Verdict {
  const domain = normalizeFqdn(request.remoteDomain);
  if (request.xmppFederationEnabled === false) return path.refuse("xmppOff");
  if (request.xmppFederationEnabled === true) path.step("XMPP-1", "XMPP federation is enabled on the edge pool");
  if (!config.accessEdge.AllowFederatedUsers) return path.refuse("federationOff", `XMPP partner ${domain} is refused as well`);
  path.step("FED-1", "AllowFederatedUsers is true: federation is on");
  if (isBlockedDomain(config, domain)) return path.refuse("blocked", domain);
  path.step("FED-6", `${domain} is not on the blocked list`);
  const partner = config.xmppAllowedPartners.find((p) => sameFqdn(p.Identity, domain));
  if (!partner) return path.refuse("xmppNotPartner", `${domain} is not an XMPP allowed partner`);
  path.step(
    "XMPP-2",
    `${domain} is an XMPP allowed partner (${partner.PartnerType}; TLS ${partner.TlsNegotiation}, SASL ${partner.SaslNegotiation}, dialback ${partner.SupportDialbackNegotiation ? "supported" : "not supported"})`,
  );
  return partner;
}

/** FED-9 EnableXmppAccess and XMPP-5 for our user; a refusal verdict or undefined. */
function checkUser(config: FederationConfig, localUser: string, direction: Direction, path: DecisionPath): Verdict | undefined {
  const user = findUser(config, localUser);
  if (!user || !parseSipAddress(localUser)) return path.refuse(direction === "inbound" ? "unknownRecipient" : "unknownSender", localUser);
  const policy = policyOf(config, user);
  if (!policy) return path.refuse("policyMissing", `${user.uri} has policy ${user.policy ?? "Global"}`);
  if (!policy.EnableXmppAccess) return path.refuse("policyNoXmpp", `${user.uri} (policy ${policy.Identity})`);
  path.step("FED-9", `${user.uri} may use XMPP federation: policy ${policy.Identity} has EnableXmppAccess`);
  if (user.homedOnSba) return path.refuse("xmppSba", user.uri);
  path.step("XMPP-5", `${user.uri} is not homed on a survivable branch appliance`);
  return undefined;
}

function isVerdict(x: XmppAllowedPartner | Verdict): x is Verdict {
  return "steps" in x;
}

function allowPartner(partner: XmppAllowedPartner, path: DecisionPath): Verdict {
  const domain = normalizeFqdn(partner.Identity);
  const route: Route = { kind: "xmpp", domain, srvName: `_xmpp-server._tcp.${domain}`, port: XMPP_SERVER_PORT, rule: "XMPP-2" };
  if (partner.ProxyFqdn) route.fqdn = partner.ProxyFqdn;
  return path.allow(route, partner.PartnerType === "PublicUnverified" ? "unverifiable" : "verifiable");
}

/** What the XMPP proxy decides for a stream with `remoteDomain`, before any user is known. */
export function decideXmppDomain(config: FederationConfig, request: XmppDomainRequest): Verdict {
  const path = new DecisionPath();
  const partner = checkDomain(config, request, path);
  return isVerdict(partner) ? partner : allowPartner(partner, path);
}

export function decideXmppPartner(config: FederationConfig, request: XmppPartnerRequest): Verdict {
  const path = new DecisionPath();
  const domainRequest: XmppDomainRequest = { remoteDomain: request.remoteDomain, ...(request.xmppFederationEnabled !== undefined ? { xmppFederationEnabled: request.xmppFederationEnabled } : {}) };
  if (request.direction === "inbound") {
    const partner = checkDomain(config, domainRequest, path);
    if (isVerdict(partner)) return partner;
    const refused = checkUser(config, request.localUser, "inbound", path);
    if (refused) return refused;
    // Inbound ends with our user (the gateway translates it to SIP, XMPP-4).
    return path.allow({ kind: "internal", user: findUser(config, request.localUser)!.uri }, partner.PartnerType === "PublicUnverified" ? "unverifiable" : "verifiable");
  }
  const refused = checkUser(config, request.localUser, "outbound", path);
  if (refused) return refused;
  const partner = checkDomain(config, domainRequest, path);
  return isVerdict(partner) ? partner : allowPartner(partner, path);
}
