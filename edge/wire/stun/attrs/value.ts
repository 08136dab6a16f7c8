/**
 * Shared value checks for attribute decoders: every failure names the attribute and
 * its byte offset and answers 400 (RFC 5389 15: a malformed attribute makes a bad request).
 */
import { attrWhere, stunError } from "../errors.ts";
import type { StunAttributeView } from "../message.ts";

export function whereOf(view: StunAttributeView): string {
  return attrWhere(view.type, view.offset);
}

/** Throws unless the value is exactly `n` bytes long. */
export function expectLength(view: StunAttributeView, n: number, name: string): void {
  if (view.length !== n) throw stunError(whereOf(view), `${name} value must be ${n} bytes, got ${view.length}`);
}

/** UTF-8 text with the RFC's limits (bytes and characters); bad UTF-8 is a 400. */
export function decodeText(view: StunAttributeView, name: string, maxBytes: number, maxChars?: number): string {
  if (view.length > maxBytes) throw stunError(whereOf(view), `${name} of ${view.length} bytes exceeds ${maxBytes}`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(view.value);
  } catch {
    throw stunError(whereOf(view), `${name} is not valid UTF-8`);
  }
  if (maxChars !== undefined && [...text].length > maxChars) {
    throw stunError(whereOf(view), `${name} has more than ${maxChars} characters`);
  }
  return text;
}

export function encodeText(text: string, name: string, maxBytes: number, maxChars?: number): Buffer {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > maxBytes) throw new RangeError(`${name} of ${bytes.length} bytes exceeds ${maxBytes}`);
  if (maxChars !== undefined && [...text].length > maxChars) throw new RangeError(`${name} has more than ${maxChars} characters`);
  return bytes;
}

export function u32(n: number, name: string): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${name} ${n} is not a 32-bit unsigned integer`);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}
