/**
 * RTP-like media (RFC 3550 5.1 fixed header: V=2, PT 0, sequence number, timestamp, SSRC)
 * with a counting receiver: every packet is sequence-numbered, so the far end can say how
 * many arrived, which are missing and whether any came twice.
 */
export const RTP_HEADER_SIZE = 12;
const PAYLOAD_SIZE = 160; // 20 ms of PCMU

export function encodeRtp(seq: number, ssrc: number): Buffer {
  const b = Buffer.alloc(RTP_HEADER_SIZE + PAYLOAD_SIZE, 0xd5);
  b[0] = 0x80; // V=2, no padding, no extension, no CSRC
  b[1] = 0; // M=0, PT=0 (PCMU)
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * PAYLOAD_SIZE) >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return b;
}

/** RTP (version 2, PT < 64 or >= 96) as opposed to STUN (first two bits 00) or ChannelData (01). */
export function isRtp(b: Buffer): boolean {
  return b.length >= RTP_HEADER_SIZE && (b[0]! & 0xc0) === 0x80;
}

export function decodeRtp(b: Buffer): { seq: number; ssrc: number } {
  if (!isRtp(b)) throw new RangeError(`not an RTP packet: ${b.length} bytes, first byte 0x${(b[0] ?? 0).toString(16)}`);
  return { seq: b.readUInt16BE(2), ssrc: b.readUInt32BE(8) };
}

export class MediaCounter {
  readonly seen = new Set<number>();
  duplicates = 0;
  /** Where the packets came from, as seen by the receiver (the relay address for relayed media). */
  readonly sources = new Set<string>();

  record(b: Buffer, from: string): void {
    const { seq } = decodeRtp(b);
    if (this.seen.has(seq)) this.duplicates++;
    else this.seen.add(seq);
    this.sources.add(from);
  }

  get received(): number {
    return this.seen.size;
  }

  missing(sent: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < sent; i++) if (!this.seen.has(i)) out.push(i);
    return out;
  }
}
