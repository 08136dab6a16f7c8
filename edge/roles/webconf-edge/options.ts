/** The Web Conferencing Edge's settings: where it listens outside and inside, who it is, whom it lets in. */
import type { EventSink } from "../../events/types.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import type { ConnectionGate } from "../../net/gate.ts";

export interface WebconfEdgeOptions {
  /** The simulated host ("edge1"). */
  host: string;
  /** The edge's own external Web Conferencing address and port (TLS 443, PORT-2). */
  listen: { address: string; port: number };
  /** The external certificate (CERT-1: webconf.<domain> is on it). */
  external: TlsIdentity;
  /**
   * The internal interface where the front ends' PSOM connections arrive (PORT-3: PSOM
   * MTLS TCP 8057, seed 002 row 002-int-node-psom-8057: front end -> edge, never the
   * reverse): its certificate (mutual TLS), address and port.
   */
  internal: { identity: TlsIdentity; address: string; port: number };
  /** DNS names a front end's client certificate must carry one of (the pool and its servers). */
  frontEndNames: string[];
  events: EventSink;
  /** The firewalls every accepted peer passes: external clients on 443 (PORT-2) and front ends on 8057 (PORT-3), PORT-5; default openGate. */
  gate?: ConnectionGate;
  /** Most client connections at once; default 1024. */
  maxConnections?: number;
  /** How long a TLS handshake, or a front end's data leg for a client, may take; default 5000 ms. */
  handshakeTimeoutMs?: number;
}
