/**
 * A bad topology file: every problem names the file, the line, the field and why,
 * and the rule ID when a rule of docs/rules.md forbids it.
 */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** The field path, e.g. federation.allowedDomains[1].Identity */
  field: string;
  message: string;
  rule?: string;
}

export function formatProblem(p: ConfigProblem): string {
  const rule = p.rule ? ` (${p.rule})` : "";
  return `${p.file}:${p.line}:${p.column}: ${p.field}: ${p.message}${rule}`;
}

export class TopologyConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(`invalid topology:\n${problems.map((p) => "  " + formatProblem(p)).join("\n")}`);
    this.name = "TopologyConfigError";
    this.problems = problems;
  }
}

export type FieldPath = (string | number)[];

export function pathToField(path: FieldPath): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}
