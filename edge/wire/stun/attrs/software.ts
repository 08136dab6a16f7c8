/** SOFTWARE (0x8022), RFC 5389 15.10: fewer than 128 characters (at most 763 bytes) naming the agent. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { decodeText, encodeText } from "./value.ts";

export const SOFTWARE_MAX_CHARS = 127;
export const SOFTWARE_MAX_BYTES = 763;

export function Software(description: string): StunAttributeSetter {
  const value = encodeText(description, "SOFTWARE", SOFTWARE_MAX_BYTES, SOFTWARE_MAX_CHARS);
  return fixed(AttrType.Software, () => value);
}

export function getSoftware(msg: StunMessage): string | undefined {
  const view = findAttribute(msg, AttrType.Software);
  return view && decodeText(view, "SOFTWARE", SOFTWARE_MAX_BYTES, SOFTWARE_MAX_CHARS);
}
