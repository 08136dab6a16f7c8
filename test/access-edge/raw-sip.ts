/**
 * A raw SIP-over-TLS client for tests: dial an address with an identity from the
 * world's PKI (or none), write any bytes, and read back framed responses with a
 * bounded wait. Used where the user API cannot go: other methods, bad input.
 */
import tls, { type TLSSocket } from "node:tls";
import net from "node:net";
import { assertLoopback } from "../../edge/net/loopback.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { SipHeaders, SipResponse, SipStreamFramer, type SipRequest } from "../../edge/wire/sip/index.ts";

export class RawSip {
  #framer = new SipStreamFramer();
  #queue: Array<SipResponse | SipRequest> = [];
  #waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: TLSSocket) {
    socket.on("data", (b: Buffer) => {
      for (const ev of this.#framer.push(b)) {
        if (ev.type === "message") this.#queue.push(ev.message);
        // A response that copies a broken request's fields does not parse: keep its status line.
        const status = ev.type === "malformed" ? /^SIP\/2\.0 (\d{3}) (.*)$/.exec(ev.head?.startLine ?? "") : null;
        if (status) this.#queue.push(new SipResponse(Number(status[1]), status[2] ?? "", new SipHeaders()));
      }
      this.#wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
    socket.on("error", () => undefined);
  }

  static connect(address: string, port: number, o: { identity?: TlsIdentity; caPem: string; localAddress?: string; servername?: string }): Promise<RawSip> {
    assertLoopback(address, "connect to");
    return new Promise((resolve, reject) => {
      const tcp = net.connect({ host: address, port, ...(o.localAddress ? { localAddress: assertLoopback(o.localAddress) } : {}) });
      tcp.on("error", () => undefined);
      const s = tls.connect({ socket: tcp, ca: o.caPem, ...(o.identity ? { cert: o.identity.certPem, key: o.identity.keyPem } : {}), servername: o.servername ?? "sip.test", rejectUnauthorized: false });
      s.once("secureConnect", () => resolve(new RawSip(s)));
      s.once("error", reject);
    });
  }

  write(text: string | Buffer): void {
    this.socket.write(typeof text === "string" ? Buffer.from(text.replace(/\r?\n/g, "\r\n"), "utf8") : text);
  }

  /** The next message received, or undefined when the connection closed or nothing came within timeoutMs. */
  async next(timeoutMs = 5000): Promise<SipResponse | SipRequest | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.#queue.shift();
  }

  /** The next final response (provisional ones skipped). */
  async final(timeoutMs = 5000): Promise<SipResponse | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      if (!m) return undefined;
      if (m.kind === "response" && m.status >= 200) return m;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

let n = 0;
/** A request as text with fresh branch/tag/Call-ID. */
export function rawRequest(method: string, from: string, to: string, o: { body?: string; maxForwards?: number; via?: string; cseq?: number; extra?: string[]; callId?: string; branch?: string } = {}): string {
  n++;
  const body = o.body ?? "";
  return [
    `${method} sip:${to} SIP/2.0`,
    `Via: SIP/2.0/TLS ${o.via ?? "fe01.contoso.test:5061"};branch=${o.branch ?? `z9hG4bKraw${process.pid}x${n}`}`,
    `Max-Forwards: ${o.maxForwards ?? 70}`,
    `From: <sip:${from}>;tag=raw${n}`,
    `To: <sip:${to}>`,
    `Call-ID: ${o.callId ?? `raw-${process.pid}-${n}@test`}`,
    `CSeq: ${o.cseq ?? 1} ${method === "ACK" || method === "CANCEL" ? method : method}`,
    ...(o.extra ?? []),
    ...(body ? ["Content-Type: text/plain"] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}
