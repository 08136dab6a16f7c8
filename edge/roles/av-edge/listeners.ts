/**
 * The edge's own listening sockets feeding an AvPacketSink: UDP 3478 and TCP 443 on
 * its external A/V address and on its internal address (PORT-1, PORT-3). A UDP answer
 * leaves from the socket the request arrived on (HLB-2: edge IP -> edge IP).
 */
import dgram from "node:dgram";
import net from "node:net";
import { assertLoopback } from "../../net/loopback.ts";
import type { AvPacketSink } from "./handoff.ts";

export interface Listener {
  transport: "udp" | "tcp";
  address: string;
  port: number;
  close(): Promise<void>;
}

export function listenUdp(sink: AvPacketSink, address: string, port: number): Promise<Listener> {
  assertLoopback(address, "bind the A/V Edge UDP port on");
  const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const local = { address, port };
  socket.on("message", (msg, rinfo) => {
    sink.handleUdp(msg, { client: { address: rinfo.address, port: rinfo.port }, local }, (data) => socket.send(data, rinfo.port, rinfo.address));
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

export function listenTcp(sink: AvPacketSink, address: string, port: number): Promise<Listener> {
  assertLoopback(address, "bind the A/V Edge TCP port on");
  const server = net.createServer((socket) => sink.acceptTcp(socket, { address, port }));
  return new Promise((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`A/V Edge: cannot listen on TCP ${address}:${port}: ${err.message}`)));
    server.listen({ host: address, port, exclusive: true }, () => {
      server.removeAllListeners("error");
      resolve({ transport: "tcp", address, port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
