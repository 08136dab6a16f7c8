/**
 * Stream framing of SIP over TCP/TLS (RFC 3261 18.3, 7.5; RFC 5626 3.5.1 keep-alives).
 *
 * Feed chunks with push(); it returns what they completed, in order:
 *  - "message":   a well-formed message;
 *  - "malformed": a message whose framing was intact (header section + Content-Length
 *                 body) but whose content is bad: answer error.wireCode (when set) and go on;
 *  - "keepalive": a double-CRLF ping: answer with a single CRLF (RFC 5626 3.5.1);
 *  - "pong":      a single CRLF before a message (a pong, or 7.5 leading CRLF);
 *  - "fatal":     framing is lost (bad or duplicate Content-Length, limits exceeded):
 *                 answer error.wireCode when set, then close. The framer then ignores input.
 */
import { WireDecodeError } from "../decode-error.ts";
import { withDefaults, type SipLimits } from "./limits.ts";
import type { SipMessage } from "./message.ts";
import { asResponseError, buildMessage, findHeadEnd, framingLength, splitHead, type SipHead } from "./parse.ts";
import { sipError, trimWsp } from "./syntax.ts";

export type SipFrameEvent =
  | { type: "message"; message: SipMessage; bytes: Buffer }
  | { type: "malformed"; error: WireDecodeError; bytes: Buffer; head: SipHead | undefined }
  | { type: "keepalive" }
  | { type: "pong" }
  | { type: "fatal"; error: WireDecodeError };

const CR = 0x0d;
const LF = 0x0a;

export class SipStreamFramer {
  readonly limits: SipLimits;
  #buf: Buffer = Buffer.alloc(0);
  #closed = false;
  /** Where the search for the end of the header section resumes (avoids rescanning). */
  #scanFrom = 0;

  constructor(limits?: Partial<SipLimits>) {
    this.limits = withDefaults(limits);
  }

  /** True after a fatal event: the transport should close the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.#buf.length;
  }

  push(chunk: Buffer): SipFrameEvent[] {
    if (this.#closed) return [];
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const events: SipFrameEvent[] = [];
    for (;;) {
      const ev = this.#next();
      if (ev === undefined) break;
      events.push(ev);
      if (ev.type === "fatal") {
        this.#closed = true;
        this.#buf = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  #consume(n: number): Buffer {
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    this.#scanFrom = 0;
    return out;
  }

  #next(): SipFrameEvent | undefined {
    const b = this.#buf;
    // Keep-alives and leading CRLFs (7.5); wait while a CRLF might still become CRLFCRLF.
    if (b[0] === CR || b[0] === LF) {
      if (b.length >= 4 && b[0] === CR && b[1] === LF && b[2] === CR && b[3] === LF) {
        this.#consume(4);
        return { type: "keepalive" };
      }
      if (b[0] === LF) {
        this.#consume(1);
        return { type: "pong" };
      }
      if (b.length < 2) return undefined;
      if (b[1] !== LF) return this.#fatal(sipError("start-line", "CR not followed by LF"));
      if (b.length < 3 || (b[2] === CR && b.length < 4)) return undefined;
      this.#consume(2);
      return { type: "pong" };
    }
    if (b.length === 0) return undefined;
    const end = findHeadEnd(b, this.#scanFrom);
    if (end === undefined) {
      if (b.length > this.limits.maxHeaderBytes) return this.#fatal(sipError("header section", `no end of header section within ${this.limits.maxHeaderBytes} bytes`, 513));
      this.#scanFrom = Math.max(0, b.length - 3);
      return undefined;
    }
    const headLen = end.at + end.sepLen;
    if (headLen > this.limits.maxHeaderBytes) return this.#fatal(sipError("header section", `header section over ${this.limits.maxHeaderBytes} bytes`, 513));
    const headBytes = b.subarray(0, end.at + end.sepLen / 2);
    let head: SipHead | undefined;
    let headError: WireDecodeError | undefined;
    try {
      head = splitHead(headBytes, this.limits);
    } catch (err) {
      if (!(err instanceof WireDecodeError)) throw err;
      headError = err;
    }
    // Framing needs the Content-Length even when some other line is bad.
    let bodyLen: number | undefined;
    try {
      bodyLen = framingLength(head?.fields ?? tolerantFields(headBytes));
    } catch (err) {
      if (!(err instanceof WireDecodeError)) throw err;
      return this.#fatal(head === undefined ? err : (asResponseError(head, err) as WireDecodeError));
    }
    if (bodyLen !== undefined && bodyLen > this.limits.maxBodyBytes) return this.#fatal(sipError("body", `Content-Length ${bodyLen} over ${this.limits.maxBodyBytes} bytes`, 513));
    // 18.3: on a stream Content-Length MUST be present; without it take an empty body.
    const len = bodyLen ?? 0;
    if (b.length < headLen + len) return undefined;
    // A view, not a copy: the header fields' raw bytes already point into this buffer.
    const bytes = this.#consume(headLen + len);
    const body = bytes.subarray(headLen);
    if (head === undefined) return { type: "malformed", error: headError as WireDecodeError, bytes, head };
    if (bodyLen === undefined) {
      const err = asResponseError(head, sipError("header 'Content-Length'", "Content-Length is required on a stream transport")) as WireDecodeError;
      return { type: "malformed", error: err, bytes, head };
    }
    try {
      return { type: "message", message: buildMessage(head, body), bytes };
    } catch (err) {
      if (!(err instanceof WireDecodeError)) throw err;
      return { type: "malformed", error: err, bytes, head };
    }
  }

  #fatal(error: WireDecodeError): SipFrameEvent {
    return { type: "fatal", error };
  }
}

/** Fields for framing only, from a head whose strict split failed: "name: value" lines. */
function tolerantFields(head: Buffer): SipHead["fields"] {
  const out: SipHead["fields"] = [];
  head
    .toString("latin1")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const m = /^(content-length|l)[ \t]*:(.*)$/i.exec(line);
      if (m !== null && i > 0) out.push({ name: m[1] as string, key: "content-length", value: trimWsp(m[2] as string), raw: undefined, line: i + 1 });
    });
  return out;
}
