/**
 * `edgesim rules [ID]`: what a rule ID means and which Microsoft page it comes from,
 * as docs/rules.md says it (the command reads that file). Without an ID, every rule;
 * an unknown ID is a usage error (exit 2) that lists the known ones.
 */
import type { Command } from "commander";
import { loadRules, seedsCitedBy, type RuleEntry, type SeedPage } from "../rules-doc.ts";
import { wrapText } from "../wrap-text.ts";

export class UnknownRuleError extends Error {}

export function registerRules(program: Command): void {
  program
    .command("rules [id]")
    .description("print what a rule ID (FED-4, HLB-2, ...) means and its source page; without an ID, all of them")
    .option("--json", "print the rules as JSON")
    .action((id: string | undefined, opts: { json?: boolean }) => {
      const doc = loadRules();
      const rules = pick(doc.rules, id).map((r) => ({ ...r, seeds: seedsCitedBy(r.source, doc.seeds) }));
      if (opts.json) process.stdout.write(JSON.stringify(id ? rules[0] : rules) + "\n");
      else process.stdout.write(rules.map(formatRule).join("\n\n") + "\n");
    });
}

function pick(rules: RuleEntry[], id: string | undefined): RuleEntry[] {
  if (id === undefined) return rules;
  const wanted = id.trim().toUpperCase();
  const found = rules.find((r) => r.id === wanted);
  if (!found) throw new UnknownRuleError(`no rule '${id}'; the rules are ${rules.map((r) => r.id).join(", ")} (docs/rules.md)`);
  return [found];
}

/** One rule: heading, meaning, source line, and the title and address of each seed page it cites. */
export function formatRule(r: RuleEntry & { seeds: SeedPage[] }): string {
  const meaning = r.meaning.split("\n\n").map((p) => wrapText(p, 78, "  ")).join("\n\n");
  const pages = r.seeds.map((s) => `    seed ${s.seed}: ${s.title}\n      ${s.url}`);
  return [`${r.id}  ${r.title}  (${r.group})`, meaning, wrapText(`Source: ${r.source}`, 78, "  "), ...pages].join("\n");
}
