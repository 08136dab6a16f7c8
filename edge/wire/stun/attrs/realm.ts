/**
 * REALM, RFC 5389 15.7 (0x0014): fewer than 128 characters, at most 763 bytes of UTF-8.
 * [MS-TURN] 2.2.2.14 numbers Realm 0x0015 (RFC 5389's NONCE number), so the type follows the dialect.
 */
import type { StunAttributeSetter } from "../attribute.ts";
import { AttrType, MsTurnAttrType } from "../attr-type.ts";
import { findAttribute, type StunDialect, type StunMessage } from "../message.ts";
import { decodeText, encodeText } from "./value.ts";

export const REALM_MAX_CHARS = 127;
export const REALM_MAX_BYTES = 763;

export function realmType(dialect: StunDialect): number {
  return dialect === "ms-turn" ? MsTurnAttrType.Realm : AttrType.Realm;
}

export function Realm(realm: string): StunAttributeSetter {
  const value = encodeText(realm, "REALM", REALM_MAX_BYTES, REALM_MAX_CHARS);
  return { encode: (ctx) => ({ type: realmType(ctx.dialect), value }) };
}

export function getRealm(msg: StunMessage): string | undefined {
  const view = findAttribute(msg, realmType(msg.dialect));
  return view && decodeText(view, "REALM", REALM_MAX_BYTES, REALM_MAX_CHARS);
}
