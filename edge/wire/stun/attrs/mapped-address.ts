/** MAPPED-ADDRESS (0x0001), RFC 5389 15.1: the reflexive address in clear (RFC 3489 compatibility). */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { decodeAddress, encodeAddress, type TransportAddress } from "./address.ts";

export function MappedAddress(addr: TransportAddress): StunAttributeSetter {
  return fixed(AttrType.MappedAddress, () => encodeAddress(addr));
}

export function getMappedAddress(msg: StunMessage): TransportAddress | undefined {
  const view = findAttribute(msg, AttrType.MappedAddress);
  return view && decodeAddress(view);
}
