/**
 * Reads a topology YAML file, validates it with the schema and the cross-field
 * checks, and reports every problem with file:line:column and field path.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import { TopologySchema, type Topology } from "./schema.ts";
import { TopologyConfigError, pathToField, type ConfigProblem, type FieldPath } from "./config-error.ts";
import { checkTopology, topologyWarnings } from "./checks.ts";
import { schemaProblems, withoutBadParts } from "./schema-issues.ts";

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
  const schemaIssues = parsed.success ? [] : parsed.error.issues;
  // One pass: the cross-field checks also run when the schema found problems, on the
  // data with the bad parts taken out (schema-issues.ts), so a file is fixed in one edit.
  const topology = parsed.success ? parsed.data : withoutBadParts(TopologySchema, raw, schemaIssues);
  const located = (path: FieldPath, message: string, rule?: string): ConfigProblem => {
    const at = locate(path);
    return { file, line: at.line, column: at.column, field: pathToField(path) || "(top level)", message, ...(rule ? { rule } : {}) };
  };
  const problems = [
    ...schemaProblems(TopologySchema, raw, schemaIssues).map((p) => located(p.path, p.message)),
    ...(topology ? checkTopology(topology).map((p) => located(p.path, p.message, p.rule)) : []),
  ];
  if (!parsed.success || problems.length > 0) throw new TopologyConfigError(inFileOrder(problems));
  return { topology: parsed.data, warnings: topologyWarnings(parsed.data).map((p) => located(p.path, p.message, p.rule)) };
}

/** Top to bottom, as an editor shows the file (zod reports wrong types before unknown keys). */
function inFileOrder(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
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
