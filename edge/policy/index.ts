/** The federation policy engine's public API (docs/federation-policy.md). */
export * from "./config.ts";
export type { PolicyRequest, PeerIdentity, Direction } from "./request.ts";
export type { Route, Verdict, Verification, DecisionStep } from "./verdict.ts";
export { verdictForJson, FEDERATION_PORT, XMPP_SERVER_PORT } from "./verdict.ts";
export { decideXmppPartner, decideXmppDomain } from "./xmpp-partner.ts";
export type { XmppPartnerRequest, XmppDomainRequest } from "./xmpp-partner.ts";
export type { Refusal, RefusalStatus, Diagnostics, DiagnosticsKey } from "./diagnostics.ts";
export { DIAGNOSTICS } from "./diagnostics.ts";
export { decide } from "./decide.ts";
export type { ThrottleState, ThrottleEvent, ThrottleResult, PartnerThrottle } from "./throttle.ts";
export { applyThrottle, recordOutcome, emptyThrottleState } from "./throttle.ts";
export type { SrvRecord, PartnerProduct, EdgeLoadBalancing, PartnerFailover } from "./srv.ts";
export { orderSrvTargets, connectingPartnerFailover, federationSrvName, OUR_EDGE_FAILOVER } from "./srv.ts";
export { certificateNamesInclude, expectedPeerName, requiresClientAuthEku } from "./cert-names.ts";
export { formatVerdict } from "./explain.ts";
export { parseSipAddress, canonicalSipUri, normalizeFqdn } from "./domains.ts";
