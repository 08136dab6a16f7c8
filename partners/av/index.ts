/** A partner organisation's A/V Edge (docs/av-call.md). */
export { PartnerAvEdge, type PartnerAvEdgeOptions } from "./partner-av-edge.ts";
