/**
 * `edgesim diff BEFORE AFTER [--live] [--expect FILE]`: the who-can-talk-to-whom
 * cells whose verdict changes between two topologies (or two folders of
 * Management Shell output). Exit 0 when nothing (unexpected) changes, 1 when
 * something does or an intended change did not happen, 2 on an error, including
 * a live result that disagrees with the offline verdict.
 */
import type { Command } from "commander";
import { diffTopologies } from "../../diff/diff.ts";
import { checkExpectations, readExpectFile } from "../../diff/expect.ts";
import { confirmChangesLive } from "../../diff/live.ts";
import { diffExitCode, diffForJson, formatDiffText, type DiffReport } from "../../diff/format.ts";
import { loadDiffSide } from "../../diff/sides.ts";
import { parsePartnerOption } from "../../import/partners.ts";

interface DiffCliOptions {
  expect?: string;
  live?: boolean;
  json?: boolean;
  allUsers?: boolean;
  stateDir: string;
  partner: string[];
}

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("the federation verdicts that change between two topologies (or two folders of Management Shell output)")
    .argument("<before>", "topology name, YAML file, or folder of Management Shell output")
    .argument("<after>", "the same, after the change")
    .option("--expect <file>", "YAML list of intended changes: only other changes fail (exit 1)")
    .option("--live", "start both worlds and confirm every changed cell with real traffic")
    .option("--json", "print JSON")
    .option("--all-users", "compare every user, not one per policy")
    .option("--partner <domain=product>", "for imported folders: the product a partner domain runs (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--state-dir <dir>", "with --live: where the certificate cache lives", ".edgesim")
    .action(async (beforeArg: string, afterArg: string, opts: DiffCliOptions) => {
      const partners = new Map(opts.partner.map(parsePartnerOption));
      const before = loadDiffSide(beforeArg, partners);
      const after = loadDiffSide(afterArg, partners);
      const expected = opts.expect ? readExpectFile(opts.expect) : undefined;
      // Name the sides as the user did: two imported folders both carry the topology name "imported".
      const diff = { ...diffTopologies(before, after, { allUsers: opts.allUsers ?? false }), before: beforeArg, after: afterArg };
      const partial: Omit<DiffReport, "exitCode"> = { diff, ...(expected ? { expectations: checkExpectations(diff.changes, expected) } : {}) };
      if (opts.live) partial.live = await confirmChangesLive(before, after, diff.changes, { stateDir: opts.stateDir });
      const report: DiffReport = { ...partial, exitCode: diffExitCode(partial) };
      process.stdout.write(opts.json ? JSON.stringify(diffForJson(report), null, 2) + "\n" : formatDiffText(report));
      process.exitCode = report.exitCode;
    });
}
