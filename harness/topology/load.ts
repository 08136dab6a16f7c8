/**
 * Reads a topology YAML file, validates it with the schema and the cross-field
 * checks, and reports every problem with file:line:column and field path.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import { TopologySchema, type Topology } from "./schema.ts";
import { TopologyConfigError, pathToField, type ConfigProblem, type FieldPath } from "./config-error.ts";
import { checkTopology, topologyWarnings, type TopologyProblem } from "./checks.ts";

export function loadTopologyFile(file: string): Topology {
  return loadTopologyFileWithWarnings(file).topology;
}

/** The topology and what it says that the product did not support (warnings: it still loads). */
export function loadTopologyFileWithWarnings(file: string): { topology: Topology; warnings: ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new TopologyConfigError([{ file, line: 0, column: 0, field: "(file)", message: why }]);
  }
  return parseTopologyWithWarnings(text, file);
}

export function parseTopology(text: string, file = "<topology>"): Topology {
  return parseTopologyWithWarnings(text, file).topology;
}

export function parseTopologyWithWarnings(text: string, file = "<topology>"): { topology: Topology; warnings: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TopologyConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, field: "(yaml)", message: e.message.split("\n")[0] ?? e.code };
      }),
    );
  }
  const locate = (path: FieldPath) => locateField(doc, lineCounter, path);
  const raw: unknown = doc.toJS() ?? {};
  const parsed = TopologySchema.safeParse(raw);
  if (!parsed.success) {
    throw new TopologyConfigError(
      parsed.error.issues.map((issue) => {
        const base = issue.path.filter((p): p is string | number => typeof p !== "symbol");
        const path = issue.code === "unrecognized_keys" ? [...base, ...issue.keys.slice(0, 1)] : base;
        const at = locate(path);
        const field = pathToField(path) || "(top level)";
        return { file, line: at.line, column: at.column, field, message: explainIssue(issue, hasPath(raw, path)) };
      }),
    );
  }
  const located = (p: TopologyProblem): ConfigProblem => {
    const at = locate(p.path);
    return { file, line: at.line, column: at.column, field: pathToField(p.path), message: p.message, rule: p.rule };
  };
  const problems = checkTopology(parsed.data).map(located);
  if (problems.length > 0) throw new TopologyConfigError(problems);
  return { topology: parsed.data, warnings: topologyWarnings(parsed.data).map(located) };
}

function explainIssue(issue: { code: string; message: string; keys?: string[] }, present: boolean): string {
  if (issue.code === "invalid_type" && !present) return "missing: this field is required";
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys && issue.keys.length > 1 ? "s" : ""} ${issue.keys?.map((k) => `'${k}'`).join(", ")}`;
  return issue.message;
}

function hasPath(raw: unknown, path: FieldPath): boolean {
  let node: unknown = raw;
  for (const part of path) {
    if (node === null || typeof node !== "object" || !(part in (node as object))) return false;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node !== undefined;
}

/** The line of the deepest node of the path that exists in the document (a missing field points at its parent). */
function locateField(doc: Document, lines: LineCounter, path: FieldPath): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}
