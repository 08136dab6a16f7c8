/** UNKNOWN-ATTRIBUTES (0x000A), RFC 5389 15.9: the 16-bit types that caused a 420, value padded to 4 bytes. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { stunError } from "../errors.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { whereOf } from "./value.ts";

export function UnknownAttributes(types: readonly number[]): StunAttributeSetter {
  const value = Buffer.alloc(types.length * 2);
  types.forEach((t, i) => value.writeUInt16BE(t, i * 2));
  return fixed(AttrType.UnknownAttributes, () => value);
}

export function getUnknownAttributes(msg: StunMessage): number[] | undefined {
  const view = findAttribute(msg, AttrType.UnknownAttributes);
  if (!view) return undefined;
  if (view.length % 2 !== 0) throw stunError(whereOf(view), `UNKNOWN-ATTRIBUTES length ${view.length} is odd`);
  const out: number[] = [];
  for (let i = 0; i < view.length; i += 2) out.push(view.value.readUInt16BE(i));
  return out;
}
