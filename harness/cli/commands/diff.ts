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
import { diffExitCode, diffForJson, formatDiffText, type DiffReport } from "../../diff/format.ts";
import { loadDiffSide } from "../../diff/sides.ts";
import { parsePartnerOption } from "../../import/partners.ts";
import { inShard, mergeShardFiles, parseShard, ShardError } from "../../diff/shard.ts";

interface DiffCliOptions {
  expect?: string;
  live?: boolean;
  json?: boolean;
  allUsers?: boolean;
  stateDir: string;
  partner: string[];
  shard?: string;
  merge?: string[];
  worlds: string;
  namespaces: boolean;
}

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("the federation verdicts that change between two topologies (or two folders of Management Shell output)")
    .argument("[before]", "topology name, YAML file, or folder of Management Shell output")
    .argument("[after]", "the same, after the change")
    .option("--expect <file>", "YAML list of intended changes: only other changes fail (exit 1)")
    .option("--live", "start both worlds and confirm every changed cell with real traffic")
    .option("--json", "print JSON")
    .option("--all-users", "compare every user, not one per policy")
    .option("--partner <domain=product>", "for imported folders: the product a partner domain runs (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--state-dir <dir>", "with --live: where the certificate cache lives", ".edgesim")
    .option("--shard <I/N>", "with --json: keep (and with --live confirm) only every N-th changed cell, starting at the I-th, for a CI matrix")
    .option("--merge <files...>", "join the JSON of every shard into one verdict and exit code")
    .option("--worlds <n>", "with --live: worlds run at a time, each in its own network namespace", "2")
    .option("--no-namespaces", "with --live: run the worlds one after the other in this process")
    .action(async (beforeArg: string | undefined, afterArg: string | undefined, opts: DiffCliOptions) => {
      if (opts.merge) {
        const merged = mergeShardFiles(opts.merge);
        process.stdout.write(JSON.stringify(merged, null, 2) + "\n");
        process.exitCode = merged.exitCode;
        return;
      }
      if (!beforeArg || !afterArg) throw new ShardError("give BEFORE and AFTER (or --merge FILES...)");
      if (!/^[1-9]\d*$/.test(opts.worlds)) throw new ShardError(`--worlds ${opts.worlds}: expected a whole number of worlds, 1 or more`);
      const shard = opts.shard ? parseShard(opts.shard) : undefined;
      if (shard && !opts.json) throw new ShardError("--shard writes JSON for --merge: add --json");
      const partners = new Map(opts.partner.map(parsePartnerOption));
      const before = loadDiffSide(beforeArg, partners);
      const after = loadDiffSide(afterArg, partners);
      const expected = opts.expect ? readExpectFile(opts.expect) : undefined;
      // Name the sides as the user did: two imported folders both carry the topology name "imported".
      const whole = { ...diffTopologies(before, after, { allUsers: opts.allUsers ?? false }), before: beforeArg, after: afterArg };
      // Expectations are checked on the whole diff (every shard then reports the same unmet ones); a shard keeps its slice.
      const expectations = expected ? checkExpectations(whole.changes, expected) : undefined;
      const diff = shard ? { ...whole, changes: inShard(whole.changes, shard) } : whole;
      const partial: Omit<DiffReport, "exitCode"> = { diff, ...(expectations ? { expectations } : {}) };
      if (opts.live) {
        // Loaded only for --live: the world and the scenario sentences are most of the program, and every other command starts without them.
        const { confirmChangesInWorlds } = await import("../../diff/live-worlds.ts");
        const { checks, ...liveWorlds } = await confirmChangesInWorlds(before, after, diff.changes, { stateDir: opts.stateDir, concurrency: Number(opts.worlds), namespaces: opts.namespaces === false ? "off" : "auto" });
        partial.live = checks;
        partial.liveWorlds = liveWorlds;
      }
      const report: DiffReport = { ...partial, exitCode: diffExitCode(partial) };
      const json = { ...(diffForJson(report) as object), ...(shard ? { shard: { ...shard, totalChanges: whole.changes.length } } : {}) };
      process.stdout.write(opts.json ? JSON.stringify(json, null, 2) + "\n" : formatDiffText(report));
      process.exitCode = report.exitCode;
    });
}

/** Internal: one live world inside a network namespace made by `diff --live` (harness/diff/live-worlds.ts). */
export function registerDiffLiveWorker(program: Command): void {
  program
    .command("diff-live-worker", { hidden: true })
    .argument("<job>", "job file written by diff --live")
    .argument("<out>", "where to write the world's checks")
    .action(async (job: string, out: string) => {
      const { runLiveJob } = await import("../../diff/live-worlds.ts");
      await runLiveJob(job, out);
      // The result is on disk and the world stopped: leave now rather than wait on a handle a peer left open.
      process.exit(0);
    });
}
