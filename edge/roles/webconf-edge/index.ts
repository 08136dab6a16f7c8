/** The minimal Web Conferencing Edge (docs/load-balancer.md: HLB-1 on its VIP; PORT-3: front ends connect in on 8057). */
export { WebconfEdge } from "./server.ts";
export type { WebconfEdgeOptions } from "./options.ts";
export { PsomHub, PsomRefusal } from "./psom-hub.ts";
export { PSOM_MAX_LINE, eachLine, formatPsomLine, parsePsomLine, readFirstLine, type PsomLine } from "./psom-protocol.ts";
