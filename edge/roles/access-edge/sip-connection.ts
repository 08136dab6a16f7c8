/**
 * One SIP connection (TLS stream, RFC 3261 18.3; or WebSocket messages, RFC 7118),
 * shared by the Access Edge, the front end and the partners. It frames input,
 * answers keep-alives (RFC 5626), answers malformed requests with 400 and keeps the
 * connection serving (RFC 4475), closes only when framing is lost, and hands every
 * well-formed message to its handler.
 */
import type { TLSSocket } from "node:tls";
import type { WebSocket } from "ws";
import type { EventSink, FiveTuple, Transport } from "../../events/types.ts";
import { parseSipDatagram, serializeSipMessage, SipStreamFramer, type SipLimits, type SipMessage, type SipRequest, type SipResponse } from "../../wire/sip/index.ts";
import { WireDecodeError } from "../../wire/decode-error.ts";
import { looksLikeRequest, malformedAnswer } from "./malformed-answer.ts";
import type { PeerCertificate } from "./peer-certificate.ts";

export interface SipConnectionHandler {
  onRequest(req: SipRequest, conn: SipConnection): void;
  onResponse(res: SipResponse, conn: SipConnection): void;
  onClose?(conn: SipConnection): void;
}

export interface SipConnectionInfo {
  /** The simulated host that owns this end ("edge1", "fe01", "fabrikam-edge1"). */
  host: string;
  /** Our FQDN on this connection: the source of ms-diagnostics and 400s. */
  localFqdn: string;
  transport: Transport;
  tuple: FiveTuple;
  /** What the peer's certificate proved, when it sent one. */
  peer?: PeerCertificate;
  /** The FQDN we dialled (outbound connections). */
  dialledFqdn?: string;
}

let nextId = 1;

function copyLines(req: SipRequest): string {
  return ["Via", "From", "To", "Call-ID", "CSeq"].flatMap((n) => req.headers.getAll(n).map((v) => `${n}: ${v}\r\n`)).join("");
}

export class SipConnection {
  readonly id = nextId++;
  #closed = false;
  #framer: SipStreamFramer;
  #handler: SipConnectionHandler | undefined;
  #send: (b: Buffer) => void;
  #close: () => void;
  /** Set while a handler runs, so handlers can attach per-connection state (a remote user's AOR). */
  readonly tags = new Map<string, string>();

  private constructor(readonly info: SipConnectionInfo, private readonly events: EventSink, limits: Partial<SipLimits> | undefined, send: (b: Buffer) => void, close: () => void) {
    this.#framer = new SipStreamFramer(limits);
    this.#send = send;
    this.#close = close;
  }

  static overTls(socket: TLSSocket, info: SipConnectionInfo, events: EventSink, limits?: Partial<SipLimits>): SipConnection {
    // Messages written in one turn of the event loop (every socket read of that turn) leave
    // together: kept here and written as one buffer in the check phase, after this turn's
    // I/O callbacks. One socket write per turn instead of one per message: each goes
    // through the stream machinery and TLS (one record, one system call).
    let pending: Buffer[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      pending = [];
      if (!socket.destroyed) socket.write(out);
    };
    const write = (b: Buffer) => {
      if (pending.push(b) === 1) setImmediate(flush);
    };
    // Close after what was written (a 400/513 before closing) has left: end, then destroy shortly after.
    const close = () => {
      flush();
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
    };
    const c = new SipConnection(info, events, limits, write, close);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => c.#ingestStream(chunk));
    socket.on("error", () => undefined); // the close event follows; errors are traced by whoever dialled/accepted
    // The peer's FIN (or close_notify) ends the connection for us at once: 'close' comes only
    // after our own shutdown, turns of the event loop later, and a request routed onto the
    // connection in between would be lost with it (504) instead of dialling the next target (DNS-1).
    socket.on("end", () => c.#closedByPeer());
    socket.on("close", () => c.#closedByPeer());
    return c;
  }

  /** SIP over (secure) WebSocket: one SIP message per WebSocket message (RFC 7118 5.1). */
  static overWebSocket(ws: WebSocket, info: SipConnectionInfo, events: EventSink, limits?: Partial<SipLimits>): SipConnection {
    const c = new SipConnection(info, events, limits, (b) => ws.send(b.toString("utf8")), () => ws.terminate());
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => c.#ingestMessage(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)));
    ws.on("error", () => undefined);
    ws.on("close", () => c.#closedByPeer());
    return c;
  }

  setHandler(h: SipConnectionHandler): void {
    this.#handler = h;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(msg: SipMessage): void {
    if (this.#closed) throw new RangeError(`SIP connection ${this.id} from ${this.info.host} to ${this.info.tuple.dstAddress}:${this.info.tuple.dstPort} is closed`);
    this.#send(serializeSipMessage(msg));
  }

  sendRaw(bytes: Buffer): void {
    if (!this.#closed) this.#send(bytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#close();
    this.#handler?.onClose?.(this);
  }

  #closedByPeer(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handler?.onClose?.(this);
  }

  #ingestStream(chunk: Buffer): void {
    for (const ev of this.#framer.push(chunk)) {
      if (ev.type === "keepalive") this.#send(Buffer.from("\r\n"));
      else if (ev.type === "message") this.#dispatch(ev.message);
      else if (ev.type === "malformed") this.#malformed(ev.error, ev.head, ev.bytes);
      else if (ev.type === "fatal") {
        this.#trace(ev.error, "framing lost: answered and closed");
        if (typeof ev.error.wireCode === "number") this.#send(malformedAnswer(undefined, ev.error, this.info.localFqdn));
        this.close();
      }
    }
  }

  #ingestMessage(data: Buffer): void {
    try {
      this.#dispatch(parseSipDatagram(data));
    } catch (err) {
      if (!(err instanceof WireDecodeError)) throw err;
      this.#malformed(err, undefined, data);
    }
  }

  #malformed(error: WireDecodeError, head: Parameters<typeof malformedAnswer>[0], bytes: Buffer): void {
    const isRequest = looksLikeRequest(head, bytes);
    this.#trace(error, isRequest ? "answered 400, connection kept" : "response discarded (RFC 4475 3.1.2)");
    if (isRequest && error.wireCode !== undefined) this.#send(malformedAnswer(head, error, this.info.localFqdn));
  }

  #trace(error: WireDecodeError, what: string): void {
    this.events({ kind: "sip.malformed", ts: Date.now(), host: this.info.host, tuple: this.info.tuple, rules: ["FED-12"], status: typeof error.wireCode === "number" ? error.wireCode : undefined, detail: `${error.reason} at ${error.where}: ${what}` });
  }

  #dispatch(msg: SipMessage): void {
    if (!this.#handler) return;
    try {
      if (msg.kind === "request") this.#handler.onRequest(msg, this);
      else this.#handler.onResponse(msg, this);
    } catch (err) {
      // A bug in a handler must not take the connection (or the process) down: answer 500 and trace it.
      const detail = `handler failed on ${msg.kind === "request" ? msg.method : `response ${msg.status}`}: ${(err as Error).message}`;
      this.events({ kind: "note", ts: Date.now(), host: this.info.host, tuple: this.info.tuple, rules: ["FED-12"], detail });
      if (msg.kind === "request" && msg.method !== "ACK") this.#send(Buffer.from(`SIP/2.0 500 Server Internal Error\r\n${copyLines(msg)}Content-Length: 0\r\n\r\n`));
    }
  }
}
