/**
 * Bytes as `Out-File` / `>` / `Set-Content` leave them -> text. Windows PowerShell
 * 5.1 writes UTF-16 LE with a BOM for `>` and `Out-File`, PowerShell 7 writes
 * UTF-8 without one, `Set-Content -Encoding UTF8` adds a UTF-8 BOM; any of them
 * may carry CRLF. The BOM decides; without one, NUL bytes in every other
 * position betray UTF-16 (ASCII text in UTF-16 is half NULs).
 */
export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be";

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  bom: boolean;
}

export function decodeShellOutput(bytes: Uint8Array): DecodedText {
  const { encoding, bom } = detectEncoding(bytes);
  const body = bom ? bytes.subarray(encoding === "utf-8" ? 3 : 2) : bytes;
  const text = encoding === "utf-16be" ? new TextDecoder("utf-16le").decode(swapPairs(body)) : new TextDecoder(encoding).decode(body);
  // CRLF (and a lone CR from a mangled paste) -> LF, so line numbers match what an editor shows.
  return { text: text.replace(/\r\n?/g, "\n"), encoding, bom };
}

function detectEncoding(b: Uint8Array): { encoding: TextEncodingName; bom: boolean } {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: "utf-8", bom: true };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: "utf-16le", bom: true };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: "utf-16be", bom: true };
  const sample = b.subarray(0, Math.min(b.length, 512));
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] !== 0) continue;
    if (i % 2 === 0) evenNul++;
    else oddNul++;
  }
  const half = sample.length / 2;
  if (oddNul > half * 0.4 && evenNul === 0) return { encoding: "utf-16le", bom: false };
  if (evenNul > half * 0.4 && oddNul === 0) return { encoding: "utf-16be", bom: false };
  return { encoding: "utf-8", bom: false };
}

function swapPairs(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - (b.length % 2));
  for (let i = 0; i + 1 < b.length; i += 2) {
    out[i] = b[i + 1]!;
    out[i + 1] = b[i]!;
  }
  return out;
}
