/**
 * NONCE, RFC 5389 15.8 (0x0015): fewer than 128 characters, at most 763 bytes.
 * [MS-TURN] 2.2.2.13 numbers Nonce 0x0014 (RFC 5389's REALM number) and caps it at 128 bytes.
 */
import type { StunAttributeSetter } from "../attribute.ts";
import { AttrType, MsTurnAttrType } from "../attr-type.ts";
import { findAttribute, type StunDialect, type StunMessage } from "../message.ts";
import { decodeText, encodeText } from "./value.ts";

export const NONCE_MAX_CHARS = 127;
export const NONCE_MAX_BYTES = 763;

export function nonceType(dialect: StunDialect): number {
  return dialect === "ms-turn" ? MsTurnAttrType.Nonce : AttrType.Nonce;
}

export function Nonce(nonce: string): StunAttributeSetter {
  const value = encodeText(nonce, "NONCE", NONCE_MAX_BYTES, NONCE_MAX_CHARS);
  return { encode: (ctx) => ({ type: nonceType(ctx.dialect), value }) };
}

export function getNonce(msg: StunMessage): string | undefined {
  const view = findAttribute(msg, nonceType(msg.dialect));
  return view && decodeText(view, "NONCE", NONCE_MAX_BYTES, NONCE_MAX_CHARS);
}
