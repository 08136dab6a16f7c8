/**
 * The handoff between the hardware load balancer (edge/lb/) and the A/V Edge: the
 * balancer owns the VIP's sockets and hands the A/V Edge what arrived, so the A/V
 * Edge needs no socket of its own on the VIP.
 *
 * - UDP: `handleUdp(packet, flow, reply)`. `flow.client` is the source the edge
 *   sees (the real client with no NAT, HLB-2; the balancer itself with SNAT, HLB-6),
 *   so XOR-MAPPED-ADDRESS names exactly that. `flow.local` is the address the client
 *   targeted (the VIP or the edge's own IP). `flow.server`, when the balancer gives
 *   it, is the edge's own address and port the balancer rewrote the destination to
 *   (no NAT rewrites only the destination, HLB-2): it is the server side of the
 *   RFC 5766 5-tuple, so an allocation made through the VIP is the same allocation
 *   when the client later talks to the edge's own address (HLB-3, below). Absent,
 *   the server side is `flow.local`. `reply` must send from `flow.local`'s
 *   socket to `flow.client` (HLB-2: the answer leaves from the address the client
 *   targeted). The edge's own UDP listeners call it with `reply` = their socket's
 *   send; the balancer calls it with `reply` = the VIP socket's send.
 * - TCP: `acceptTcp(socket, local)`: the balancer (or the edge's own TCP listener)
 *   hands over an accepted connection; `local` is the address the client targeted.
 *   The A/V Edge then owns the socket (reads, writes, closes it).
 *
 * Relay sockets (RFC 5766 allocations) are always the edge's own, on its own
 * external A/V address (HLB-3), never the VIP. Once allocated, the client sends its
 * later requests, Send indications and ChannelData to the edge's own address (the IP
 * of XOR-RELAYED-ADDRESS, the server's port; docs/av-edge.md): the 5-tuple is the
 * same, and the allocation follows the path the client last used, so Data
 * indications and ChannelData leave from the edge's own address too.
 */
export interface Addr { address: string; port: number }
export interface UdpFlow {
  client: Addr;
  /** The address the client targeted (VIP or edge IP): answers leave from it. */
  local: Addr;
  /** The edge's own address the balancer delivered to (no NAT: destination rewritten); the 5-tuple's server side. */
  server?: Addr;
}
export interface AvPacketSink { handleUdp(packet: Buffer, flow: UdpFlow, reply: (data: Buffer) => void): void; acceptTcp(socket: import("node:net").Socket, local: { address: string; port: number }): void }

/** Where answers to one client go: the transport, the 5-tuple, and how to send back (RFC 5766 2.2). */
export interface ClientPath {
  transport: "udp" | "tcp";
  client: Addr;
  /** The address the client targeted: answers leave from it (HLB-2). */
  local: Addr;
  /** The edge's own address behind a no-NAT VIP (UdpFlow.server); absent when the client targeted the edge itself. */
  server?: Addr;
  send(data: Buffer): void;
}

/** The RFC 5766 5-tuple key of a client path: the server side is the edge's own address, whichever way the client reached it (HLB-3). */
export function pathKey(p: Pick<ClientPath, "transport" | "client" | "local" | "server">): string {
  const s = p.server ?? p.local;
  return `${p.transport}|${p.client.address}:${p.client.port}|${s.address}:${s.port}`;
}
