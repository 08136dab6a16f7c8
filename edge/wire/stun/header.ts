/**
 * The 20-byte STUN header, RFC 5389 6: two zero bits, 14-bit type, 16-bit length
 * (attributes only, always a multiple of 4), magic cookie 0x2112A442, 96-bit
 * transaction ID. [MS-TURN] 2.2.1 uses the same layout but with a 128-bit transaction
 * ID in place of cookie + ID, so the cookie check is left to the message decoder.
 */
import { stunError } from "./errors.ts";
import { decodeMessageType, type StunClass } from "./message-type.ts";

export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_SIZE = 20;
/** [MS-TURN] 2.2.2.8: the value of the MAGIC-COOKIE attribute (0x000F). */
export const MS_TURN_MAGIC_COOKIE = 0x72c64bc6;

export interface StunHeader {
  /** The 14-bit message type as on the wire. */
  readonly type: number;
  readonly method: number;
  readonly cls: StunClass;
  /** Length of the attributes in bytes (header excluded). */
  readonly length: number;
  /** Bytes 4-7: 0x2112A442 for RFC 5389, random for an [MS-TURN] 128-bit transaction ID. */
  readonly cookie: number;
  /** Bytes 8-19, the RFC 5389 96-bit transaction ID. */
  readonly transactionId: Buffer;
  /** Bytes 4-19: cookie + transaction ID (RFC 5389 15.2 XOR key), or the whole MS-TURN 128-bit ID. */
  readonly xorKey: Buffer;
}

/**
 * Quick demultiplexing test (RFC 5389 8 / RFC 7983): first two bits zero, magic cookie
 * in place, length a multiple of 4 that fits the buffer. Cheap enough for every packet.
 */
export function isStun(buf: Uint8Array): boolean {
  if (buf.length < HEADER_SIZE || (buf[0]! & 0xc0) !== 0) return false;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const length = b.readUInt16BE(2);
  return b.readUInt32BE(4) === MAGIC_COOKIE && length % 4 === 0 && HEADER_SIZE + length <= b.length;
}

/** Demultiplex an [MS-TURN] message: first two bits zero and MAGIC-COOKIE (0x000F) as the first attribute. */
export function isMsTurn(buf: Uint8Array): boolean {
  if (buf.length < HEADER_SIZE + 8 || (buf[0]! & 0xc0) !== 0) return false;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.readUInt16BE(20) === 0x000f && b.readUInt16BE(22) === 4 && b.readUInt32BE(24) === MS_TURN_MAGIC_COOKIE;
}

/** Decodes and checks the header fields that do not depend on the dialect. */
export function decodeHeader(buf: Buffer): StunHeader {
  if (buf.length < HEADER_SIZE) {
    throw stunError(`header byte ${buf.length}`, `truncated header: ${buf.length} of ${HEADER_SIZE} bytes`);
  }
  if ((buf[0]! & 0xc0) !== 0) {
    throw stunError("header byte 0", "first two bits are not zero (not a STUN message)");
  }
  const type = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  if (length % 4 !== 0) {
    throw stunError("header byte 2", `message length ${length} is not a multiple of 4`);
  }
  if (HEADER_SIZE + length > buf.length) {
    throw stunError("header byte 2", `message length ${length} runs past the ${buf.length}-byte buffer`);
  }
  return {
    type,
    ...decodeMessageType(type),
    length,
    cookie: buf.readUInt32BE(4),
    transactionId: buf.subarray(8, HEADER_SIZE),
    xorKey: buf.subarray(4, HEADER_SIZE),
  };
}
