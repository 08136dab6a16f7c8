/**
 * From bytes to a SipMessage (RFC 3261 7 and 7.3.1): split the header section into
 * lines, undo folding, keep each field's original bytes, then check the header
 * semantics a proxy relies on (no control character outside the 25.1 grammar,
 * start-line, Via, CSeq vs method, Max-Forwards, Call-ID, From/To/Contact/Route/
 * Record-Route, Content-Length, Date).
 */
import { isAscii } from "node:buffer";
import { WireDecodeError } from "../decode-error.ts";
import { checkControlCharacters } from "./control-chars.ts";
import { headerKey } from "./header-names.ts";
import { fieldWhere, SipHeaders, type SipHeaderField } from "./headers.ts";
import { DEFAULT_SIP_LIMITS, withDefaults, type SipLimits } from "./limits.ts";
import { SipRequest, SipResponse, type SipMessage } from "./message.ts";
import { parseSipDate } from "./scalars.ts";
import { parseStartLine } from "./start-line.ts";
import { isToken, sipDiscardError, sipError, trimWsp } from "./syntax.ts";

export interface SipHead {
  startLine: string;
  fields: SipHeaderField[];
}

/**
 * Split a header section (start-line and fields, without the empty line) into the
 * start-line and header fields. Throws for a line that is no field (400).
 *
 * One pass over the bytes: an all-ASCII head (the usual case) is decoded once, so
 * string offsets are byte offsets and each line, name and value is a slice of it;
 * a head with other bytes decodes line by line as UTF-8. A line ends at LF, a CR just
 * before the LF is not part of its text (a bare LF is tolerated, 7.5).
 */
export function splitHead(head: Buffer, limits?: Partial<SipLimits>): SipHead {
  const maxHeaders = limits?.maxHeaders ?? DEFAULT_SIP_LIMITS.maxHeaders;
  const ascii = isAscii(head);
  const whole = ascii ? head.toString("latin1") : "";
  const len = head.length;
  let start = 0;
  let lineNo = 0;
  let startLine: string | undefined;
  const fields: SipHeaderField[] = [];
  let prevStart = 0;
  while (start < len) {
    const lf = head.indexOf(0x0a, start);
    const eol = lf < 0 ? len : lf + 1; // end including the line break
    const e = lf < 0 ? len : lf > start && head[lf - 1] === 0x0d ? lf - 1 : lf;
    const s = start;
    start = eol;
    lineNo++;
    const text = ascii ? whole.slice(s, e) : head.toString("utf8", s, e);
    if (lineNo === 1) {
      startLine = text;
      continue;
    }
    const c0 = text.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      const prev = fields[fields.length - 1];
      if (prev === undefined) throw sipError(`line ${lineNo}`, "continuation line before any header field");
      prev.value = trimWsp(`${prev.value} ${trimWsp(text)}`);
      prev.raw = head.subarray(prevStart, eol);
      continue;
    }
    const colon = text.indexOf(":");
    if (colon < 0) throw sipError(`line ${lineNo}`, "header line without ':'");
    let nameEnd = colon;
    while (nameEnd > 0 && (text.charCodeAt(nameEnd - 1) === 0x20 || text.charCodeAt(nameEnd - 1) === 0x09)) nameEnd--;
    const name = text.slice(0, nameEnd);
    if (!isToken(name)) throw sipError(`line ${lineNo}`, `header name '${name}' is not a token`);
    const field: SipHeaderField = { name, key: headerKey(name), value: trimWsp(text.slice(colon + 1)), raw: head.subarray(s, eol), line: lineNo };
    prevStart = s;
    fields.push(field);
    if (fields.length > maxHeaders) throw sipError("header section", `more than ${maxHeaders} header fields`, 513);
  }
  if (startLine === undefined) throw sipError("start-line", "empty message");
  return { startLine, fields };
}

/** The Content-Length of a head, checked for framing: 0 or 1 valid value (RFC 4475 3.1.2.3, 3.3.9). */
export function framingLength(fields: readonly SipHeaderField[]): number | undefined {
  let f: SipHeaderField | undefined;
  for (const x of fields) {
    if (x.key !== "content-length") continue;
    if (f !== undefined) throw sipError(fieldWhere(x), "more than one Content-Length");
    f = x;
  }
  if (f === undefined) return undefined;
  if (!/^\d+$/.test(f.value)) throw sipError(fieldWhere(f), `Content-Length '${f.value}' is not 1*DIGIT`);
  const n = Number(f.value);
  if (!Number.isSafeInteger(n)) throw sipError(fieldWhere(f), "Content-Length too large");
  return n;
}

/** Check the fields a proxy relies on; throws WireDecodeError (400) at the first bad one. */
function checkSemantics(msg: SipMessage): void {
  msg.vias();
  const cseq = msg.cseq();
  msg.callId();
  msg.from();
  msg.to();
  msg.contacts();
  msg.routes();
  msg.recordRoutes();
  msg.contentLength();
  for (const f of msg.headers.fieldsOf("Date")) parseSipDate(f.value, fieldWhere(f));
  if (msg.kind === "request") {
    msg.maxForwards();
    // 8.2 / RFC 4475 3.1.2.17: the CSeq method must equal the request method.
    if (cseq !== undefined && cseq.method !== msg.method) {
      const f = msg.headers.fieldsOf("CSeq")[0] as SipHeaderField;
      throw sipError(fieldWhere(f), `CSeq method '${cseq.method}' differs from request method '${msg.method}'`);
    }
  }
}

/**
 * Build and check a message from its head and body. A broken response carries no wire
 * code (it is discarded, never answered); a broken request carries 400 (505 for version).
 */
export function buildMessage(head: SipHead, body: Buffer): SipMessage {
  try {
    checkControlCharacters(head.startLine, head.fields);
  } catch (err) {
    throw asResponseError(head, err);
  }
  const sl = parseStartLine(head.startLine);
  const headers = new SipHeaders(head.fields);
  const msg = sl.kind === "request" ? new SipRequest(sl.method, sl.uri, headers, body, sl.version) : new SipResponse(sl.status, sl.reason, headers, body, sl.version);
  try {
    checkSemantics(msg);
  } catch (err) {
    if (err instanceof WireDecodeError && msg.kind === "response") throw sipDiscardError(err.where, err.reason);
    throw err;
  }
  return msg;
}

/** A framing error in a response: discard it, answer nothing (no wire code). */
export function asResponseError(head: SipHead, err: unknown): unknown {
  if (err instanceof WireDecodeError && /^SIP\//i.test(head.startLine)) return sipDiscardError(err.where, err.reason);
  return err;
}

/**
 * Where the header section ends: the first "\r\n\r\n" or "\n\n" starting at or after
 * `from` (whichever starts first), or undefined. One pass over the line feeds: a
 * search for each pattern would scan the rest of a buffer of many messages for a
 * "\n\n" that is not there, once per message.
 */
export function findHeadEnd(buf: Buffer, from = 0): { at: number; sepLen: number } | undefined {
  let i = buf.indexOf(0x0a, from);
  while (i >= 0) {
    const next = buf[i + 1];
    if (next === 0x0a) return { at: i, sepLen: 2 };
    if (next === 0x0d && buf[i + 2] === 0x0a && i - 1 >= from && buf[i - 1] === 0x0d) return { at: i - 1, sepLen: 4 };
    i = buf.indexOf(0x0a, i + 1);
  }
  return undefined;
}

/** Number of leading CRLF (or LF) bytes, ignored before a start-line (7.5). */
export function leadingCrlfBytes(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

/**
 * Parse one SIP message from a datagram (RFC 3261 18.3): Content-Length is optional
 * (absent: the body runs to the end); octets past Content-Length are discarded
 * (RFC 4475 3.1.1.8); fewer octets than Content-Length is a 400 (RFC 4475 3.1.2.2).
 */
export function parseSipDatagram(datagram: Buffer, limits?: Partial<SipLimits>): SipMessage {
  const lim = withDefaults(limits);
  const buf = datagram.subarray(leadingCrlfBytes(datagram));
  const end = findHeadEnd(buf);
  if (end === undefined) {
    if (buf.length > lim.maxHeaderBytes) throw sipError("header section", `header section over ${lim.maxHeaderBytes} bytes`, 513);
    throw sipError("header section", "no empty line ends the header section");
  }
  if (end.at + end.sepLen > lim.maxHeaderBytes) throw sipError("header section", `header section over ${lim.maxHeaderBytes} bytes`, 513);
  // The head keeps the CRLF of its last line so that field's raw bytes are whole.
  const head = splitHead(buf.subarray(0, end.at + end.sepLen / 2), lim);
  const rest = buf.subarray(end.at + end.sepLen);
  let bodyLen: number;
  try {
    bodyLen = framingLength(head.fields) ?? rest.length;
    if (bodyLen > lim.maxBodyBytes) throw sipError("body", `body over ${lim.maxBodyBytes} bytes`, 513);
    if (rest.length < bodyLen) throw sipError("body", `Content-Length ${bodyLen} but only ${rest.length} body bytes`);
  } catch (err) {
    throw asResponseError(head, err);
  }
  return buildMessage(head, Buffer.from(rest.subarray(0, bodyLen)));
}

/** True for a datagram that is only CRLFs (a keep-alive, RFC 5626 4.4.1 style). */
export function isCrlfKeepAlive(datagram: Buffer): boolean {
  return datagram.length > 0 && leadingCrlfBytes(datagram) === datagram.length;
}
