/**
 * Splits a TCP byte stream into STUN messages and ChannelData frames, RFC 5389 7.2.2 and
 * RFC 5766 11.5: STUN is self-delimiting (20 + length), ChannelData is 4 + length padded
 * to 4. The first two bits pick which (00 STUN, 01 ChannelData); 10/11 cannot be framed.
 * Any error leaves the stream out of step, so the framer stays failed: close the
 * connection. Errors carry no wireCode (there is nothing to answer on a broken stream).
 * [MS-TURN] 2.1 TCP/TLS framing is not modelled (docs/stun-wire.md).
 */
import type { WireDecodeError } from "../decode-error.ts";
import { channelDataFrameSize, CHANNEL_DATA_HEADER_SIZE } from "./channel-data.ts";
import { discardError } from "./errors.ts";
import { HEADER_SIZE } from "./header.ts";

/** Default cap on one frame; big enough for any media packet, small enough to refuse a 64 KiB flood. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;

export type TcpFrame =
  | { readonly kind: "stun"; readonly bytes: Buffer }
  | { readonly kind: "channel-data"; readonly channel: number; readonly data: Buffer; readonly bytes: Buffer };

export interface TcpFramerOptions {
  /** Largest frame accepted, in bytes including headers and padding. */
  readonly maxFrameSize?: number;
}

export class StunTcpFramer {
  private buffer: Buffer = Buffer.alloc(0);
  /** Stream offset of buffer[0], for error positions. */
  private streamOffset = 0;
  private error: WireDecodeError | undefined;
  readonly maxFrameSize: number;

  constructor(options: TcpFramerOptions = {}) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  /** The error that stopped the framer, if any. */
  get failed(): WireDecodeError | undefined {
    return this.error;
  }

  /** Adds received bytes; returns every frame now complete, in order. Throws WireDecodeError on a framing error. */
  push(chunk: Uint8Array): TcpFrame[] {
    if (this.error) throw this.error;
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const frames: TcpFrame[] = [];
    let at = 0;
    while (this.buffer.length - at >= 4) {
      const size = this.frameSize(at);
      if (this.buffer.length - at < size) break;
      const bytes = Buffer.from(this.buffer.subarray(at, at + size));
      if ((bytes[0]! & 0xc0) === 0) {
        frames.push({ kind: "stun", bytes });
      } else {
        const length = bytes.readUInt16BE(2);
        frames.push({ kind: "channel-data", channel: bytes.readUInt16BE(0), data: bytes.subarray(CHANNEL_DATA_HEADER_SIZE, CHANNEL_DATA_HEADER_SIZE + length), bytes });
      }
      at += size;
    }
    this.buffer = this.buffer.subarray(at);
    this.streamOffset += at;
    return frames;
  }

  private frameSize(at: number): number {
    const first = this.buffer[at]!;
    const length = this.buffer.readUInt16BE(at + 2);
    const pos = this.streamOffset + at;
    let size: number;
    if ((first & 0xc0) === 0) {
      if (length % 4 !== 0) this.fail(`stream byte ${pos + 2}`, `STUN length ${length} is not a multiple of 4`);
      size = HEADER_SIZE + length;
    } else if ((first & 0xc0) === 0x40) {
      size = channelDataFrameSize(length, "tcp");
    } else {
      this.fail(`stream byte ${pos}`, `first byte 0x${first.toString(16)} starts neither STUN (00) nor ChannelData (01)`);
    }
    if (size > this.maxFrameSize) this.fail(`stream byte ${pos}`, `frame of ${size} bytes exceeds the ${this.maxFrameSize}-byte limit`);
    return size;
  }

  private fail(where: string, reason: string): never {
    this.error = discardError(where, reason);
    throw this.error;
  }
}
