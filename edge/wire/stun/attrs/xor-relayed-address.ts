/** XOR-RELAYED-ADDRESS (0x0016), RFC 5766 14.5: the relayed transport address in an Allocate success response. */
import type { StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { decodeAddress, encodeAddress, type TransportAddress } from "./address.ts";

export function XorRelayedAddress(addr: TransportAddress): StunAttributeSetter {
  return { encode: (ctx) => ({ type: AttrType.XorRelayedAddress, value: encodeAddress(addr, ctx.xorKey) }) };
}

export function getXorRelayedAddress(msg: StunMessage): TransportAddress | undefined {
  const view = findAttribute(msg, AttrType.XorRelayedAddress);
  return view && decodeAddress(view, msg.xorKey);
}
