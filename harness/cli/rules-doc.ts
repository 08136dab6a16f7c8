/**
 * The rules of docs/rules.md as data: that file is the one place the project says
 * what each rule ID means and which Microsoft page it comes from, so `edgesim rules`
 * reads it rather than keep a second copy that could drift. Each rule is a
 * `### ID Title` heading, its meaning, and a last line `Source: ...`; the `## `
 * heading above it is its group.
 */
import { readFileSync } from "node:fs";
import { projectPath } from "../paths/project-root.ts";

export interface SeedPage {
  /** "000".."004". */
  seed: string;
  /** The English title of the Microsoft page. */
  title: string;
  url: string;
}

export interface RulesDoc {
  seeds: SeedPage[];
  rules: RuleEntry[];
}

export interface RuleEntry {
  id: string;
  title: string;
  group: string;
  /** The meaning, paragraphs separated by a blank line, each paragraph on one line. */
  meaning: string;
  source: string;
}

const RULE_HEADING = /^### ([A-Z]+-\d+) (.+)$/;

const SEED_ROW = /^\| (\d{3}) \| (.+?) \| (\S+) \|$/;

/** Parses the text of docs/rules.md; throws when an entry breaks the format, naming its line. */
export function parseRulesDoc(text: string, file = "docs/rules.md"): RulesDoc {
  return { seeds: parseSeeds(text), rules: parseRules(text, file) };
}

/** The rows of the seeds table: | 002 | English title | address |. */
function parseSeeds(text: string): SeedPage[] {
  return text.split("\n").flatMap((line) => {
    const m = SEED_ROW.exec(line.trim());
    return m ? [{ seed: m[1]!, title: m[2]!, url: m[3]! }] : [];
  });
}

function parseRules(text: string, file: string): RuleEntry[] {
  const rules: RuleEntry[] = [];
  let group = "";
  let current: { id: string; title: string; group: string; line: number; body: string[] } | undefined;
  const finish = () => {
    if (current) rules.push(finishEntry(current, file));
    current = undefined;
  };
  text.split("\n").forEach((line, i) => {
    if (line.startsWith("## ")) {
      finish();
      group = line.slice(3).trim();
      return;
    }
    const heading = RULE_HEADING.exec(line);
    if (heading) {
      finish();
      current = { id: heading[1]!, title: heading[2]!.trim(), group, line: i + 1, body: [] };
      return;
    }
    if (line.startsWith("### ")) throw new Error(`${file}:${i + 1}: a rule heading is '### ID Title' (e.g. '### FED-1 ...'), got '${line}'`);
    current?.body.push(line);
  });
  finish();
  return rules;
}

function finishEntry(e: { id: string; title: string; group: string; line: number; body: string[] }, file: string): RuleEntry {
  const sourceAt = e.body.findIndex((l) => l.startsWith("Source: "));
  if (sourceAt < 0) throw new Error(`${file}:${e.line}: ${e.id} has no 'Source: ...' line`);
  const paragraphs = e.body.slice(0, sourceAt).join("\n").trim().split(/\n\s*\n/).map((p) => p.split("\n").map((l) => l.trim()).join(" "));
  return { id: e.id, title: e.title, group: e.group, meaning: paragraphs.join("\n\n"), source: e.body[sourceAt]!.slice("Source: ".length).trim() };
}

/** The seed pages a source line names ("seed 003", "seeds 000 and 003"). */
export function seedsCitedBy(source: string, seeds: SeedPage[]): SeedPage[] {
  const cited = new Set([...source.matchAll(/\bseeds? ((?:\d{3}(?:,? and |, )?)+)/g)].flatMap((m) => m[1]!.match(/\d{3}/g) ?? []));
  return seeds.filter((s) => cited.has(s.seed));
}

/** The rules and seed pages as the repository's docs/rules.md states them. */
export function loadRules(): RulesDoc {
  const file = projectPath("docs", "rules.md");
  return parseRulesDoc(readFileSync(file, "utf8"), file);
}
