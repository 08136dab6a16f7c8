/**
 * The A/V Edge role (docs/av-edge.md): STUN/TURN server behind the AvPacketSink handoff,
 * its own listeners, and the A/V authentication service (MRAS) with its client.
 */
export type { AvPacketSink, ClientPath, UdpFlow } from "./handoff.ts";
export { AvEdgeServer } from "./server.ts";
export type { AvEdgeOptions } from "./options.ts";
export type { AvEdgeStats } from "./context.ts";
export { listenTcp, listenUdp, type Listener, type ListenerGuard } from "./listeners.ts";
export { derivePoolSecret, issueCredentials, lookupPassword, passwordFor, type AvCredentials } from "./credentials.ts";
export { MrasServer, type MrasServerOptions } from "./mras-server.ts";
export { requestAvCredentials, AvCredentialError, type AvCredentialRequest, type GrantedAvCredentials } from "./mras-client.ts";
export { MRAS_DEFAULT_LIFETIME_SEC, type MrasServerEntry } from "./mras-protocol.ts";
