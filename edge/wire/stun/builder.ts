/**
 * Encoder built from small setters (like pion/stun helpers.go):
 *   new StunMessageBuilder(StunMethod.Binding, StunClass.SuccessResponse, txId)
 *     .set(Software("edgesim")).set(XorMappedAddress(addr))
 *     .addIntegrity(key).addFingerprint().encode()
 * MESSAGE-INTEGRITY and FINGERPRINT are always written last, in that order, with the
 * header length adjusted while computing each (RFC 5389 15.4, 15.5). Padding is zero.
 * A 12-byte transaction ID gives an RFC 5389 header; a 16-byte one gives the [MS-TURN]
 * 2.2.1 header (128-bit ID, no cookie) and the ms-turn attribute numbering.
 * `paddingByte` exists to reproduce published vectors (RFC 5769 2.1-2.3 pad with 0x20).
 */
import { randomBytes } from "node:crypto";
import type { StunAttributeSetter } from "./attribute.ts";
import { computeFingerprint } from "./attrs/fingerprint.ts";
import { computeIntegrity } from "./attrs/message-integrity.ts";
import { AttrType } from "./attr-type.ts";
import { HEADER_SIZE, MAGIC_COOKIE } from "./header.ts";
import type { StunDialect } from "./message.ts";
import { encodeMessageType, type StunClass } from "./message-type.ts";

/** A fresh random 96-bit transaction ID (RFC 5389 6: uniformly random). */
export function newTransactionId(): Buffer {
  return randomBytes(12);
}

export class StunMessageBuilder {
  private readonly attrs: StunAttributeSetter[] = [];
  private integrityKey: Buffer | undefined;
  private fingerprint = false;
  private readonly header: Buffer;
  readonly dialect: StunDialect;

  private readonly paddingByte: number;

  constructor(method: number, cls: StunClass, transactionId: Uint8Array, options: { paddingByte?: number } = {}) {
    this.paddingByte = options.paddingByte ?? 0;
    if (transactionId.length !== 12 && transactionId.length !== 16) {
      throw new RangeError(`transaction ID must be 12 bytes (RFC 5389) or 16 bytes (MS-TURN), got ${transactionId.length}`);
    }
    this.header = Buffer.alloc(HEADER_SIZE);
    this.header.writeUInt16BE(encodeMessageType(method, cls), 0);
    if (transactionId.length === 12) {
      this.header.writeUInt32BE(MAGIC_COOKIE, 4);
      this.header.set(transactionId, 8);
      this.dialect = "rfc5389";
    } else {
      this.header.set(transactionId, 4);
      this.dialect = "ms-turn";
    }
  }

  set(attr: StunAttributeSetter): this {
    this.attrs.push(attr);
    return this;
  }

  addIntegrity(key: Uint8Array): this {
    this.integrityKey = Buffer.from(key);
    return this;
  }

  addFingerprint(): this {
    this.fingerprint = true;
    return this;
  }

  encode(): Buffer {
    const ctx = { xorKey: this.header.subarray(4, HEADER_SIZE), dialect: this.dialect };
    const parts: Buffer[] = [this.header];
    for (const setter of this.attrs) parts.push(tlv(setter.encode(ctx), this.paddingByte));
    let msg = Buffer.concat(parts);
    if (this.integrityKey) {
      const mac = computeIntegrity(msg, this.integrityKey);
      msg = Buffer.concat([msg, tlv({ type: AttrType.MessageIntegrity, value: mac })]);
    }
    if (this.fingerprint) {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(computeFingerprint(msg), 0);
      msg = Buffer.concat([msg, tlv({ type: AttrType.Fingerprint, value: crc })]);
    }
    if (msg.length - HEADER_SIZE > 0xffff) throw new RangeError(`STUN message body of ${msg.length - HEADER_SIZE} bytes exceeds 65535`);
    msg.writeUInt16BE(msg.length - HEADER_SIZE, 2);
    return msg;
  }
}

function tlv({ type, value }: { type: number; value: Buffer }, paddingByte = 0): Buffer {
  if (value.length > 0xffff) throw new RangeError(`attribute 0x${type.toString(16)} value of ${value.length} bytes exceeds 65535`);
  const out = Buffer.alloc(4 + ((value.length + 3) & ~3), paddingByte);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}
