/**
 * The address value shared by MAPPED-ADDRESS (RFC 5389 15.1), XOR-MAPPED-ADDRESS
 * (15.2), ALTERNATE-SERVER (15.11) and TURN's XOR-PEER-/XOR-RELAYED-ADDRESS (RFC 5766
 * 14.3, 14.5): 1 reserved byte, family (0x01 IPv4, 0x02 IPv6), port, address. The XOR
 * variants XOR port with the top 16 bits and the address with the message's header
 * bytes 4-19 (cookie + transaction ID; for [MS-TURN] 2.2.2.16 its 128-bit ID).
 */
import { stunError } from "../errors.ts";
import { formatIp, parseIp, type IpFamily } from "../ip.ts";
import type { StunAttributeView } from "../message.ts";
import { whereOf } from "./value.ts";

export interface TransportAddress {
  readonly family: IpFamily;
  readonly address: string;
  readonly port: number;
}

const FAMILY_CODE: Record<IpFamily, number> = { IPv4: 0x01, IPv6: 0x02 };

export function encodeAddress(addr: TransportAddress, xorKey?: Buffer): Buffer {
  const ip = parseIp(addr.address);
  if (!ip || ip.family !== addr.family) throw new RangeError(`"${addr.address}" is not an ${addr.family} address`);
  if (!Number.isInteger(addr.port) || addr.port < 0 || addr.port > 0xffff) throw new RangeError(`port ${addr.port} is not 16-bit`);
  const out = Buffer.alloc(4 + ip.bytes.length);
  out[1] = FAMILY_CODE[addr.family];
  out.writeUInt16BE(xorKey ? addr.port ^ xorKey.readUInt16BE(0) : addr.port, 2);
  for (let i = 0; i < ip.bytes.length; i++) out[4 + i] = ip.bytes[i]! ^ (xorKey ? xorKey[i]! : 0);
  return out;
}

export function decodeAddress(view: StunAttributeView, xorKey?: Buffer): TransportAddress {
  const v = view.value;
  if (v.length < 4) throw stunError(whereOf(view), `address value of ${v.length} bytes is shorter than 4`);
  const code = v[1]!;
  const family: IpFamily | undefined = code === 0x01 ? "IPv4" : code === 0x02 ? "IPv6" : undefined;
  if (!family) throw stunError(whereOf(view), `unknown address family 0x${code.toString(16).padStart(2, "0")}`);
  const size = family === "IPv4" ? 4 : 16;
  if (v.length !== 4 + size) throw stunError(whereOf(view), `${family} address value must be ${4 + size} bytes, got ${v.length}`);
  const port = v.readUInt16BE(2) ^ (xorKey ? xorKey.readUInt16BE(0) : 0);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = v[4 + i]! ^ (xorKey ? xorKey[i]! : 0);
  return { family, address: formatIp(bytes), port };
}

/** "192.0.2.1:32853" / "[2001:db8::1]:32853". */
export function formatTransportAddress(a: TransportAddress): string {
  return a.family === "IPv6" ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
