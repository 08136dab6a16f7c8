/**
 * A streaming, strict UTF-8 decoder that knows byte offsets.
 *
 * RFC 6120 11.6 requires UTF-8; an improperly encoded stream is answered with
 * <unsupported-encoding/> (RFC 6120 4.9.3.22). Chunks from a socket may split a
 * multi-byte character anywhere, so the incomplete tail of one chunk is held until
 * the next. Well-formedness follows the Unicode Standard, table 3-7 (no overlong
 * forms, no surrogates, nothing above U+10FFFF); unlike TextDecoder({fatal}) this
 * reports the byte offset of the first bad byte, for WireDecodeError.where.
 */
import { WireDecodeError } from "../decode-error.ts";

/** Bytes a sequence needs after its lead byte, and the allowed range of the 2nd byte. */
function sequenceShape(lead: number): { extra: number; lo: number; hi: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { extra: 1, lo: 0x80, hi: 0xbf };
  if (lead === 0xe0) return { extra: 2, lo: 0xa0, hi: 0xbf };
  if ((lead >= 0xe1 && lead <= 0xec) || lead === 0xee || lead === 0xef) return { extra: 2, lo: 0x80, hi: 0xbf };
  if (lead === 0xed) return { extra: 2, lo: 0x80, hi: 0x9f };
  if (lead === 0xf0) return { extra: 3, lo: 0x90, hi: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { extra: 3, lo: 0x80, hi: 0xbf };
  if (lead === 0xf4) return { extra: 3, lo: 0x80, hi: 0x8f };
  return undefined;
}

export class Utf8StreamDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes consumed before `pending`, so offsets are counted from the first byte ever written. */
  private offset = 0;
  private error: WireDecodeError | undefined;

  /** Bytes written so far, including a held incomplete tail. */
  get bytesWritten(): number {
    return this.offset + this.pending.length;
  }

  /**
   * Decodes the complete characters of `chunk` (plus any tail held from before).
   * At the first invalid byte it returns the text decoded before the bad sequence and
   * a WireDecodeError (wireCode "unsupported-encoding"), so that the caller can still
   * parse what came before it, whatever the chunk boundaries; the decoder is then spent.
   */
  write(chunk: Uint8Array): { text: string; error?: WireDecodeError } {
    if (this.error !== undefined) return { text: "", error: this.error };
    const buf = this.pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.pending, chunk]);
    let i = 0;
    let complete = 0;
    while (i < buf.length) {
      const lead = buf[i] as number;
      if (lead < 0x80) {
        i++;
        complete = i;
        continue;
      }
      const shape = sequenceShape(lead);
      if (shape === undefined) return this.fail(buf, complete, i, `byte 0x${lead.toString(16)} cannot start a UTF-8 sequence`);
      const { extra, lo, hi } = shape;
      let k = 1;
      for (; k <= extra && i + k < buf.length; k++) {
        const b = buf[i + k] as number;
        const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
        if (b < min || b > max) return this.fail(buf, complete, i + k, `byte 0x${b.toString(16)} is not a valid continuation of the sequence at byte ${this.offset + i}`);
      }
      if (k <= extra) break; // incomplete but valid so far: hold it for the next chunk
      i += extra + 1;
      complete = i;
    }
    const text = buf.toString("utf8", 0, complete);
    this.pending = Buffer.from(buf.subarray(complete));
    this.offset += complete;
    return { text };
  }

  /** End of input: a held incomplete sequence is an error. */
  end(): WireDecodeError | undefined {
    if (this.pending.length === 0) return this.error;
    return this.fail(this.pending, 0, 0, "the stream ends inside a UTF-8 sequence").error;
  }

  private fail(buf: Buffer, complete: number, index: number, reason: string): { text: string; error: WireDecodeError } {
    const error = new WireDecodeError("xmpp", `byte ${this.offset + index} of the stream`, reason, "unsupported-encoding");
    this.error = error;
    const text = buf.toString("utf8", 0, complete);
    this.offset += complete;
    this.pending = Buffer.alloc(0);
    return { text, error };
  }
}
