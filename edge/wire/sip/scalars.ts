/**
 * Single-value header fields a proxy reads (RFC 3261 25.1):
 *   CSeq = 1*DIGIT LWS Method             (20.16; the number is < 2**31, 8.1.1.5)
 *   Max-Forwards = 1*DIGIT                (20.22; 0-255)
 *   Call-ID = word [ "@" word ]           (20.8)
 *   Content-Length = 1*DIGIT              (20.14)
 *   Date = rfc1123-date, always "GMT"     (20.17)
 */
import { isToken, isWord, sipError, trimWsp } from "./syntax.ts";

export interface SipCSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string, where: string): SipCSeq {
  const m = /^(\d+)[ \t]+(\S+)$/.exec(trimWsp(value));
  if (m === null) throw sipError(where, "CSeq must be 'number method'");
  const [, digits = "", method = ""] = m;
  if (digits.length > 10 || Number(digits) > 0x7fffffff) throw sipError(where, "CSeq number is not below 2**31");
  if (!isToken(method)) throw sipError(where, "CSeq method is not a token");
  return { seq: Number(digits), method };
}

export function parseMaxForwards(value: string, where: string): number {
  const v = trimWsp(value);
  if (!/^\d+$/.test(v)) throw sipError(where, "Max-Forwards must be digits");
  // Leading zeros are legal ("0068", RFC 4475 3.1.1.1); the value itself must fit 0-255.
  const stripped = v.replace(/^0+(?=\d)/, "");
  const num = stripped.length > 3 ? Infinity : Number(stripped);
  if (num > 255) throw sipError(where, "Max-Forwards out of range 0-255");
  return num;
}

export function parseCallId(value: string, where: string): string {
  const v = trimWsp(value);
  const at = v.indexOf("@");
  const ok = at < 0 ? isWord(v) : isWord(v.slice(0, at)) && isWord(v.slice(at + 1));
  if (!ok) throw sipError(where, "Call-ID must be word [\"@\" word]");
  return v;
}

/** Returns the length in bytes; anything but 1*DIGIT (negative, empty, junk) is an error. */
export function parseContentLength(value: string, where: string): number {
  const v = trimWsp(value);
  if (!/^\d+$/.test(v)) throw sipError(where, `Content-Length '${v}' is not 1*DIGIT`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw sipError(where, "Content-Length too large");
  return n;
}

const DATE_RE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** RFC 3261 20.17: SIP-date is rfc1123-date and the zone is always GMT (RFC 4475 3.1.2.12). */
export function parseSipDate(value: string, where: string): Date {
  const v = trimWsp(value);
  if (!DATE_RE.test(v)) throw sipError(where, "Date is not an rfc1123-date in GMT");
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw sipError(where, "Date is not a valid date");
  return d;
}
