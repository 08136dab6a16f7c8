/**
 * The one load generator of the SIP relay bench, used unchanged against both edges
 * (ours and Kamailio's) so that only the edge differs: N mutual-TLS connections from
 * the front end's address with the "frontend" identity, MESSAGE requests written from
 * a byte template (unique branch, tag and Call-ID each), spread round-robin over the
 * connections; a request ends with its final response (matched by the top Via
 * branch, RFC 3261 17.1.3) or after timeoutMs (a periodic sweep, not one timer each).
 */
import { randomBytes } from "node:crypto";
import { noEvents } from "../../edge/events/types.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { dialTls, SipConnection } from "../../edge/roles/access-edge/index.ts";
import type { SipResponse } from "../../edge/wire/sip/index.ts";
import type { SendOnce } from "./sip-relay-load.ts";

export interface GeneratorOptions {
  /** The edge's internal interface (address, port, FQDN for SNI). */
  target: { address: string; port: number; fqdn: string };
  localAddress: string;
  identity: TlsIdentity;
  connections: number;
  from: string;
  to: string;
  timeoutMs: number;
}

type Pending = { at: number; conn: number; resolve: (r: { ok: boolean; why?: string }) => void };

export class SipLoadGenerator {
  #conns: SipConnection[] = [];
  #ports: number[] = [];
  #pending = new Map<string, Pending>();
  #next = 0;
  #seq = 0;
  #prefix = randomBytes(4).toString("hex");
  #sweep: NodeJS.Timeout;

  private constructor(private readonly o: GeneratorOptions) {
    this.#sweep = setInterval(() => this.#expire(), 250);
  }

  static async open(o: GeneratorOptions): Promise<SipLoadGenerator> {
    const g = new SipLoadGenerator(o);
    try {
      for (let i = 0; i < o.connections; i++) {
        const { socket, peer } = await dialTls({ host: "bench-generator", fqdn: o.target.fqdn, address: o.target.address, port: o.target.port, localAddress: o.localAddress, identity: o.identity, timeoutMs: 5000, events: noEvents });
        const conn = SipConnection.overTls(socket, { host: "bench-generator", localFqdn: o.localAddress, transport: "tls", tuple: { transport: "tls", srcAddress: o.localAddress, srcPort: socket.localPort ?? 0, dstAddress: o.target.address, dstPort: o.target.port }, peer }, noEvents);
        conn.setHandler({ onRequest: () => undefined, onResponse: (r) => g.#onResponse(r), onClose: (c) => g.#closed(c) });
        g.#conns.push(conn);
        g.#ports.push(socket.localPort ?? 0);
      }
    } catch (err) {
      g.close();
      throw err;
    }
    return g;
  }

  readonly send: SendOnce = () => {
    const i = this.#next++ % this.#conns.length;
    const conn = this.#conns[i]!;
    const id = `${this.#prefix}${(this.#seq++).toString(36)}`;
    const branch = `z9hG4bK-bench-${id}`;
    return new Promise((resolve) => {
      if (conn.closed) return resolve({ ok: false, why: `generator connection ${i} closed` });
      this.#pending.set(branch, { at: performance.now(), conn: i, resolve });
      conn.sendRaw(this.#request(branch, id, this.#ports[i]!));
    });
  };

  close(): void {
    clearInterval(this.#sweep);
    for (const c of this.#conns) c.close();
    for (const [b, p] of this.#pending) {
      this.#pending.delete(b);
      p.resolve({ ok: false, why: "generator closed" });
    }
  }

  #request(branch: string, id: string, port: number): Buffer {
    const { localAddress: host, from, to } = this.o;
    return Buffer.from(
      `MESSAGE sip:${to} SIP/2.0\r\nVia: SIP/2.0/TLS ${host}:${port};branch=${branch}\r\nMax-Forwards: 70\r\nFrom: <sip:${from}>;tag=${id}\r\nTo: <sip:${to}>\r\n` +
        `Call-ID: ${id}@${host}\r\nCSeq: 1 MESSAGE\r\nContact: <sip:${from.split("@")[0]}@${host}:${port};transport=tls>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nbench`,
      "utf8",
    );
  }

  #onResponse(res: SipResponse): void {
    if (res.status < 200) return;
    const branch = res.topVia()?.branch;
    const p = branch === undefined ? undefined : this.#pending.get(branch);
    if (!p) return;
    this.#pending.delete(branch!);
    p.resolve(res.status === 200 ? { ok: true } : { ok: false, why: `${res.status} ${res.reason}${res.headers.get("ms-diagnostics") ? ` (${res.headers.get("ms-diagnostics")})` : ""}` });
  }

  #closed(conn: SipConnection): void {
    const i = this.#conns.indexOf(conn);
    if (i >= 0) this.#expire(i, `generator connection ${i} closed by the edge`);
  }

  #expire(conn?: number, why?: string): void {
    const limit = performance.now() - this.o.timeoutMs;
    for (const [b, p] of this.#pending) {
      if (conn === undefined ? p.at > limit : p.conn !== conn) continue;
      this.#pending.delete(b);
      p.resolve({ ok: false, why: why ?? `no final response within ${this.o.timeoutMs} ms` });
    }
  }
}
