/** The Web Conferencing Edge's settings: where it listens, who it is, where the PSOM server is. */
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
  /** The internal interface: its certificate (mutual TLS, PORT-3) and address, which the relay dials from. */
  internal: { identity: TlsIdentity; address: string };
  /** The front end's PSOM port (8057, PORT-3): its FQDN (checked against its certificate) and address. */
  psom: { fqdn: string; address: string; port: number };
  events: EventSink;
  /**
   * The external firewall every accepted client passes (PORT-2, PORT-5); default openGate.
   * The PSOM dial is not gated: the sandbox's edge dials the front end's 8057, the reverse
   * of seed 002's row (front end -> edge internal 8057), so no seed rule would pass it.
   */
  gate?: ConnectionGate;
  /** Most client connections at once; default 1024. */
  maxConnections?: number;
  /** How long a TLS handshake or the PSOM dial may take; default 5000 ms. */
  handshakeTimeoutMs?: number;
}
