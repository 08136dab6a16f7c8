/**
 * Control characters in a SIP head (RFC 3261 25.1). No production of the grammar
 * lets a raw C0 control (%x00-1F) or DEL (%x7F) into a start-line or a header
 * value, with two exceptions:
 *  - HTAB is whitespace (LWS = [*WSP CRLF] 1*WSP, WSP = SP / HTAB);
 *  - inside a quoted-string, a quoted-pair "\" (%x00-09 / %x0B-0C / %x0E-7F) may
 *    escape any of them but CR and LF.
 * CR and LF only end lines (folding is undone before this check, and the line
 * splitter leaves a CR in a value only when no LF follows it: a bare CR).
 * UTF8-NONASCII (%x80 and up, decoded) is allowed where TEXT-UTF8char is.
 */
import { fieldWhere, type SipHeaderField } from "./headers.ts";
import { sipError } from "./syntax.ts";

/** Every control a value may not hold bare: C0 but HTAB, and DEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is this regex's job
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** True when `text` holds a control character, quoted or not (what a response must not echo back). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

function isBareControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

/**
 * Index of the first control character the grammar does not allow in a header value,
 * or -1. Quoted-strings are followed so a quoted-pair may escape one (not CR or LF).
 */
export function firstForbiddenControl(value: string): number {
  if (!CONTROL.test(value)) return -1; // the usual case: one scan by the regex engine
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted && c === 0x5c) {
      const next = value.charCodeAt(i + 1);
      if (next === 0x0d || next === 0x0a) return i + 1;
      i++;
      continue;
    }
    if (c === 0x22) quoted = !quoted;
    else if (isBareControl(c)) return i;
  }
  return -1;
}

function describe(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Throw a 400 WireDecodeError naming the field (or the start-line) and the character,
 * for the first control character outside the grammar.
 */
export function checkControlCharacters(startLine: string, fields: readonly SipHeaderField[]): void {
  // The start-line has no quoted-strings; HTAB is the start-line parser's to judge.
  if (CONTROL.test(startLine))
    for (let i = 0; i < startLine.length; i++) {
      const c = startLine.charCodeAt(i);
      if (isBareControl(c)) throw sipError("start-line", `control character ${describe(c)} at column ${i + 1} (RFC 3261 25.1)`);
    }
  for (const f of fields) {
    const at = firstForbiddenControl(f.value);
    if (at >= 0) throw sipError(fieldWhere(f), `control character ${describe(f.value.charCodeAt(at))} in the value (RFC 3261 25.1)`);
  }
}
