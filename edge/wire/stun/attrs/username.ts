/** USERNAME (0x0006), RFC 5389 15.3: UTF-8, fewer than 513 bytes. Used as sent in the long-term key (15.4). */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { decodeText, encodeText } from "./value.ts";

export const USERNAME_MAX_BYTES = 512;

export function Username(name: string): StunAttributeSetter {
  const value = encodeText(name, "USERNAME", USERNAME_MAX_BYTES);
  return fixed(AttrType.Username, () => value);
}

export function getUsername(msg: StunMessage): string | undefined {
  const view = findAttribute(msg, AttrType.Username);
  return view && decodeText(view, "USERNAME", USERNAME_MAX_BYTES);
}
