/**
 * The edge's own listening sockets feeding an AvPacketSink: UDP 3478 and TCP 443 on
 * its external A/V address and on its internal address (PORT-1, PORT-3). A UDP answer
 * leaves from the socket the request arrived on (HLB-2: edge IP -> edge IP).
 * With a `gate`, every accepted TCP peer and every new UDP peer flow passes the
 * world's firewall first (PORT-1, PORT-3, PORT-5; edge/net/udp-gate.ts).
 */
import dgram from "node:dgram";
import net from "node:net";
import type { EventSink } from "../../events/types.ts";
import { gatedListen, type ConnectionGate } from "../../net/gate.ts";
import { assertLoopback } from "../../net/loopback.ts";
import { UdpGate } from "../../net/udp-gate.ts";
import type { AvPacketSink } from "./handoff.ts";

/** The firewall a listener's peers pass; without one nothing is checked (a component used alone). */
export interface ListenerGuard {
  gate: ConnectionGate;
  events: EventSink;
  /** The simulated host ("edge1"). */
  host: string;
}

export interface Listener {
  transport: "udp" | "tcp";
  address: string;
  port: number;
  close(): Promise<void>;
}

export function listenUdp(sink: AvPacketSink, address: string, port: number, guard?: ListenerGuard): Promise<Listener> {
  assertLoopback(address, "bind the A/V Edge UDP port on");
  const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const local = { address, port };
  const fw = new UdpGate({ ...guard, host: guard?.host ?? address, events: guard?.events ?? (() => undefined), purpose: "A/V Edge STUN/TURN (UDP 3478)" });
  socket.on("message", (msg, rinfo) => {
    const client = { address: rinfo.address, port: rinfo.port };
    if (!fw.receive(client, local)) return; // the gate traced the drop (PORT-5)
    sink.handleUdp(msg, { client, local }, (data) => {
      if (fw.send(local, client)) socket.send(data, rinfo.port, rinfo.address);
    });
  });
  return new Promise((resolve, reject) => {
    socket.once("error", (err) => reject(new Error(`A/V Edge: cannot bind UDP ${address}:${port}: ${err.message}`)));
    socket.bind({ address, port, exclusive: true }, () => {
      socket.removeAllListeners("error");
      // A send error (ICMP unreachable on loopback) must not crash the edge: the peer left.
      socket.on("error", () => undefined);
      resolve({ transport: "udp", address, port, close: () => new Promise((r) => socket.close(() => r())) });
    });
  });
}

export async function listenTcp(sink: AvPacketSink, address: string, port: number, guard?: ListenerGuard): Promise<Listener> {
  assertLoopback(address, "bind the A/V Edge TCP port on");
  if (guard) {
    const server = await gatedListen({ ...guard, address, port, transport: "tcp", purpose: "A/V Edge STUN/TURN over TCP", onConnection: (s) => sink.acceptTcp(s, { address, port }) }).catch((err: Error) => {
      throw new Error(`A/V Edge: cannot listen on TCP ${address}:${port}: ${err.message}`, { cause: err });
    });
    return { transport: "tcp", address, port, close: () => new Promise((r) => server.close(() => r())) };
  }
  const server = net.createServer((socket) => sink.acceptTcp(socket, { address, port }));
  return new Promise((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`A/V Edge: cannot listen on TCP ${address}:${port}: ${err.message}`)));
    server.listen({ host: address, port, exclusive: true }, () => {
      server.removeAllListeners("error");
      resolve({ transport: "tcp", address, port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
