/**
 * [MS-TURN] 2.2.2.8 MAGIC-COOKIE (0x000F): 4 bytes, 0x72C64BC6, and the first attribute
 * of every MS-TURN message; it marks the message as MS-TURN (see decodeStun "auto").
 */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { MsTurnAttrType } from "../attr-type.ts";
import { MS_TURN_MAGIC_COOKIE } from "../header.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength, u32 } from "./value.ts";

export function MsTurnMagicCookie(): StunAttributeSetter {
  return fixed(MsTurnAttrType.MagicCookie, () => u32(MS_TURN_MAGIC_COOKIE, "MAGIC-COOKIE"));
}

export function getMsTurnMagicCookie(msg: StunMessage): number | undefined {
  const view = findAttribute(msg, MsTurnAttrType.MagicCookie);
  if (!view) return undefined;
  expectLength(view, 4, "MAGIC-COOKIE");
  return view.value.readUInt32BE(0);
}
