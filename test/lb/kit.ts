/**
 * A small A/V packet sink for the balancer tests (the real A/V Edge is tested in
 * test/av-edge): it answers a STUN Binding request with the XOR-MAPPED-ADDRESS it
 * was given (flow.client, RFC 5389 15.2), echoes any other datagram as JSON naming
 * the edge and the 5-tuple it saw, and on TCP writes one line per chunk with the
 * peer it sees. stop() makes it fall silent, like a dead server.
 */
import dgram from "node:dgram";
import { existsSync } from "node:fs";
import type net from "node:net";
import type { AvPacketSink, UdpFlow } from "../../edge/roles/av-edge/handoff.ts";
import { StunClass, StunMethod, StunMessageBuilder, Software, XorMappedAddress, decodeStun, getXorMappedAddress, isStun, newTransactionId } from "../../edge/wire/stun/index.ts";

export interface Seen { edge: string; client: string; local: string; text: string }

export class EchoSink implements AvPacketSink {
  readonly seen: Seen[] = [];
  stopped = false;
  constructor(readonly edge: string) {}

  handleUdp(packet: Buffer, flow: UdpFlow, reply: (data: Buffer) => void): void {
    if (this.stopped) return;
    const seen = { edge: this.edge, client: `${flow.client.address}:${flow.client.port}`, local: `${flow.local.address}:${flow.local.port}`, text: "" };
    if (isStun(packet)) {
      const req = decodeStun(packet);
      this.seen.push({ ...seen, text: "binding" });
      reply(new StunMessageBuilder(StunMethod.Binding, StunClass.SuccessResponse, req.transactionId)
        .set(XorMappedAddress({ family: "IPv4", address: flow.client.address, port: flow.client.port })).set(Software(this.edge)).addFingerprint().encode());
      return;
    }
    this.seen.push({ ...seen, text: packet.toString() });
    reply(Buffer.from(JSON.stringify({ ...seen, text: packet.toString() })));
  }

  acceptTcp(socket: net.Socket, local: { address: string; port: number }): void {
    if (this.stopped) return void socket.destroy();
    socket.on("data", (d) => {
      this.seen.push({ edge: this.edge, client: `${socket.remoteAddress}:${socket.remotePort}`, local: `${local.address}:${local.port}`, text: d.toString() });
      socket.write(`${this.edge} sees ${socket.remoteAddress}:${socket.remotePort} targeting ${local.address}:${local.port}\n`);
    });
    socket.on("error", () => socket.destroy());
  }
}

/** The edge's own UDP listener on its physical address feeding a sink (answers leave from that socket). */
export async function edgeUdpListener(sink: AvPacketSink, address: string, port = 0): Promise<dgram.Socket> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(port, address, () => r()));
  const local = { address, port: s.address().port };
  s.on("message", (m, r) => sink.handleUdp(m, { client: { address: r.address, port: r.port }, local }, (d) => s.send(d, r.port, r.address)));
  return s;
}

/** A UDP client; connected (dgram connect) when `to` is given, so its kernel drops datagrams from anyone else. */
export async function udpClient(address: string, to?: { address: string; port: number }): Promise<dgram.Socket> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  if (to) await new Promise<void>((r) => s.connect(to.port, to.address, () => r()));
  return s;
}

/** The next datagram on a socket, or undefined after `ms` (bounded: tests never wait forever). */
export function nextDatagram(s: dgram.Socket, ms = 2000): Promise<{ data: Buffer; from: string } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { s.off("message", on); resolve(undefined); }, ms);
    const on = (data: Buffer, r: dgram.RemoteInfo) => { clearTimeout(timer); s.off("message", on); resolve({ data, from: `${r.address}:${r.port}` }); };
    s.on("message", on);
  });
}

/** Sends a STUN Binding request and returns the mapped address of the answer, and who sent it. */
export async function binding(s: dgram.Socket, to?: { address: string; port: number }, ms = 2000): Promise<{ mapped: string; from: string; software: string } | undefined> {
  const req = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId()).addFingerprint().encode();
  const got = nextDatagram(s, ms);
  if (to) s.send(req, to.port, to.address);
  else s.send(req);
  const a = await got;
  if (!a) return undefined;
  const m = decodeStun(a.data);
  const x = getXorMappedAddress(m);
  const sw = m.attributes.find((v) => v.type === 0x8022);
  return { mapped: x ? `${x.address}:${x.port}` : "", from: a.from, software: sw ? Buffer.from(sw.value).toString() : "" };
}

export function localOf(s: dgram.Socket): string {
  const a = s.address();
  return `${a.address}:${a.port}`;
}

/**
 * The Debian program of that name, skipping node_modules/.bin (an npm package's `stun`
 * bin shadows stun-client's under npx/vitest, whose PATH puts node_modules/.bin first).
 */
export function systemProgram(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir || dir.includes("node_modules")) continue;
    const p = `${dir}/${name}`;
    if (existsSync(p)) return p;
  }
  throw new RangeError(`${name} is not installed outside node_modules (PATH ${process.env.PATH})`);
}
