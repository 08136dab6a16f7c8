/**
 * The Access Edge role (docs/access-edge.md) and the SIP-over-TLS building blocks the
 * front end and the partners reuse: connections, listeners, dials, ms-diagnostics.
 */
export { AccessEdge } from "./access-edge.ts";
export type { AccessEdgeOptions } from "./options.ts";
export { SipConnection, type SipConnectionHandler, type SipConnectionInfo } from "./sip-connection.ts";
export { ConnectionPool, type ConnectionPoolOptions } from "./connection-pool.ts";
export { listenTls, dialTls, DialError, ListenError, identityAllowsClientAuth, type TlsListener, type TlsListenOptions } from "./tls-endpoints.ts";
export { EDGE_DIAGNOSTICS, edgeRefusal, formatMsDiagnostics, parseMsDiagnostics, type EdgeRefusal } from "./diagnostics.ts";
export { peerCertificateOf, allowsClientAuth, type PeerCertificate } from "./peer-certificate.ts";
export { answerable, refusalResponse } from "./forwarder.ts";
