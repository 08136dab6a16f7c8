/**
 * [MS-TURN] 2.2.2.17 MS-VERSION (0x8008, comprehension-optional): 4-byte TURN protocol
 * version (1 = MS-ICE, 2 = MS-ICE2, 3 adds HMAC-SHA256 integrity, 4 adds IPv6, 5/6
 * multiplexed TURN). Only decoded; the behaviour each version implies is not modelled.
 */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { MsTurnAttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength, u32 } from "./value.ts";

export function MsVersion(version: number): StunAttributeSetter {
  const value = u32(version, "MS-VERSION");
  return fixed(MsTurnAttrType.MsVersion, () => value);
}

export function getMsVersion(msg: StunMessage): number | undefined {
  const view = findAttribute(msg, MsTurnAttrType.MsVersion);
  if (!view) return undefined;
  expectLength(view, 4, "MS-VERSION");
  return view.value.readUInt32BE(0);
}
