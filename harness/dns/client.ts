/**
 * A minimal DNS client over real packets (UDP, or TCP with the RFC 1035 4.2.2
 * length prefix), used by `edgesim dns` and the tests to see exactly what the
 * server answered: rcode, flags and every record.
 */
import dgram from "node:dgram";
import net from "node:net";
import * as packet from "dns-packet";
import { assertLoopback } from "../../edge/net/loopback.ts";

export interface DnsReply {
  rcode: string;
  authoritative: boolean;
  truncated: boolean;
  answers: packet.Answer[];
  additionals: packet.Answer[];
}

export async function queryDns(server: { address: string; port: number }, name: string, type: packet.RecordType, transport: "udp" | "tcp" = "udp", timeoutMs = 2000): Promise<DnsReply> {
  assertLoopback(server.address, "query DNS at");
  const id = Math.floor(Math.random() * 65535);
  const query = packet.encode({ id, type: "query", flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: "IN" }] });
  const raw = transport === "udp" ? await overUdp(server, query, timeoutMs) : await overTcp(server, query, timeoutMs);
  const reply = packet.decode(raw);
  return {
    rcode: (reply as { rcode?: string }).rcode ?? "NOERROR",
    authoritative: ((reply.flags ?? 0) & packet.AUTHORITATIVE_ANSWER) !== 0,
    truncated: ((reply.flags ?? 0) & packet.TRUNCATED_RESPONSE) !== 0,
    answers: reply.answers ?? [],
    additionals: reply.additionals ?? [],
  };
}

function overUdp(server: { address: string; port: number }, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no DNS answer from ${server.address}:${server.port} (udp) within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once("message", (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.once("error", (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(query, server.port, server.address);
  });
}

function overTcp(server: { address: string; port: number }, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: server.address, port: server.port });
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      reject(new Error(`no DNS answer from ${server.address}:${server.port} (tcp) within ${timeoutMs} ms`));
    });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(query.length);
    sock.on("connect", () => sock.write(Buffer.concat([len, query])));
    let buf = Buffer.alloc(0);
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.end();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    sock.on("error", reject);
  });
}

export function formatAnswer(a: packet.Answer): string {
  const data = (a as { data?: unknown }).data;
  if (a.type === "SRV" && data && typeof data === "object") {
    const d = data as { priority: number; weight: number; port: number; target: string };
    return `${a.name} ${ttlOf(a)} IN SRV ${d.priority} ${d.weight} ${d.port} ${d.target}`;
  }
  return `${a.name} ${ttlOf(a)} IN ${a.type} ${String(data)}`;
}

function ttlOf(a: packet.Answer): number {
  return (a as { ttl?: number }).ttl ?? 0;
}
