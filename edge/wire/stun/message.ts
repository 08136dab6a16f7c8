/**
 * A decoded STUN message that keeps the raw received bytes and where each attribute
 * sits in them, so MESSAGE-INTEGRITY and FINGERPRINT are checked over exactly what
 * arrived (RFC 5389 15.4/15.5: padding may be any value, RFC 5769 2.1 pads with 0x20).
 *
 * Attribute walk (RFC 5389 15): TLV, value padded to 4 bytes. Attributes after
 * MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 5389 15.4), and FINGERPRINT
 * must be last (RFC 5389 15.5).
 */
import { AttrType, MsTurnAttrType } from "./attr-type.ts";
import { attrWhere, stunError } from "./errors.ts";
import { decodeHeader, HEADER_SIZE, MAGIC_COOKIE, MS_TURN_MAGIC_COOKIE, type StunHeader } from "./header.ts";

/** rfc5389: RFC 5389/5766 numbering. ms-turn: [MS-TURN] 2.2 numbering (Lync), see docs/stun-wire.md. */
export type StunDialect = "rfc5389" | "ms-turn";

export interface StunAttributeView {
  readonly type: number;
  /** Offset of the attribute's 4-byte TLV header within `raw`. */
  readonly offset: number;
  /** The length field: value length before padding. */
  readonly length: number;
  /** The value (no padding), a view into `raw`. */
  readonly value: Buffer;
}

export interface StunMessage extends StunHeader {
  /** Exactly the bytes received (20 + length). */
  readonly raw: Buffer;
  readonly dialect: StunDialect;
  /** Attributes that count, in wire order: all up to MESSAGE-INTEGRITY, then FINGERPRINT. */
  readonly attributes: readonly StunAttributeView[];
  /** Attributes after MESSAGE-INTEGRITY that RFC 5389 15.4 says to ignore. */
  readonly ignored: readonly StunAttributeView[];
}

export interface StunDecodeOptions {
  /**
   * "auto" (default): ms-turn when the first attribute is the [MS-TURN] MAGIC-COOKIE,
   * otherwise rfc5389 (which requires the 0x2112A442 header cookie).
   */
  readonly dialect?: StunDialect | "auto";
}

function startsWithMsMagicCookie(raw: Buffer, end: number): boolean {
  return (
    end >= HEADER_SIZE + 8 &&
    raw.readUInt16BE(HEADER_SIZE) === MsTurnAttrType.MagicCookie &&
    raw.readUInt16BE(HEADER_SIZE + 2) === 4 &&
    raw.readUInt32BE(HEADER_SIZE + 4) === MS_TURN_MAGIC_COOKIE
  );
}

function pickDialect(header: StunHeader, raw: Buffer, wanted: StunDialect | "auto"): StunDialect {
  if (wanted === "ms-turn") return "ms-turn";
  const msMarked = startsWithMsMagicCookie(raw, raw.length);
  if (wanted === "auto" && msMarked) return "ms-turn";
  if (header.cookie !== MAGIC_COOKIE) {
    const hex = header.cookie.toString(16).padStart(8, "0");
    throw stunError("header byte 4", `magic cookie 0x${hex} is not 0x2112a442 and no MS-TURN MAGIC-COOKIE attribute follows`);
  }
  return "rfc5389";
}

/** Decodes one whole STUN message (a UDP datagram or one frame cut by the TCP framer). */
export function decodeStun(input: Uint8Array, options: StunDecodeOptions = {}): StunMessage {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const header = decodeHeader(buf);
  const end = HEADER_SIZE + header.length;
  if (buf.length > end) {
    throw stunError(`byte ${end}`, `${buf.length - end} bytes after the end of the message (length says ${header.length})`);
  }
  const raw = buf;
  const dialect = pickDialect(header, raw, options.dialect ?? "auto");
  const attributes: StunAttributeView[] = [];
  const ignored: StunAttributeView[] = [];
  let afterIntegrity = false;
  let sawFingerprint = false;
  for (let offset = HEADER_SIZE; offset < end; ) {
    // offset is a multiple of 4 and end - offset >= 4 because length % 4 === 0
    const type = raw.readUInt16BE(offset);
    const length = raw.readUInt16BE(offset + 2);
    const where = attrWhere(type, offset);
    if (sawFingerprint) throw stunError(where, "attribute after FINGERPRINT, which must be last (RFC 5389 15.5)");
    const valueEnd = offset + 4 + length;
    if (valueEnd > end) {
      throw stunError(where, `attribute length ${length} runs past the message end (byte ${end})`);
    }
    // end and offset are both 4-aligned, so the padded end cannot pass `end` once the value fits
    const padded = offset + 4 + ((length + 3) & ~3);
    const view: StunAttributeView = { type, offset, length, value: raw.subarray(offset + 4, valueEnd) };
    if (type === AttrType.Fingerprint) {
      sawFingerprint = true;
      attributes.push(view);
    } else if (afterIntegrity) {
      ignored.push(view);
    } else {
      attributes.push(view);
      if (type === AttrType.MessageIntegrity) afterIntegrity = true;
    }
    offset = padded;
  }
  return { ...header, raw, dialect, attributes, ignored };
}

/** RFC 5389 15: with repeated attributes only the first needs processing. */
export function findAttribute(msg: StunMessage, type: number): StunAttributeView | undefined {
  return msg.attributes.find((a) => a.type === type);
}
