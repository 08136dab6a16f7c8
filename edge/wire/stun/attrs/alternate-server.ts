/** ALTERNATE-SERVER (0x8023), RFC 5389 15.11: where to retry after a 300 (Try Alternate); MAPPED-ADDRESS layout. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { decodeAddress, encodeAddress, type TransportAddress } from "./address.ts";

export function AlternateServer(addr: TransportAddress): StunAttributeSetter {
  return fixed(AttrType.AlternateServer, () => encodeAddress(addr));
}

export function getAlternateServer(msg: StunMessage): TransportAddress | undefined {
  const view = findAttribute(msg, AttrType.AlternateServer);
  return view && decodeAddress(view);
}
