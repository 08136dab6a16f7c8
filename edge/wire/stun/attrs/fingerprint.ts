/**
 * FINGERPRINT (0x8028), RFC 5389 15.5: CRC-32 (ITU V.42, as zlib) of the message up to the
 * attribute, XORed with 0x5354554e, with the header length counting the FINGERPRINT.
 * Computed over the RAW received bytes. RFC 5389 7.3 says a mismatch is silently
 * discarded; checkFingerprint reports it as 400 so a trace can say why.
 */
import { crc32 } from "node:zlib";
import { AttrType } from "../attr-type.ts";
import { hex4, stunError } from "../errors.ts";
import { HEADER_SIZE } from "../header.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { whereOf } from "./value.ts";

export const FINGERPRINT_XOR = 0x5354554e;

export function computeFingerprint(prefix: Buffer): number {
  const header = Buffer.from(prefix.subarray(0, HEADER_SIZE));
  header.writeUInt16BE(prefix.length - HEADER_SIZE + 8, 2);
  return (crc32(prefix.subarray(HEADER_SIZE), crc32(header)) ^ FINGERPRINT_XOR) >>> 0;
}

export function verifyFingerprint(msg: StunMessage): boolean {
  const view = findAttribute(msg, AttrType.Fingerprint);
  if (!view || view.length !== 4) return false;
  return computeFingerprint(msg.raw.subarray(0, view.offset)) === view.value.readUInt32BE(0);
}

/** Throws WireDecodeError (400) when FINGERPRINT is absent, not 4 bytes, or wrong. */
export function checkFingerprint(msg: StunMessage): void {
  const view = findAttribute(msg, AttrType.Fingerprint);
  if (!view) throw stunError(`attribute ${hex4(AttrType.Fingerprint)} (absent)`, "FINGERPRINT is missing");
  if (view.length !== 4) throw stunError(whereOf(view), `FINGERPRINT value must be 4 bytes, got ${view.length}`);
  if (!verifyFingerprint(msg)) throw stunError(whereOf(view), "FINGERPRINT does not match the message");
}
