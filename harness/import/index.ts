/**
 * `edgesim import`: Management Shell output files -> a topology. Each file is
 * decoded (BOM, UTF-16, CRLF), read as ConvertTo-Json or Format-List output,
 * every record mapped by its cmdlet, and the whole assembled into a topology the
 * loader validates before anything is written.
 */
import { readFileSync } from "node:fs";
import { decodeShellOutput } from "./decode.ts";
import { parseFormatList } from "./format-list.ts";
import { looksLikeJson, parseJsonForm } from "./json-form.ts";
import { collectRecord, emptyModel, type ImportModel } from "./collect.ts";
import { assemble, type AssembleOptions } from "./assemble.ts";
import { topologyYaml } from "./write.ts";
import type { ImportProblem } from "./record.ts";
import { formatImportProblem } from "./record.ts";
import type { CmdletName } from "./cmdlets.ts";

export interface ImportInput {
  file: string;
  bytes: Uint8Array;
}

export interface ImportSummary {
  records: Partial<Record<CmdletName, number>>;
  /** cmdlet -> property -> records that carried a value for it (kept as comments). */
  unmodelled: Record<string, Record<string, number>>;
  invented: string[];
  guessedPartners: string[];
  errors: number;
  warnings: number;
}

export interface ImportResult {
  yaml: string;
  topology: Record<string, unknown>;
  problems: ImportProblem[];
  summary: ImportSummary;
}

export function readInputs(files: string[]): ImportInput[] {
  return files.map((file) => ({ file, bytes: readFileSync(file) }));
}

export function importShellOutput(inputs: ImportInput[], opts: AssembleOptions): ImportResult {
  const model = emptyModel();
  for (const input of inputs) readOne(model, input);
  const assembled = assemble(model, opts);
  const problems = [...model.problems, ...assembled.problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const summary = summarise(model, assembled.invented, assembled.guessed, problems);
  const yaml = topologyYaml(assembled.topology, assembled.comments, header(summary, problems));
  return { yaml, topology: assembled.topology, problems, summary };
}

function readOne(model: ImportModel, input: ImportInput): void {
  const { text } = decodeShellOutput(input.bytes);
  if (looksBinary(text)) {
    model.problems.push({ file: input.file, line: 1, severity: "error", message: "binary data, not Management Shell text output: the file was not imported" });
    return;
  }
  const parsed = looksLikeJson(text) ? parseJsonForm(text, input.file) : parseFormatList(text, input.file);
  model.problems.push(...parsed.problems);
  for (const r of parsed.records) collectRecord(model, r);
}

function summarise(m: ImportModel, invented: string[], guessedPartners: string[], problems: ImportProblem[]): ImportSummary {
  const records: Partial<Record<CmdletName, number>> = {};
  const count = (c: CmdletName, n: number) => void (n && (records[c] = n));
  count("Get-CsAccessEdgeConfiguration", m.accessEdge.length);
  count("Get-CsAllowedDomain", m.allowedDomains.length);
  count("Get-CsBlockedDomain", m.blockedDomains.length);
  count("Get-CsHostingProvider", m.hostingProviders.length);
  count("Get-CsPublicProvider", m.publicProviders.length);
  count("Get-CsExternalAccessPolicy", m.policies.length);
  count("Get-CsXmppAllowedPartner", m.xmppPartners.length);
  count("Get-CsUser", m.users.length);
  count("Get-CsService", m.edgeServices.length);
  const unmodelled = Object.fromEntries([...m.unmodelled].map(([c, props]) => [c, Object.fromEntries(props)]));
  return {
    records,
    unmodelled,
    invented,
    guessedPartners,
    errors: problems.filter((p) => p.severity === "error").length,
    warnings: problems.filter((p) => p.severity === "warning").length,
  };
}

function header(s: ImportSummary, problems: ImportProblem[]): string[] {
  const lines = ["Imported by `edgesim import` from Management Shell output. Nothing in the input was executed.", "Every name below is served only by the sandbox's own DNS views and CA, on 127.0.0.0/8 addresses.", "", "Records read:"];
  for (const [c, n] of Object.entries(s.records)) lines.push(`  ${c}: ${n}`);
  if (Object.keys(s.unmodelled).length) {
    lines.push("Properties edgesim does not model (kept as comments beside their entries):");
    for (const [c, props] of Object.entries(s.unmodelled)) lines.push(`  ${c}: ${Object.entries(props).map(([p, n]) => `${p} (${n})`).join(", ")}`);
  }
  if (s.invented.length) lines.push("Not in the input, so invented:", ...s.invented.map((x) => `  ${x}`));
  if (problems.length) lines.push(`Problems (${s.errors} errors: records not imported; ${s.warnings} warnings):`, ...problems.slice(0, 50).map((p) => `  ${formatImportProblem(p)}`));
  if (problems.length > 50) lines.push(`  ... and ${problems.length - 50} more (see the command's output)`);
  return lines;
}

/** Control characters other than tab and line ends never occur in shell text output. */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 4096);
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c) return true;
  }
  return false;
}
