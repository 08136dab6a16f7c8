/**
 * `ConvertTo-Json` output -> records: one object, an array of objects, or several
 * such documents one after another (several cmdlets appended to one file). Each
 * object keeps the line it starts on, so a bad one is reported as file:line while
 * the others import. Values are JSON.parse's: nothing is evaluated.
 */
import type { ImportProblem, ShellProperty, ShellRecord, ShellValue } from "./record.ts";

interface Span {
  start: number;
  end: number;
}

export function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

export function parseJsonForm(text: string, file: string): { records: ShellRecord[]; problems: ImportProblem[] } {
  const lineAt = lineIndex(text);
  const records: ShellRecord[] = [];
  const problems: ImportProblem[] = [];
  const scan = topLevelObjects(text);
  for (const span of scan.objects) {
    const line = lineAt(span.start);
    const body = text.slice(span.start, span.end);
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      problems.push({ file, line, severity: "error", message: `not valid JSON (${(err as Error).message}); this object was not imported` });
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push({ file, line, severity: "error", message: "expected an object (one cmdlet output object); this value was not imported" });
      continue;
    }
    records.push({ file, line, properties: propertiesOf(value as Record<string, ShellValue>, body, (offset) => lineAt(span.start + offset)) });
  }
  if (scan.error) problems.push({ file, line: lineAt(scan.error.at), severity: "error", message: scan.error.message });
  return { records, problems };
}

function propertiesOf(o: Record<string, ShellValue>, body: string, lineAt: (offset: number) => number): ShellProperty[] {
  return Object.entries(o).map(([name, value]) => {
    const at = body.indexOf(JSON.stringify(name));
    return { name, value, line: lineAt(at < 0 ? 0 : at) };
  });
}

/** The spans of every object at the top level or directly inside a top-level array. */
function topLevelObjects(text: string): { objects: Span[]; error?: { at: number; message: string } } {
  const objects: Span[] = [];
  let depth = 0;
  let inString = false;
  let arrayTop = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) arrayTop = c === "[";
      if (c === "{" && depth === (arrayTop ? 1 : 0)) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth < 0) return { objects, error: { at: i, message: `unbalanced '${c}': the rest of the file was not read` } };
      if (c === "}" && depth === (arrayTop ? 1 : 0) && start >= 0) {
        objects.push({ start, end: i + 1 });
        start = -1;
      }
    } else if (depth === 0 && !/\s/.test(c)) {
      return { objects, error: { at: i, message: `unexpected '${c}' between JSON documents: the rest of the file was not read` } };
    }
  }
  if (depth > 0) return { objects, error: { at: start >= 0 ? start : text.length, message: "the JSON ends inside an object or array (a truncated file?): the unfinished object was not imported" } };
  return { objects };
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
