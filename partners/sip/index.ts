/** SIP partner organisations (docs/access-edge.md) and the user-agent pieces the front end reuses. */
export { SipPartner, type PartnerUser } from "./partner-org.ts";
export { PartnerEdge } from "./partner-edge.ts";
export { PartnerDialler, type DialOutcome, type EstablishedEdge } from "./partner-dialler.ts";
export type { SipPartnerOptions, PartnerEdgeSpec, SipPartnerProduct } from "./partner-options.ts";
export { Inbox } from "./inbox.ts";
export { buildRequest, UacTable, receivedMessage, answer, aor, type SendResult, type ReceivedMessage, type RequestSpec } from "./ua.ts";
