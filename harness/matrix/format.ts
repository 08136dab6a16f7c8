/** The matrix as a table, CSV, JSON or Markdown (`--format`). */
import { formatTable } from "../cli/table.ts";
import type { Matrix, MatrixCell } from "./cells.ts";

export const MATRIX_FORMATS = ["table", "csv", "json", "md"] as const;
export type MatrixFormat = (typeof MATRIX_FORMATS)[number];

const HEADERS = ["user", "policy", "partner", "product", "direction", "modality", "verdict", "rule", "rules"];

function verdictText(c: MatrixCell): string {
  if (c.allowed) return c.deliverable ? "allowed" : `unreachable${c.status ? ` ${c.status}` : ""}`;
  return `refused${c.status ? ` ${c.status}` : ""}`;
}

function row(c: MatrixCell): string[] {
  return [c.user, c.policy, c.partner, c.product ?? "", c.direction, c.modality, verdictText(c), c.rule, c.rules.join(" > ")];
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatMatrix(m: Matrix, format: MatrixFormat): string {
  switch (format) {
    case "json":
      return JSON.stringify({ topology: m.topology, subjects: m.subjects, domains: m.domains, cells: m.cells.map(({ verdict, ...c }) => ({ ...c, steps: verdict.steps })) }, null, 2) + "\n";
    case "csv":
      return [HEADERS, ...m.cells.map(row)].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
    case "md":
      return [`| ${HEADERS.join(" | ")} |`, `|${HEADERS.map(() => "---").join("|")}|`, ...m.cells.map((c) => `| ${row(c).map((x) => x.replace(/\|/g, "\\|")).join(" | ")} |`)].join("\n") + "\n";
    default: {
      const who = m.subjects.map((s) => `${s.user} (policy ${s.policy}${s.represents > 1 ? `, stands for ${s.represents} users` : ""})`).join("; ");
      return `matrix of '${m.topology}': ${m.cells.length} cells, ${m.subjects.length} users x ${m.domains.length} partner domains\nusers: ${who}\n\n${formatTable(HEADERS, m.cells.map(row))}\n`;
    }
  }
}
