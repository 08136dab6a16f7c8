/** LIFETIME (0x000D), RFC 5766 14.2: seconds until the allocation expires, 32-bit unsigned. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength, u32 } from "./value.ts";

export function Lifetime(seconds: number): StunAttributeSetter {
  const value = u32(seconds, "LIFETIME");
  return fixed(AttrType.Lifetime, () => value);
}

export function getLifetime(msg: StunMessage): number | undefined {
  const view = findAttribute(msg, AttrType.Lifetime);
  if (!view) return undefined;
  expectLength(view, 4, "LIFETIME");
  return view.value.readUInt32BE(0);
}
