/**
 * Tells apart what arrives on a TURN port (RFC 5766 11 and RFC 7983 7): STUN (first two
 * bits 00 + magic cookie), [MS-TURN] (00 + MAGIC-COOKIE first attribute), ChannelData
 * (01), anything else (media, garbage).
 */
import { isChannelData } from "./channel-data.ts";
import { isMsTurn, isStun } from "./header.ts";

export type PacketKind = "stun" | "ms-turn" | "channel-data" | "other";

export function classifyPacket(buf: Uint8Array): PacketKind {
  if (isMsTurn(buf)) return "ms-turn";
  if (isStun(buf)) return "stun";
  if (isChannelData(buf)) return "channel-data";
  return "other";
}
