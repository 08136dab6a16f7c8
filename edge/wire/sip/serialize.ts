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
  const parts: Buffer[] = [Buffer.from(startLineOf(msg) + "\r\n", "utf8")];
  const bodyLen = String(msg.body.length);
  let sawLength = false;
  for (const f of msg.headers) {
    if (f.key === "content-length") {
      if (sawLength) continue; // a second Content-Length would be ambiguous: drop it
      sawLength = true;
      if (trimWsp(f.value) !== bodyLen) {
        parts.push(Buffer.from(`${f.name}: ${bodyLen}\r\n`, "utf8"));
        continue;
      }
    }
    if (f.raw !== undefined && f.raw[f.raw.length - 1] === 0x0a) parts.push(f.raw);
    else parts.push(Buffer.from(`${f.name}: ${f.value}\r\n`, "utf8"));
  }
  if (!sawLength) parts.push(Buffer.from(`${SipHeaders.field("Content-Length", bodyLen).name}: ${bodyLen}\r\n`, "utf8"));
  parts.push(Buffer.from("\r\n"), msg.body);
  return Buffer.concat(parts);
}
