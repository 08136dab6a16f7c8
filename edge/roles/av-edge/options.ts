/**
 * The A/V Edge's settings, with the defaults of RFC 5766 and the product where it
 * documents one. Tests shorten the lifetimes here (never sleep minutes).
 */
import type { EventSink } from "../../events/types.ts";
import { openGate, type ConnectionGate } from "../../net/gate.ts";

export interface AvEdgeOptions {
  /** The simulated host name for traces ("edge1"). */
  host: string;
  /** The edge's own external A/V address: relay sockets bind here (HLB-3). */
  relayAddress: string;
  /** Relay port range, inclusive (PORT-1: 50000-59999). */
  relayPortMin?: number;
  relayPortMax?: number;
  /** REALM sent in 401s (RFC 5389 10.2). */
  realm: string;
  /** The pool-wide secret MRAS credentials are derived from (credentials.ts); omit to accept static users only. */
  poolSecret?: Buffer;
  /** Fixed username/password pairs (interop with coturn's clients). */
  staticUsers?: Record<string, string>;
  /** Allocation lifetime when the client asks none (RFC 5766 2.2: 600 s). */
  defaultLifetimeSec?: number;
  /** Longest lifetime granted (RFC 5766 6.2: 3600 s suggested). */
  maxLifetimeSec?: number;
  /** RFC 5766 8: permissions last 300 s. */
  permissionLifetimeSec?: number;
  /** RFC 5766 11: channel bindings last 600 s. */
  channelLifetimeSec?: number;
  /** How long a NONCE stays fresh before a 438 (RFC 5389 10.2.2). */
  nonceLifetimeSec?: number;
  /** RFC 5766 6.2 / 486: allocations one username may hold at once. */
  maxAllocationsPerUser?: number;
  /** All allocations of this edge; past it a 508. */
  maxAllocations?: number;
  /** EVEN-PORT reservations (RFC 5766 14.9) are kept this long (RFC: about 30 s). */
  reservationLifetimeSec?: number;
  /** TCP: most connections at once, idle close, largest frame. */
  maxTcpConnections?: number;
  tcpIdleMs?: number;
  maxTcpFrame?: number;
  /** SOFTWARE attribute on responses (RFC 5389 15.10). */
  software?: string;
  /** The firewall every relay flow passes (PORT-1, PORT-5); default openGate (no firewall modelled). */
  gate?: ConnectionGate;
  /**
   * Edge-to-edge media (PORT-1): for a peer IP that is a federated Lync 2010/2013 (or OCS
   * 2007 R2) A/V Edge, the STUN port it takes relayed media on (3478); undefined for any
   * other peer, which gets raw datagrams from the relay port (OCS 2007 needs UDP
   * 50000-59999 both ways for that). The product learns the peer edge's version with a STUN
   * request to its 3478 (seed 002); here the caller says. Default: no edge peers.
   */
  edgePeerPort?: (peerIp: string) => number | undefined;
  events: EventSink;
}

export type ResolvedOptions = Required<Omit<AvEdgeOptions, "poolSecret">> & { poolSecret: Buffer | undefined };

export function resolveOptions(o: AvEdgeOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    relayPortMin: 50000,
    relayPortMax: 59999,
    staticUsers: {},
    defaultLifetimeSec: 600,
    maxLifetimeSec: 3600,
    permissionLifetimeSec: 300,
    channelLifetimeSec: 600,
    nonceLifetimeSec: 3600,
    maxAllocationsPerUser: 64,
    maxAllocations: 5000,
    reservationLifetimeSec: 30,
    maxTcpConnections: 1024,
    tcpIdleMs: 120_000,
    maxTcpFrame: 16_384,
    software: "edgesim A/V Edge (Lync 2013 model)",
    gate: openGate,
    edgePeerPort: () => undefined,
    ...o,
    poolSecret: o.poolSecret,
  };
  if (r.relayPortMin > r.relayPortMax || r.relayPortMin < 1 || r.relayPortMax > 65535)
    throw new RangeError(`A/V Edge ${o.host}: relay port range ${r.relayPortMin}-${r.relayPortMax} is not a valid range`);
  if (r.defaultLifetimeSec > r.maxLifetimeSec)
    throw new RangeError(`A/V Edge ${o.host}: default lifetime ${r.defaultLifetimeSec} s exceeds the maximum ${r.maxLifetimeSec} s`);
  return r;
}
