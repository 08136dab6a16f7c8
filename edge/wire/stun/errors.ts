/**
 * Helpers that build the WireDecodeError every STUN/TURN decoder throws, so `where`
 * strings read the same everywhere ("header byte 2", "attribute 0x0020 at byte 44").
 * wireCode is the STUN error code a server would answer (RFC 5389 15.6): 400 for a
 * malformed message, 401 for a bad MESSAGE-INTEGRITY, 420 for unknown attributes.
 */
import { WireDecodeError } from "../decode-error.ts";

/** "0x0020": attribute types are always written as four hex digits. */
export function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, "0")}`;
}

/** The `where` of an attribute: its type and the byte offset of its TLV header in the message. */
export function attrWhere(type: number, offset: number): string {
  return `attribute ${hex4(type)} at byte ${offset}`;
}

export function stunError(where: string, reason: string, wireCode: number = 400): WireDecodeError {
  return new WireDecodeError("stun", where, reason, wireCode);
}

/** For input that is dropped, never answered (bad ChannelData, a broken TCP stream): no wireCode. */
export function discardError(where: string, reason: string): WireDecodeError {
  return new WireDecodeError("stun", where, reason);
}
