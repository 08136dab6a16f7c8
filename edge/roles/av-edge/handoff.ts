/**
 * The handoff between the hardware load balancer (edge/lb/) and the A/V Edge: the
 * balancer owns the VIP's sockets and hands the A/V Edge what arrived, so the A/V
 * Edge needs no socket of its own on the VIP.
 *
 * - UDP: `handleUdp(packet, flow, reply)`. `flow.client` is the source the edge
 *   sees (the real client with no NAT, HLB-2; the balancer itself with SNAT, HLB-6),
 *   so XOR-MAPPED-ADDRESS names exactly that. `flow.local` is the address the client
 *   targeted (the VIP or the edge's own IP). `reply` must send from `flow.local`'s
 *   socket to `flow.client` (HLB-2: the answer leaves from the address the client
 *   targeted). The edge's own UDP listeners call it with `reply` = their socket's
 *   send; the balancer calls it with `reply` = the VIP socket's send.
 * - TCP: `acceptTcp(socket, local)`: the balancer (or the edge's own TCP listener)
 *   hands over an accepted connection; `local` is the address the client targeted.
 *   The A/V Edge then owns the socket (reads, writes, closes it).
 *
 * Relay sockets (RFC 5766 allocations) are always the edge's own, on its own
 * external A/V address (HLB-3), never the VIP.
 */
export interface UdpFlow { client: { address: string; port: number }; local: { address: string; port: number } } // local = the address the client targeted (VIP or edge IP)
export interface AvPacketSink { handleUdp(packet: Buffer, flow: UdpFlow, reply: (data: Buffer) => void): void; acceptTcp(socket: import("node:net").Socket, local: { address: string; port: number }): void }

/** Where answers to one client go: the transport, the 5-tuple, and how to send back (RFC 5766 2.2). */
export interface ClientPath {
  transport: "udp" | "tcp";
  client: { address: string; port: number };
  local: { address: string; port: number };
  send(data: Buffer): void;
}

/** The RFC 5766 5-tuple key of a client path. */
export function pathKey(p: Pick<ClientPath, "transport" | "client" | "local">): string {
  return `${p.transport}|${p.client.address}:${p.client.port}|${p.local.address}:${p.local.port}`;
}
