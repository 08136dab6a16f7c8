/**
 * Character classes and small lexical helpers of the SIP grammar (RFC 3261 section 25.1,
 * "Basic Rules"), shared by every SIP parser in this folder.
 */
import { WireDecodeError } from "../decode-error.ts";

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") (25.1). */
const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** word adds ( ) < > : \ DQUOTE / [ ] ? { } to token (25.1, used by Call-ID). */
const WORD_RE = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+$/;

export function isToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

export function isWord(s: string): boolean {
  return WORD_RE.test(s);
}

/** TOKEN_RE's characters by code, so scanners ask a table rather than a regular expression per character. */
const TOKEN_CHARS = new Uint8Array(128);
for (let i = 0; i < 128; i++) TOKEN_CHARS[i] = TOKEN_RE.test(String.fromCharCode(i)) ? 1 : 0;

/** isTokenChar by character code (scanners that walk a string by index). */
export function isTokenCode(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

export function isTokenChar(c: string): boolean {
  if (c.length !== 1) return false;
  const code = c.charCodeAt(0);
  return code < 128 && TOKEN_CHARS[code] === 1;
}

/** LWS/SWS characters once folding has been undone (7.3.1): SP and HTAB. */
export function isWsp(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

/** Index of the first non-WSP character at or after i. */
export function skipWsp(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 0x20 || c === 0x09) c = s.charCodeAt(++i);
  return i;
}

/** The one error constructor of this folder: a SIP WireDecodeError, 400 unless told. */
export function sipError(where: string, reason: string, wireCode = 400): WireDecodeError {
  return new WireDecodeError("sip", where, reason, wireCode);
}

/** A bad response: no wire code, because a response is discarded, never answered (RFC 4475 3.1.2). */
export function sipDiscardError(where: string, reason: string): WireDecodeError {
  return new WireDecodeError("sip", where, `${reason} (response discarded)`, undefined);
}

/**
 * Undo %HH escaping (RFC 3261 25.1 "escaped", 19.1.2). Decoded octets are read as UTF-8;
 * a '%' not followed by two hex digits is an error (escaping is not optional in URIs).
 */
export function unescapePercent(s: string, where: string): string {
  if (!s.includes("%")) return s;
  const out: number[] = [];
  const src = Buffer.from(s, "utf8");
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b !== 0x25) {
      out.push(b);
      continue;
    }
    const hex = src.subarray(i + 1, i + 3).toString("latin1");
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw sipError(where, `bad escape '%${hex}'`);
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(out).toString("utf8");
}

/** Escape every octet of s that is not in `allowed` as %HH (inverse of unescapePercent). */
export function escapePercent(s: string, allowed: RegExp): string {
  let out = "";
  for (const ch of s) {
    if (allowed.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, "utf8")) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/**
 * Read a quoted-string starting at s[i] === '"' (25.1: quoted-string, quoted-pair).
 * Returns the unescaped content and the index just past the closing quote.
 */
export function readQuoted(s: string, i: number, where: string): { text: string; end: number } {
  let text = "";
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j] as string;
    if (c === "\\") {
      const n = s[j + 1];
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): CR and LF cannot be escaped.
      if (n === undefined || n === "\r" || n === "\n" || n.charCodeAt(0) > 0x7f) throw sipError(where, "bad quoted-pair in quoted-string");
      text += n;
      j++;
    } else if (c === '"') {
      return { text, end: j + 1 };
    } else {
      text += c;
    }
  }
  throw sipError(where, "unterminated quoted-string");
}

/** Trim SP/HTAB only (LWS, 25.1). String.prototype.trim() would also eat U+FEFF and NBSP. */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
