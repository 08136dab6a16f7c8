/**
 * ChannelData messages, RFC 5766 11.4: 16-bit channel number (0x4000-0x7FFF, so the
 * first two bits are 01 and it never looks like STUN), 16-bit length of the data
 * (padding excluded), the data. Over TCP the frame is padded to a multiple of 4
 * (RFC 5766 11.5); over UDP padding is optional, so up to 3 trailing bytes are accepted.
 * Errors carry no wireCode: a bad ChannelData message is discarded, never answered (11.6).
 */
import { discardError } from "./errors.ts";

export const CHANNEL_NUMBER_MIN = 0x4000;
export const CHANNEL_NUMBER_MAX = 0x7fff;
export const CHANNEL_DATA_HEADER_SIZE = 4;

export type StunTransport = "udp" | "tcp";

export interface ChannelDataMessage {
  readonly channel: number;
  /** A view into the received bytes. */
  readonly data: Buffer;
}

export function isValidChannelNumber(channel: number): boolean {
  return Number.isInteger(channel) && channel >= CHANNEL_NUMBER_MIN && channel <= CHANNEL_NUMBER_MAX;
}

/** Demultiplexing test: at least a header, first two bits 01. */
export function isChannelData(buf: Uint8Array): boolean {
  return buf.length >= CHANNEL_DATA_HEADER_SIZE && (buf[0]! & 0xc0) === 0x40;
}

/** Bytes the frame occupies: header + data, padded to 4 over TCP. */
export function channelDataFrameSize(dataLength: number, transport: StunTransport): number {
  return CHANNEL_DATA_HEADER_SIZE + (transport === "tcp" ? (dataLength + 3) & ~3 : dataLength);
}

export function encodeChannelData(channel: number, data: Uint8Array, transport: StunTransport): Buffer {
  if (!isValidChannelNumber(channel)) throw new RangeError(`channel number 0x${channel.toString(16)} is outside 0x4000-0x7fff`);
  if (data.length > 0xffff) throw new RangeError(`ChannelData payload of ${data.length} bytes exceeds 65535`);
  const out = Buffer.alloc(channelDataFrameSize(data.length, transport));
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(data.length, 2);
  out.set(data, CHANNEL_DATA_HEADER_SIZE);
  return out;
}

export function decodeChannelData(input: Uint8Array, transport: StunTransport): ChannelDataMessage {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < CHANNEL_DATA_HEADER_SIZE) {
    throw discardError(`channel-data byte ${buf.length}`, `truncated ChannelData header: ${buf.length} of 4 bytes`);
  }
  const channel = buf.readUInt16BE(0);
  if (!isValidChannelNumber(channel)) {
    throw discardError("channel-data byte 0", `channel number 0x${channel.toString(16)} is outside 0x4000-0x7fff`);
  }
  const length = buf.readUInt16BE(2);
  const end = CHANNEL_DATA_HEADER_SIZE + length;
  if (end > buf.length) {
    throw discardError("channel-data byte 2", `length ${length} runs past the ${buf.length}-byte buffer`);
  }
  const expected = channelDataFrameSize(length, transport);
  const extra = buf.length - end;
  if (transport === "tcp" ? buf.length !== expected : extra > 3) {
    throw discardError(`channel-data byte ${end}`, `${extra} bytes after the data, expected ${expected - end} of padding over ${transport}`);
  }
  return { channel, data: buf.subarray(CHANNEL_DATA_HEADER_SIZE, end) };
}
