/**
 * The Binding fast path: an RFC 5389 Binding request with no attributes (what
 * keep-alives and most reflexive-address probes send) from an IPv4 client is answered
 * without the general decoder and builder, with exactly the bytes the general path
 * would produce (SOFTWARE, then XOR-MAPPED-ADDRESS: RFC 5389 15.2, 15.10);
 * test/av-edge/errors.test.ts compares the two. Anything else returns undefined and
 * takes the general path.
 */
import { MAGIC_COOKIE, Software, type EncodeContext } from "../../wire/stun/index.ts";

/** The SOFTWARE TLV, padded, encoded once per server. */
export function softwareTlv(software: string): Buffer {
  const { type, value } = Software(software).encode({ xorKey: Buffer.alloc(16), dialect: "rfc5389" } satisfies EncodeContext);
  const out = Buffer.alloc(4 + ((value.length + 3) & ~3));
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function fastBindingResponse(packet: Buffer, client: { address: string; port: number }, software: Buffer): Buffer | undefined {
  if (packet.length !== 20 || packet.readUInt16BE(0) !== 0x0001 || packet.readUInt16BE(2) !== 0 || packet.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const m = IPV4.exec(client.address);
  if (!m) return undefined;
  const out = Buffer.allocUnsafe(20 + software.length + 12);
  out.writeUInt16BE(0x0101, 0);
  out.writeUInt16BE(software.length + 12, 2);
  packet.copy(out, 4, 4, 20);
  software.copy(out, 20);
  const at = 20 + software.length;
  out.writeUInt32BE(0x00200008, at);
  out.writeUInt16BE(0x0001, at + 4);
  out.writeUInt16BE(client.port ^ (MAGIC_COOKIE >>> 16), at + 6);
  const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  out.writeUInt32BE((ip ^ MAGIC_COOKIE) >>> 0, at + 8);
  return out;
}
