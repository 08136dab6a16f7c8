/**
 * From a SipMessage back to bytes (RFC 3261 7). Fields a proxy did not touch keep their
 * original bytes (name spelling, folding, compact form); changed or added fields are
 * written as "Name: value". Content-Length is made to count the body in bytes (20.14):
 * kept when right, rewritten when wrong, added when missing (mandatory on streams, 18.3).
 */
import { SipHeaders } from "./headers.ts";
import type { SipMessage } from "./message.ts";
import { trimWsp } from "./syntax.ts";

export function startLineOf(msg: SipMessage): string {
  return msg.kind === "request" ? `${msg.method} ${msg.uri} ${msg.version}` : `${msg.version} ${msg.status} ${msg.reason}`;
}

export function serializeSipMessage(msg: SipMessage): Buffer {
  // Pieces are original bytes (Buffer) or text to write as UTF-8; one buffer is filled at the end.
  const pieces: Array<Buffer | string> = [startLineOf(msg) + "\r\n"];
  const bodyLen = String(msg.body.length);
  let sawLength = false;
  for (const f of msg.headers) {
    if (f.key === "content-length") {
      if (sawLength) continue; // a second Content-Length would be ambiguous: drop it
      sawLength = true;
      if (trimWsp(f.value) !== bodyLen) {
        pieces.push(`${f.name}: ${bodyLen}\r\n`);
        continue;
      }
    }
    if (f.raw !== undefined && f.raw[f.raw.length - 1] === 0x0a) pieces.push(f.raw);
    else pieces.push(`${f.name}: ${f.value}\r\n`);
  }
  if (!sawLength) pieces.push(`${SipHeaders.field("Content-Length", bodyLen).name}: ${bodyLen}\r\n`);
  pieces.push("\r\n", msg.body);
  let size = 0;
  for (const p of pieces) size += typeof p === "string" ? Buffer.byteLength(p, "utf8") : p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of pieces) at += typeof p === "string" ? out.write(p, at, "utf8") : p.copy(out, at);
  return out;
}
