/** The minimal Web Conferencing Edge (docs/load-balancer.md: HLB-1 on its VIP). */
export { WebconfEdge } from "./server.ts";
export type { WebconfEdgeOptions } from "./options.ts";
