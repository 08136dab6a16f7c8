/**
 * The one load generator of the SIP relay bench, used unchanged against both edges
 * (ours and Kamailio's) so that only the edge differs: N mutual-TLS connections from
 * the front end's address with the "frontend" identity, MESSAGE requests written from
 * a byte template (unique branch, tag and Call-ID each), spread round-robin over the
 * connections; a request ends with its final response (matched by the top Via
 * branch, RFC 3261 17.1.3) or after timeoutMs (a periodic sweep, not one timer each).
 * Each outcome says how it ended: a response (its status), the connection closing
 * under it (a transport error, treated as 503: RFC 3261 8.1.3.1) or the sender's own
 * timer (408, nothing came back). With `redial`, a closed connection is dialled again
 * on the next send, as a real sender reconnects (through a VIP: to whichever edge).
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
  /** Dial a closed connection again on the next send (fault benches); default false: that send fails. */
  redial?: boolean;
  /** The generator's name on its connections; default "bench-generator". */
  host?: string;
}

/**
 * How one request ended. `answered`: a SIP response came back (its status); otherwise
 * the status is the sender's own: 503 for a transport error (8.1.3.1), 408 when its
 * timer fired with no answer at all.
 */
export interface SendOutcome {
  ok: boolean;
  status: number;
  answered: boolean;
  why?: string;
}

type Pending = { at: number; conn: SipConnection; resolve: (r: SendOutcome) => void };

export class SipLoadGenerator {
  #conns: SipConnection[] = [];
  #ports: number[] = [];
  /** A redial in progress per connection slot. */
  #dialing: Array<Promise<void> | undefined> = [];
  #closing = false;
  /** Connections dialled again after the far end closed them (redial). */
  reconnects = 0;
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
      for (let i = 0; i < o.connections; i++) await g.#dial(i);
    } catch (err) {
      g.close();
      throw err;
    }
    return g;
  }

  async #dial(i: number): Promise<void> {
    const o = this.o;
    const host = o.host ?? "bench-generator";
    const { socket, peer } = await dialTls({ host, fqdn: o.target.fqdn, address: o.target.address, port: o.target.port, localAddress: o.localAddress, identity: o.identity, timeoutMs: 5000, events: noEvents });
    const conn = SipConnection.overTls(socket, { host, localFqdn: o.localAddress, transport: "tls", tuple: { transport: "tls", srcAddress: o.localAddress, srcPort: socket.localPort ?? 0, dstAddress: o.target.address, dstPort: o.target.port }, peer }, noEvents);
    conn.setHandler({ onRequest: () => undefined, onResponse: (r) => this.#onResponse(r), onClose: (c) => this.#closed(c) });
    this.#conns[i] = conn;
    this.#ports[i] = socket.localPort ?? 0;
  }

  readonly send: (() => Promise<SendOutcome>) & SendOnce = () => {
    const i = this.#next++ % this.#conns.length;
    const conn = this.#conns[i]!;
    if (conn.closed) return this.#sendAfterRedial(i);
    return this.#sendOn(conn, i);
  };

  #sendOn(conn: SipConnection, i: number): Promise<SendOutcome> {
    const id = `${this.#prefix}${(this.#seq++).toString(36)}`;
    const branch = `z9hG4bK-bench-${id}`;
    return new Promise((resolve) => {
      this.#pending.set(branch, { at: performance.now(), conn, resolve });
      conn.sendRaw(this.#request(branch, id, this.#ports[i]!));
    });
  }

  /** The slot's connection closed: without redial the request fails at once (8.1.3.1: 503); with it, one dial serves every waiting send. */
  async #sendAfterRedial(i: number): Promise<SendOutcome> {
    if (!this.o.redial || this.#closing) return { ok: false, status: 503, answered: false, why: `generator connection ${i} closed (transport error)` };
    let failure: string | undefined;
    this.#dialing[i] ??= this.#dial(i).then(
      () => { this.#dialing[i] = undefined; this.reconnects++; },
      (err: unknown) => { this.#dialing[i] = undefined; failure = (err as Error).message; },
    );
    await this.#dialing[i];
    const conn = this.#conns[i]!;
    if (conn.closed) return { ok: false, status: 503, answered: false, why: `could not connect again (transport error): ${failure ?? "closed at once"}` };
    return this.#sendOn(conn, i);
  }

  close(): void {
    this.#closing = true;
    clearInterval(this.#sweep);
    for (const c of this.#conns) c.close();
    for (const [b, p] of this.#pending) {
      this.#pending.delete(b);
      p.resolve({ ok: false, status: 503, answered: false, why: "generator closed" });
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
    p.resolve(res.status === 200 ? { ok: true, status: 200, answered: true } : { ok: false, status: res.status, answered: true, why: `${res.status} ${res.reason}${res.headers.get("ms-diagnostics") ? ` (${res.headers.get("ms-diagnostics")})` : ""}` });
  }

  /** The connection closed under these requests: a transport error each (8.1.3.1: 503). */
  #closed(conn: SipConnection): void {
    for (const [b, p] of this.#pending) {
      if (p.conn !== conn) continue;
      this.#pending.delete(b);
      p.resolve({ ok: false, status: 503, answered: false, why: "the connection closed under the request (transport error)" });
    }
  }

  /** The sender's own timer: nothing came back in time (17.1.2.2: 408). */
  #expire(): void {
    const limit = performance.now() - this.o.timeoutMs;
    for (const [b, p] of this.#pending) {
      if (p.at > limit) continue;
      this.#pending.delete(b);
      p.resolve({ ok: false, status: 408, answered: false, why: `no final response within ${this.o.timeoutMs} ms` });
    }
  }
}
