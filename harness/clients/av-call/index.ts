/** The federated A/V call client (docs/av-call.md). */
export { placeCall, type CallReport, type SideReport } from "./call.ts";
export { callFindings, type CallFindings } from "./findings.ts";
export { IceAgent, type IceAgentOptions, type MediaPath } from "./ice-agent.ts";
export { CallUa, type CallUaOptions, type InviteOutcome } from "./sip-ua.ts";
export { PartnerCallAnswerer, type AnswerFn, type IncomingCall } from "./partner-answerer.ts";
export { buildSdp, parseSdp, SdpError, type MediaDescription } from "./sdp.ts";
export { candidatePriority, pairPriority, formPairs, makeCandidate, type Candidate, type CandidatePair, type CandidateType, type Addr } from "./ice-types.ts";
export { encodeRtp, decodeRtp, isRtp, MediaCounter } from "./rtp.ts";
