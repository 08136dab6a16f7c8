/**
 * MESSAGE-INTEGRITY (0x0008), RFC 5389 15.4: HMAC-SHA1 (20 bytes) over the message up to
 * the attribute, with the header length field set as if MESSAGE-INTEGRITY were the last
 * attribute. Verified over the RAW received bytes (padding may be non-zero, RFC 5769 2.1).
 * Keys (RFC 5389 15.4): short-term = SASLprep(password); long-term =
 * MD5(username ":" realm ":" SASLprep(password)).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AttrType } from "../attr-type.ts";
import { hex4, stunError } from "../errors.ts";
import { HEADER_SIZE } from "../header.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { saslprep } from "../saslprep.ts";
import { whereOf } from "./value.ts";

export const INTEGRITY_SIZE = 20;

export function shortTermKey(password: string): Buffer {
  return Buffer.from(saslprep(password), "utf8");
}

export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash("md5").update(`${username}:${realm}:${saslprep(password)}`, "utf8").digest();
}

/** HMAC over `prefix` (header + attributes before MESSAGE-INTEGRITY) with the length field pointing past a 24-byte MESSAGE-INTEGRITY. */
export function computeIntegrity(prefix: Buffer, key: Uint8Array): Buffer {
  const header = Buffer.from(prefix.subarray(0, HEADER_SIZE));
  header.writeUInt16BE(prefix.length - HEADER_SIZE + 4 + INTEGRITY_SIZE, 2);
  return createHmac("sha1", key).update(header).update(prefix.subarray(HEADER_SIZE)).digest();
}

/** True when MESSAGE-INTEGRITY is present, 20 bytes, and matches `key`. */
export function verifyIntegrity(msg: StunMessage, key: Uint8Array): boolean {
  const view = findAttribute(msg, AttrType.MessageIntegrity);
  if (!view || view.length !== INTEGRITY_SIZE) return false;
  return timingSafeEqual(computeIntegrity(msg.raw.subarray(0, view.offset), key), view.value);
}

/**
 * Throws WireDecodeError: 400 when MESSAGE-INTEGRITY is absent or not 20 bytes
 * (RFC 5389 10.1.2 / 10.2.2: missing attributes are a Bad Request), 401 when it does not match.
 */
export function checkIntegrity(msg: StunMessage, key: Uint8Array): void {
  const view = findAttribute(msg, AttrType.MessageIntegrity);
  if (!view) throw stunError(`attribute ${hex4(AttrType.MessageIntegrity)} (absent)`, "MESSAGE-INTEGRITY is missing");
  if (view.length !== INTEGRITY_SIZE) {
    throw stunError(whereOf(view), `MESSAGE-INTEGRITY value must be ${INTEGRITY_SIZE} bytes, got ${view.length}`);
  }
  if (!verifyIntegrity(msg, key)) throw stunError(whereOf(view), "MESSAGE-INTEGRITY does not match the key", 401);
}
