/**
 * SASLprep, RFC 4013 (a stringprep profile, RFC 3454), as RFC 5389 15.4 applies it to
 * passwords. Implemented here rather than taking the `saslprep` npm package:
 *  2.1 map: non-ASCII spaces (C.1.2) to U+0020, "commonly mapped to nothing" (B.1) removed;
 *  2.2 normalize: Unicode NFKC;
 *  2.3 prohibit: C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9;
 *  2.4 bidi (RFC 3454 6), with RandALCat/LCat approximated from Unicode scripts
 *      (JS regexes have no Bidi_Class): RTL = Hebrew, Arabic, Syriac, Thaana, NKo letters;
 *  2.5 unassigned code points are allowed ("query" semantics).
 * Enough for the RFC 5769 2.4 password "The\u00ADM\u00AAtr\u2168" -> "TheMatrIX".
 */

type Ranges = readonly (readonly [number, number])[];

/** RFC 3454 B.1: commonly mapped to nothing. */
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x1806, 0x1806], [0x180b, 0x180d],
  [0x200b, 0x200d], [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
];

/** RFC 3454 C.1.2: non-ASCII space characters (0x200B is already gone via B.1). */
const NON_ASCII_SPACE: Ranges = [[0x00a0, 0x00a0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];

const PROHIBITED: Ranges = [
  ...NON_ASCII_SPACE, // C.1.2
  [0x0000, 0x001f], [0x007f, 0x007f], // C.2.1 ASCII control
  [0x0080, 0x009f], [0x06dd, 0x06dd], [0x070f, 0x070f], [0x180e, 0x180e], [0x200c, 0x200d], [0x2028, 0x2029],
  [0x2060, 0x2063], [0x206a, 0x206f], [0xfeff, 0xfeff], [0xfff9, 0xfffc], [0x1d173, 0x1d17a], // C.2.2
  [0xe000, 0xf8ff], [0xf0000, 0xffffd], [0x100000, 0x10fffd], // C.3 private use
  [0xfdd0, 0xfdef], // C.4 (nFFFE/nFFFF checked separately)
  [0xd800, 0xdfff], // C.5 surrogates (lone ones survive string iteration)
  [0xfff9, 0xfffd], // C.6
  [0x2ff0, 0x2ffb], // C.7
  [0x0340, 0x0341], [0x200e, 0x200f], [0x202a, 0x202e], // C.8
  [0xe0001, 0xe0001], [0xe0020, 0xe007f], // C.9
];

function inRanges(cp: number, ranges: Ranges): boolean {
  return ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
}

const RTL_SCRIPT = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const LETTER = /\p{L}/u;

function isRandAL(ch: string): boolean {
  return LETTER.test(ch) && RTL_SCRIPT.test(ch);
}

function isL(ch: string): boolean {
  return LETTER.test(ch) && !RTL_SCRIPT.test(ch);
}

export function saslprep(input: string): string {
  let mapped = "";
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (inRanges(cp, MAPPED_TO_NOTHING)) continue;
    mapped += inRanges(cp, NON_ASCII_SPACE) ? " " : ch;
  }
  const out = mapped.normalize("NFKC");
  const chars = [...out];
  for (const [i, ch] of chars.entries()) {
    const cp = ch.codePointAt(0)!;
    if (inRanges(cp, PROHIBITED) || (cp & 0xfffe) === 0xfffe) {
      throw new RangeError(`SASLprep (RFC 4013 2.3): prohibited code point U+${cp.toString(16).toUpperCase().padStart(4, "0")} at character ${i}`);
    }
  }
  if (chars.some(isRandAL)) {
    if (chars.some(isL)) throw new RangeError("SASLprep (RFC 3454 6): string mixes right-to-left and left-to-right characters");
    if (!isRandAL(chars[0]!) || !isRandAL(chars[chars.length - 1]!)) {
      throw new RangeError("SASLprep (RFC 3454 6): a right-to-left string must start and end with a right-to-left character");
    }
  }
  return out;
}
