/**
 * `Format-List` text -> records. The layout (what `Get-CsX | Format-List` and the
 * shell's default list view print):
 *   - `Name<padding> : Value` lines, names padded to the longest in the record;
 *   - a blank line between records (and before the first);
 *   - a value too long for the console (or Out-File's width) continues on the
 *     next lines, indented to the value column. The shell wraps at a space when
 *     it can (the space is dropped) and mid-word only when a word fills the whole
 *     width, so a piece that ends exactly at the file's widest line (the output
 *     width) joins with nothing, any other with one space;
 *   - `{a, b}` is a collection, `{a, b, c, d...}` one that $FormatEnumerationLimit
 *     shortened; True/False are booleans; nothing after the colon is an empty value;
 *   - a `PS C:\> Get-CsAllowedDomain` prompt line (or any line naming a Get-Cs
 *     cmdlet) says which cmdlet the following records came from.
 * Nothing is evaluated: values stay text until a cmdlet's mapper reads them.
 * No library reads this layout (it is a display format, not a serialisation), so
 * this is edgesim's own small reader.
 */
import { cmdletNamedIn, type ImportProblem, type ShellProperty, type ShellRecord, type ShellValue } from "./record.ts";

const PROPERTY_LINE = /^([A-Za-z_][A-Za-z0-9_]*)\s+:(?: (.*))?$/;
const CONTINUATION = /^\s+\S/;

interface Block {
  line: number;
  lines: { text: string; line: number }[];
  hint?: string;
}

export function parseFormatList(text: string, file: string): { records: ShellRecord[]; problems: ImportProblem[] } {
  const records: ShellRecord[] = [];
  const problems: ImportProblem[] = [];
  const width = Math.max(0, ...text.split("\n").map((l) => l.trimEnd().length));
  for (const block of blocks(text)) {
    const read = readBlock(block, file, width);
    if ("message" in read) problems.push(read);
    else records.push(read);
  }
  return { records, problems };
}

/** Splits the text at blank lines; prompt lines set the cmdlet hint for the blocks after them. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  let hint: string | undefined;
  let current: Block | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") {
      current = undefined;
      return;
    }
    const named = !PROPERTY_LINE.test(raw) && !CONTINUATION.test(raw) ? cmdletNamedIn(raw) : undefined;
    if (named) {
      hint = named;
      current = undefined;
      return;
    }
    if (!current) {
      current = { line, lines: [], ...(hint ? { hint } : {}) };
      out.push(current);
    }
    current.lines.push({ text: raw, line });
  });
  return out;
}

function readBlock(block: Block, file: string, width: number): ShellRecord | ImportProblem {
  const properties: ShellProperty[] = [];
  const raw: string[] = [];
  let previousLength = 0;
  for (const { text, line } of block.lines) {
    const length = previousLength;
    previousLength = text.trimEnd().length;
    const m = PROPERTY_LINE.exec(text);
    if (m) {
      properties.push({ name: m[1]!, value: null, line });
      raw.push(m[2] ?? "");
      continue;
    }
    if (CONTINUATION.test(text) && properties.length > 0) {
      raw[raw.length - 1] = raw[raw.length - 1]!.trimEnd() + (length >= width ? "" : " ") + text.trim();
      continue;
    }
    const why = looksLikeTable(block)
      ? "Format-Table output (a header over dashes), which cuts values to the column width: export with Format-List or ConvertTo-Json"
      : properties.length === 0 && CONTINUATION.test(text)
        ? "an indented line with no property before it"
        : "not a `Name : Value` line of Format-List output";
    return { file, line, severity: "error", message: `${why}: '${clip(text)}'; the record starting at line ${block.line} was not imported` };
  }
  properties.forEach((p, i) => {
    const { value, truncated } = parseListValue(raw[i]!);
    p.value = value;
    if (truncated) p.truncated = true;
  });
  return { file, line: block.line, ...(block.hint ? { cmdletHint: block.hint } : {}), properties };
}

/** One printed value -> text, boolean, list or null. */
export function parseListValue(printed: string): { value: ShellValue; truncated: boolean } {
  const v = printed.trimEnd().trimStart();
  if (v === "") return { value: null, truncated: false };
  if (v === "True") return { value: true, truncated: false };
  if (v === "False") return { value: false, truncated: false };
  if (v.startsWith("{") && v.endsWith("}")) {
    let inner = v.slice(1, -1).trim();
    const truncated = inner.endsWith("...");
    if (truncated) inner = inner.slice(0, -3);
    const items = inner === "" ? [] : inner.split(",").map((s) => s.trim()).filter((s) => s !== "");
    return { value: items, truncated };
  }
  return { value: v, truncated: false };
}

function looksLikeTable(block: Block): boolean {
  return block.lines.some((l) => /^-{2,}(\s+-{2,})*\s*$/.test(l.text));
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
