/**
 * FED-12: every refusal carries a SIP status and an ms-diagnostics style
 * (code, text). The codes are edgesim's own, not Microsoft's: 52RRn where RR is
 * the FED rule number and n a variant (52060 = FED-6); 53RRn for XMPP-RR. The product's real codes
 * for these cases could not be confirmed, so none is imitated
 * (docs/federation-policy.md lists them all).
 */

export type RefusalStatus = 403 | 404 | 480 | 504;

export interface Diagnostics {
  code: number;
  text: string;
}

export interface Refusal {
  status: RefusalStatus;
  /** SIP reason phrase. */
  reason: string;
  diagnostics: Diagnostics;
}

interface CatalogEntry {
  rule: string;
  status: RefusalStatus;
  reason: string;
  code: number;
  text: string;
}

const REASON: Record<RefusalStatus, string> = {
  403: "Forbidden",
  404: "Not Found",
  480: "Temporarily Unavailable",
  504: "Server Time-out",
};

function entry(rule: string, status: RefusalStatus, code: number, text: string): CatalogEntry {
  return { rule, status, reason: REASON[status], code, text };
}

export const DIAGNOSTICS = {
  federationOff: entry("FED-1", 403, 52010, "Federation is disabled (AllowFederatedUsers is false)"),
  notAllowed: entry("FED-2", 403, 52020, "Domain is not in the allow list and partner discovery is off"),
  hostedNotAllowed: entry("FED-5", 403, 52050, "Domain hosted at a hosting provider is not on the allowed domains list and partner discovery is off"),
  blocked: entry("FED-6", 403, 52060, "Domain is blocked"),
  unverifiedNotInContacts: entry("FED-7", 480, 52070, "Unverified sender is not in the recipient's contacts"),
  defaultRouteMissing: entry("FED-8", 504, 52080, "Default routing is configured without DefaultRouteFqdn"),
  policyNoFederation: entry("FED-9", 403, 52090, "User is not enabled for federation (EnableFederationAccess)"),
  policyNoPublicCloud: entry("FED-9", 403, 52091, "User is not enabled for public IM (EnablePublicCloudAccess)"),
  policyNoXmpp: entry("FED-9", 403, 52095, "User is not enabled for XMPP federation (EnableXmppAccess)"),
  xmppOff: entry("XMPP-1", 403, 53010, "XMPP federation is not enabled on this Edge pool"),
  xmppNotPartner: entry("XMPP-2", 403, 53020, "Domain is not on the XMPP allowed partner list"),
  xmppSba: entry("XMPP-5", 403, 53050, "XMPP federation is not available to users homed on a survivable branch appliance"),
  policyMissing: entry("FED-9", 403, 52092, "User's external access policy does not exist"),
  unknownSender: entry("FED-9", 403, 52093, "Sender is not a user of this organisation"),
  unknownRecipient: entry("FED-9", 404, 52094, "User not found"),
  claimsOurDomain: entry("FED-10", 403, 52100, "Federated peer claims one of our own SIP domains"),
  peerNotAuthoritative: entry("FED-10", 403, 52101, "Peer certificate does not name the edge serving the sender's domain"),
  senderSrvUnresolved: entry("FED-10", 504, 52102, "Could not resolve _sipfederationtls._tcp for the sender's domain"),
  targetNotOurs: entry("FED-10", 404, 52103, "Target domain is not served by this organisation"),
  ownDomainOutbound: entry("FED-10", 404, 52104, "Target is in one of our own SIP domains: not federated traffic"),
  malformedUri: entry("FED-12", 403, 52120, "Request URI has no user@domain"),
  watchListed: entry("FED-11", 403, 52110, "Discovered partner exceeded MaxContactsPerDiscoveredPartner and is on the watch list"),
  rateLimited: entry("FED-11", 480, 52111, "Discovered partner exceeded its message rate"),
} as const satisfies Record<string, CatalogEntry>;

export type DiagnosticsKey = keyof typeof DIAGNOSTICS;

/**
 * A code as printed for a person: marked as edgesim's own (see the header), so nobody
 * looks it up in Microsoft's documentation or takes it for what the product sends.
 */
export function ownCode(code: number): string {
  return `${code} [edgesim's own code]`;
}

/** The refusal for a catalog entry, with the case's details appended to the diagnostics text. */
export function refusalFor(key: DiagnosticsKey, detail?: string): Refusal {
  const item = DIAGNOSTICS[key];
  const text = detail ? `${item.rule}: ${item.text}: ${detail}` : `${item.rule}: ${item.text}`;
  return { status: item.status, reason: item.reason, diagnostics: { code: item.code, text } };
}
