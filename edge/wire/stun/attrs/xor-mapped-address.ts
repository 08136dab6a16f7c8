/**
 * XOR-MAPPED-ADDRESS, RFC 5389 15.2 (0x0020): MAPPED-ADDRESS XORed with the magic
 * cookie (port, IPv4) or cookie + transaction ID (IPv6). [MS-TURN] 2.2.2.16 sends the
 * older optional number 0x8020 and XORs with its 128-bit transaction ID, which is the
 * same header bytes 4-19, so one codec serves both dialects.
 */
import type { StunAttributeSetter } from "../attribute.ts";
import { AttrType, MsTurnAttrType } from "../attr-type.ts";
import { findAttribute, type StunDialect, type StunMessage } from "../message.ts";
import { decodeAddress, encodeAddress, type TransportAddress } from "./address.ts";

export function xorMappedAddressType(dialect: StunDialect): number {
  return dialect === "ms-turn" ? MsTurnAttrType.XorMappedAddress : AttrType.XorMappedAddress;
}

export function XorMappedAddress(addr: TransportAddress): StunAttributeSetter {
  return { encode: (ctx) => ({ type: xorMappedAddressType(ctx.dialect), value: encodeAddress(addr, ctx.xorKey) }) };
}

export function getXorMappedAddress(msg: StunMessage): TransportAddress | undefined {
  const view = findAttribute(msg, xorMappedAddressType(msg.dialect));
  return view && decodeAddress(view, msg.xorKey);
}
