/**
 * One record of Management Shell output (one object of one cmdlet), as read from
 * either form (Format-List text or ConvertTo-Json), before anything is modelled.
 */

/** A property value as the shell printed it: text, True/False, a `{a, b}` list, nothing, or a JSON number/object. */
export type ShellValue = string | boolean | number | null | ShellValue[] | { [key: string]: ShellValue };

export interface ShellProperty {
  name: string;
  value: ShellValue;
  /** The line the property starts on (1-based). */
  line: number;
  /** Format-List printed a shortened collection ("{a, b, c, d...}", $FormatEnumerationLimit). */
  truncated?: boolean;
}

export interface ShellRecord {
  file: string;
  /** The first line of the record (1-based). */
  line: number;
  /** The cmdlet named in the file before this record (a `PS> Get-CsAllowedDomain` prompt line), if any. */
  cmdletHint?: string;
  properties: ShellProperty[];
}

/** A record (or a line) that could not be read: reported as file:line: why, the rest still imports. */
export interface ImportProblem {
  file: string;
  line: number;
  message: string;
  /** "error": the record was not imported; "warning": it was, with this caveat. */
  severity: "error" | "warning";
}

export function formatImportProblem(p: ImportProblem): string {
  return `${p.file}:${p.line}: ${p.severity === "warning" ? "warning: " : ""}${p.message}`;
}

export function propertyOf(r: ShellRecord, name: string): ShellProperty | undefined {
  const wanted = name.toLowerCase();
  return r.properties.find((p) => p.name.toLowerCase() === wanted);
}

/** A cmdlet name on a prompt or header line: "PS C:\> Get-CsAllowedDomain | fl *" -> Get-CsAllowedDomain. */
export function cmdletNamedIn(line: string): string | undefined {
  const m = /\b(Get-Cs[A-Za-z]+)\b/.exec(line);
  return m?.[1];
}
