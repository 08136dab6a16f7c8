/** XOR-PEER-ADDRESS (0x0012), RFC 5766 14.3: the peer's address, XOR-MAPPED-ADDRESS encoding. May repeat (CreatePermission). */
import type { StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import type { StunMessage } from "../message.ts";
import { decodeAddress, encodeAddress, type TransportAddress } from "./address.ts";

export function XorPeerAddress(addr: TransportAddress): StunAttributeSetter {
  return { encode: (ctx) => ({ type: AttrType.XorPeerAddress, value: encodeAddress(addr, ctx.xorKey) }) };
}

/** All occurrences: RFC 5766 9.1 lets CreatePermission carry several. Empty in the ms-turn dialect (0x0012 is Remote Address there). */
export function getXorPeerAddresses(msg: StunMessage): TransportAddress[] {
  if (msg.dialect === "ms-turn") return [];
  return msg.attributes.filter((a) => a.type === AttrType.XorPeerAddress).map((a) => decodeAddress(a, msg.xorKey));
}

export function getXorPeerAddress(msg: StunMessage): TransportAddress | undefined {
  return getXorPeerAddresses(msg)[0];
}
