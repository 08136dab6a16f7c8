/**
 * A real authoritative DNS server for one view, over UDP and TCP on one loopback
 * address (RFC 1035 4.2: TCP messages carry a two-byte length). Built on
 * dns-packet. Limits: 512-byte UDP answers are truncated (TC) past the size, TCP
 * messages up to 64 KiB, at most 64 TCP connections, idle TCP closed after 10 s.
 *
 * PORT-5: given the world's `gate`, the server sits behind the firewalls like
 * every other host: a UDP query is checked per flow (UdpGate: the answer rides on
 * the allowed flow) and a TCP peer when accepted (gatedListen). A dropped query is
 * not answered, the asker times out, and the gate traces a firewall.drop with
 * PORT-5 and the missing rule (e.g. 002-ext-node-dns-udp-53-out for an Access
 * Edge, PORT-1). Without a gate (the server used alone) nothing is checked.
 */
import dgram from "node:dgram";
import net from "node:net";
import * as packet from "dns-packet";
import type { EventSink } from "../../edge/events/types.ts";
import { gatedListen, type ConnectionGate } from "../../edge/net/gate.ts";
import { UdpGate } from "../../edge/net/udp-gate.ts";
import { answerQuestion, type View } from "./answer.ts";
import { describeRecord, type DnsRecord } from "./records.ts";

export interface DnsServerOptions {
  view: View;
  address: string;
  port: number;
  host: string;
  events: EventSink;
  /** The world's firewalls (PORT-5); default: none modelled, every query answered. */
  gate?: ConnectionGate;
}

const MAX_TCP_CONNECTIONS = 64;
const TCP_IDLE_MS = 10_000;

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(private readonly opts: DnsServerOptions) {}

  async start(): Promise<void> {
    const { address, port, host, events, gate } = this.opts;
    const purpose = `DNS query (${this.opts.view.name} view)`;
    const udpGate = new UdpGate({ events, host, purpose, ...(gate ? { gate } : {}) });
    const local = { address, port };
    this.udp = dgram.createSocket("udp4");
    this.udp.on("message", (msg, rinfo) => {
      if (!udpGate.receive({ address: rinfo.address, port: rinfo.port }, local)) return;
      const reply = this.handle(msg, "udp", rinfo.address, rinfo.port);
      if (reply) this.udp?.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      this.udp!.once("error", reject);
      this.udp!.bind(port, address, () => resolve());
    });
    try {
      this.tcp = gate
        ? await gatedListen({ gate, events, host, purpose, address, port, transport: "tcp", onConnection: (s) => this.serveTcp(s) })
        : await listen(net.createServer((s) => this.serveTcp(s)), address, port);
    } catch (err) {
      await new Promise<void>((r) => this.udp!.close(() => r()));
      this.udp = undefined;
      throw err;
    }
    this.tcp.maxConnections = MAX_TCP_CONNECTIONS;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  private serveTcp(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        const reply = this.handle(msg, "tcp", socket.remoteAddress ?? "", socket.remotePort ?? 0);
        if (!reply) continue;
        const framed = Buffer.alloc(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    });
  }

  /** Decode, answer, encode. A message that cannot be decoded gets FORMERR when its ID is readable. */
  private handle(msg: Buffer, transport: "udp" | "tcp", srcAddress: string, srcPort: number): Buffer | undefined {
    const tuple = { transport, srcAddress, srcPort, dstAddress: this.opts.address, dstPort: this.opts.port } as const;
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch (err) {
      this.opts.events({ kind: "dns.query", ts: Date.now(), host: this.opts.host, tuple, rules: [], view: this.opts.view.name, name: "(undecodable)", type: "-", rcode: "FORMERR", answers: [`${(err as Error).message}`] });
      if (msg.length < 2) return undefined;
      return packet.encode({ id: msg.readUInt16BE(0), type: "response", flags: 1 /* FORMERR */, questions: [], answers: [] });
    }
    const q = query.questions?.[0];
    if (!q || query.type !== "query") {
      return packet.encode({ id: query.id ?? 0, type: "response", flags: 1, questions: query.questions ?? [], answers: [] });
    }
    const result = answerQuestion(this.opts.view, q.name, q.type);
    this.opts.events({
      kind: "dns.query", ts: Date.now(), host: this.opts.host, tuple, view: this.opts.view.name,
      rules: this.opts.view.name === "external" || result.rcode === "NXDOMAIN" ? ["DNS-4"] : [],
      name: q.name, type: q.type, rcode: result.rcode, answers: result.answers.map(describeRecord),
    });
    const rcodeFlag = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 }[result.rcode];
    const rd = (query.flags ?? 0) & packet.RECURSION_DESIRED;
    const response: packet.Packet = {
      id: query.id ?? 0,
      type: "response",
      flags: packet.AUTHORITATIVE_ANSWER | rd | rcodeFlag,
      questions: [q],
      answers: result.answers.map(toAnswer),
      additionals: result.additionals.map(toAnswer),
    };
    let out = packet.encode(response);
    if (transport === "udp" && out.length > 512) {
      out = packet.encode({ ...response, flags: (response.flags ?? 0) | packet.TRUNCATED_RESPONSE, answers: [], additionals: [] });
    }
    return out;
  }
}

function listen(server: net.Server, address: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function toAnswer(r: DnsRecord): packet.Answer {
  switch (r.type) {
    case "A":
      return { type: "A", name: r.name, ttl: r.ttl, class: "IN", data: r.address };
    case "CNAME":
      return { type: "CNAME", name: r.name, ttl: r.ttl, class: "IN", data: r.target };
    case "SRV":
      return { type: "SRV", name: r.name, ttl: r.ttl, class: "IN", data: { priority: r.priority, weight: r.weight, port: r.port, target: r.target } };
  }
}
