/**
 * The hardware load balancer's one interface (pion/turn relay_address_generator_*.go
 * style: one strategy per file behind it). A VIP (vip.ts) owns the listening sockets,
 * picks a backend server (pool.ts: health, affinity) and hands each connection or
 * datagram to its strategy:
 * - snat.ts   HLB-1: the VIP replaces the client's source address with its own;
 * - no-nat.ts HLB-2: the backend sees the real client; answers leave from the
 *             address the client targeted (or, misconfigured, HLB-6, from the edge's own).
 */
import type net from "node:net";
import type dgram from "node:dgram";
import type { EventSink } from "../events/types.ts";
import type { AvPacketSink } from "../roles/av-edge/handoff.ts";

export type NatMode = "snat" | "no-nat";
/** "source": a client keeps its backend (TURN allocations need it); "none": round-robin per flow (HLB-6). */
export type Affinity = "source" | "none";
/** HLB-2 "targeted" (answer from the address the client sent to) or the HLB-6 misconfiguration "physical". */
export type AnswerFrom = "targeted" | "physical";

export interface Addr {
  address: string;
  port: number;
}

/** One backend server behind one VIP port. */
export interface BackendTarget {
  /** The server's name in the pool ("edge1"). */
  server: string;
  /** The server's own address and port for this VIP port: SNAT dials it, health checks probe it. */
  target: Addr;
  /** no-NAT: the in-process handoff (the A/V Edge's AvPacketSink, or a role that accepts handed sockets). */
  sink?: Partial<AvPacketSink>;
}

/** What a strategy knows about the VIP listener a packet or connection arrived on. */
export interface ListenerContext {
  /** The VIP's host name in the plan ("vip-av"). */
  vip: string;
  /** The VIP address and port the client targeted. */
  local: Addr;
  transport: "udp" | "tcp";
  events: EventSink;
  /** Emit every datagram and TCP chunk with its bytes (for the pcap writer). */
  capture: boolean;
  /** The VIP's own UDP socket on `local` (UDP listeners only): answers to clients leave from it. */
  udpSocket?: dgram.Socket;
}

/**
 * What a strategy tells the VIP when a backend fails underneath a new flow (connect
 * refused): the VIP counts it against the server's health and returns another
 * healthy backend to retry once, or undefined.
 */
export type BackendFailed = (server: string, reason: string) => BackendTarget | undefined;

export interface LbStrategy {
  readonly mode: NatMode;
  /** The rule IDs this strategy's events carry. */
  readonly rules: readonly string[];
  /** Bind whatever the strategy needs before traffic (e.g. the physical answer sockets of HLB-6). */
  start?(backends: BackendTarget[], ctx: ListenerContext): Promise<void>;
  /** A connection accepted on the VIP: carry it to `backend`. */
  tcp(client: net.Socket, backend: BackendTarget, ctx: ListenerContext, failed: BackendFailed): void;
  /** A datagram from `from` arrived on the VIP's socket: carry it to `backend`. */
  udp(packet: Buffer, from: Addr, backend: BackendTarget, ctx: ListenerContext, failed: BackendFailed): void;
  /** A server went down: drop per-client state that points at it; returns how many flows were dropped. */
  forget(server: string): number;
  close(): Promise<void>;
}

export function addrText(a: Addr): string {
  return `${a.address}:${a.port}`;
}
