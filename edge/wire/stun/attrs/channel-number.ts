/**
 * CHANNEL-NUMBER (0x000C), RFC 5766 14.1: 16-bit channel + 2 RFFU bytes. The value is
 * returned as sent; whether it is in 0x4000-0x7FFF (RFC 5766 11) is the server's 400 to give.
 */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength } from "./value.ts";

export function ChannelNumber(channel: number): StunAttributeSetter {
  if (!Number.isInteger(channel) || channel < 0 || channel > 0xffff) throw new RangeError(`channel ${channel} is not 16-bit`);
  const value = Buffer.alloc(4);
  value.writeUInt16BE(channel, 0);
  return fixed(AttrType.ChannelNumber, () => value);
}

export function getChannelNumber(msg: StunMessage): number | undefined {
  const view = findAttribute(msg, AttrType.ChannelNumber);
  if (!view) return undefined;
  expectLength(view, 4, "CHANNEL-NUMBER");
  return view.value.readUInt16BE(0);
}
