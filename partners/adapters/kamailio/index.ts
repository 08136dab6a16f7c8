/** Kamailio as a real partner edge or relay (docs/access-edge.md). */
export { writeKamailioConfig, type KamailioConfigOptions, type KamailioRelayRule } from "./config.ts";
export { KamailioProcess } from "./process.ts";
