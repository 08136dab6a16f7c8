/**
 * A minimal DNS client over real packets (UDP, or TCP with the RFC 1035 4.2.2
 * length prefix), used by `edgesim dns` and the tests to see exactly what the
 * server answered: rcode, flags and every record.
 *
 * PORT-5: the world's DNS servers are behind its firewalls, which judge a query by
 * its source, so the query binds `from` (a host's planned address). Without it,
 * it leaves from the server's own address, as `dig` run on the DNS server itself:
 * a query that crosses no firewall (the kernel's default, 127.0.0.1, would be the
 * internet, which the internal view does not answer). A dropped query gets no
 * answer: queryDns rejects with DnsTimeoutError.
 */
import dgram from "node:dgram";
import net from "node:net";
import * as packet from "dns-packet";
import { assertLoopback } from "../../edge/net/loopback.ts";

/** One record of a reply, as received. */
export interface ReplyRecord {
  name: string;
  type: string;
  ttl: number;
  /** A: the address; CNAME: the target; SRV: { priority, weight, port, target }. */
  data: unknown;
}

export interface DnsReply {
  rcode: string;
  authoritative: boolean;
  truncated: boolean;
  answers: ReplyRecord[];
  additionals: ReplyRecord[];
}

function toRecord(a: packet.Answer): ReplyRecord {
  return { name: a.name, type: a.type, ttl: (a as { ttl?: number }).ttl ?? 0, data: (a as { data?: unknown }).data };
}

/** A DNS server to ask, and the address the query leaves from (default: the server's own). */
export interface DnsTarget {
  address: string;
  port: number;
  from?: string;
}

/** No answer within the timeout: the server is down, or a firewall dropped the query (PORT-5, see the trace). */
export class DnsTimeoutError extends Error {
  readonly code = "ETIMEOUT";
  constructor(server: DnsTarget, transport: "udp" | "tcp", timeoutMs: number) {
    super(`no DNS answer from ${server.address}:${server.port} (${transport}${server.from ? `, asked from ${server.from}` : ""}) within ${timeoutMs} ms`);
    this.name = "DnsTimeoutError";
  }
}

export async function queryDns(server: DnsTarget, name: string, type: packet.RecordType, transport: "udp" | "tcp" = "udp", timeoutMs = 2000): Promise<DnsReply> {
  assertLoopback(server.address, "query DNS at");
  assertLoopback(server.from ?? server.address, "query DNS from");
  const id = Math.floor(Math.random() * 65535);
  const query = packet.encode({ id, type: "query", flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: "IN" }] });
  const raw = transport === "udp" ? await overUdp(server, query, timeoutMs) : await overTcp(server, query, timeoutMs);
  const reply = packet.decode(raw);
  return {
    rcode: (reply as { rcode?: string }).rcode ?? "NOERROR",
    authoritative: ((reply.flags ?? 0) & packet.AUTHORITATIVE_ANSWER) !== 0,
    truncated: ((reply.flags ?? 0) & packet.TRUNCATED_RESPONSE) !== 0,
    answers: (reply.answers ?? []).map(toRecord),
    additionals: (reply.additionals ?? []).filter((a) => a.type !== "OPT").map(toRecord),
  };
}

function overUdp(server: DnsTarget, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      sock.close();
      reject(new DnsTimeoutError(server, "udp", timeoutMs));
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
    sock.bind(0, server.from ?? server.address, () => sock.send(query, server.port, server.address));
  });
}

function overTcp(server: DnsTarget, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: server.address, port: server.port, localAddress: server.from ?? server.address });
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      reject(new DnsTimeoutError(server, "tcp", timeoutMs));
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

export function formatAnswer(a: ReplyRecord): string {
  if (a.type === "SRV" && a.data && typeof a.data === "object") {
    const d = a.data as { priority: number; weight: number; port: number; target: string };
    return `${a.name} ${a.ttl} IN SRV ${d.priority} ${d.weight} ${d.port} ${d.target}`;
  }
  return `${a.name} ${a.ttl} IN ${a.type} ${String(a.data)}`;
}
