/**
 * What an attribute setter gives the builder (like pion/stun's Setter): a type and a
 * value, computed with the context it may need (the XOR key for XOR-*-ADDRESS, RFC 5389
 * 15.2; the dialect for the types [MS-TURN] numbers differently). RawAttribute writes
 * any type verbatim (tests, pass-through, UNKNOWN cases).
 */
import type { StunDialect } from "./message.ts";

export interface EncodeContext {
  /** Header bytes 4-19 of the message being built (cookie + transaction ID). */
  readonly xorKey: Buffer;
  readonly dialect: StunDialect;
}

export interface StunAttributeSetter {
  encode(ctx: EncodeContext): { type: number; value: Buffer };
}

export function RawAttribute(type: number, value: Uint8Array): StunAttributeSetter {
  if (!Number.isInteger(type) || type < 0 || type > 0xffff) throw new RangeError(`attribute type ${type} is not 16-bit`);
  const copy = Buffer.from(value);
  return { encode: () => ({ type, value: copy }) };
}

/** Fixed-type helper for the common case. */
export function fixed(type: number, value: (ctx: EncodeContext) => Buffer): StunAttributeSetter {
  return { encode: (ctx) => ({ type, value: value(ctx) }) };
}
