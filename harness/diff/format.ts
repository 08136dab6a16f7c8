/** The diff as text for people or JSON for CI; both carry the rule chains before and after (FED-12). */
import type { CellChange, CellSide, TopologyDiff } from "./diff.ts";
import type { ExpectationOutcome, ExpectedChange } from "./expect.ts";
import type { LiveCheck } from "./live.ts";
import type { WorldsResult } from "./live-worlds.ts";

export interface DiffReport {
  diff: TopologyDiff;
  expectations?: ExpectationOutcome;
  live?: LiveCheck[];
  /** How the live worlds ran: each in its own network namespace, or one after the other (and why). */
  liveWorlds?: Omit<WorldsResult, "checks">;
  exitCode: number;
}

function worldsLine(w: Omit<WorldsResult, "checks">): string[] {
  const how = w.mode === "namespaces" ? "each in its own network namespace, concurrently" : `one after the other in this process${w.why ? `: ${w.why}` : ""}`;
  return [`Live worlds: ${w.worlds}, ${how}`, ...w.failures.map((f) => `  ERROR ${f}`)];
}

function verdict(s: CellSide | undefined): string {
  if (!s) return "absent";
  if (s.allowed && !s.deliverable) return `unreachable${s.status ? ` ${s.status}` : ""} (${s.rule})`;
  return s.allowed ? `allowed (${s.rule})` : `refused${s.status ? ` ${s.status}` : ""} (${s.rule})`;
}

function changeLine(c: CellChange, tag: string): string[] {
  const who = `${c.user}${c.represents > 1 ? ` (+${c.represents - 1} like them)` : ""}`;
  const lines = [`${tag}${who} ${c.direction === "inbound" ? "<-" : "->"} ${c.partner} ${c.modality}: ${verdict(c.before)} => ${verdict(c.after)}`];
  if (c.before) lines.push(`      before (policy ${c.before.policy}): ${c.before.rules.join(" > ")}`);
  if (c.after) lines.push(`      after  (policy ${c.after.policy}): ${c.after.rules.join(" > ")}`);
  return lines;
}

function expectText(e: ExpectedChange): string {
  return Object.entries(e).filter(([k]) => k !== "reason").map(([k, v]) => `${k}=${v}`).join(" ") + (e.reason ? ` (${e.reason})` : "");
}

export function formatDiffText(r: DiffReport): string {
  const { diff, expectations: x, live } = r;
  const out: string[] = [`edgesim diff ${diff.before} -> ${diff.after}: ${diff.cellsCompared} cells compared, ${diff.changes.length} changed`];
  const expected = new Set(x?.expected ?? []);
  for (const c of diff.changes) out.push(...changeLine(c, x ? (expected.has(c) ? "  expected    " : "  UNEXPECTED  ") : "  "));
  if (x?.unmet.length) out.push("", "Intended changes that did not happen:", ...x.unmet.map((e) => `  ${expectText(e)}`));
  if (live) {
    const bad = live.filter((l) => l.status !== "agrees");
    const unconfirmed = live.filter((l) => l.status === "unconfirmed").length;
    if (r.liveWorlds) out.push("", ...worldsLine(r.liveWorlds));
    out.push(...(r.liveWorlds ? [] : [""]), `Live: ${live.length} cells tried for real, ${live.length - bad.length} agree with the offline verdict, ${bad.length - unconfirmed} disagree, ${unconfirmed} could not be sent`);
    for (const l of bad) out.push(`  ${l.status.toUpperCase()} (${l.side}) ${l.sentence}: offline ${l.cell.deliverable ? "delivered" : l.cell.allowed ? "unreachable" : "refused"}, live ${l.delivered === undefined ? "?" : l.delivered ? "delivered" : "not delivered"}: ${l.detail}`);
  }
  return out.join("\n") + "\n";
}

export function diffForJson(r: DiffReport): unknown {
  const strip = (s?: CellSide) => (s ? { allowed: s.allowed, deliverable: s.deliverable, rule: s.rule, rules: s.rules, status: s.status ?? null, policy: s.policy, steps: s.cell.verdict.steps } : null);
  const expected = new Set(r.expectations?.expected ?? []);
  return {
    before: r.diff.before,
    after: r.diff.after,
    cellsCompared: r.diff.cellsCompared,
    exitCode: r.exitCode,
    changes: r.diff.changes.map((c) => ({ kind: c.kind, user: c.user, represents: c.represents, partner: c.partner, direction: c.direction, modality: c.modality, ...(r.expectations ? { expected: expected.has(c) } : {}), before: strip(c.before), after: strip(c.after) })),
    ...(r.expectations ? { unmet: r.expectations.unmet } : {}),
    ...(r.liveWorlds ? { liveWorlds: r.liveWorlds } : {}),
    ...(r.live ? { live: r.live.map((l) => ({ side: l.side, sentence: l.sentence, status: l.status, offlineDeliverable: l.cell.deliverable, delivered: l.delivered ?? null, detail: l.detail, elapsedMs: l.elapsedMs })) } : {}),
  };
}

/**
 * 0 nothing (unexpected) changed, 1 something did (or an intended change did not),
 * 2 a live result disagreed with the offline verdict. A cell no sentence can send
 * yet (federated A/V) is reported as unconfirmed, not as an error.
 */
export function diffExitCode(r: Omit<DiffReport, "exitCode">): number {
  if (r.live?.some((l) => l.status === "disagrees") || r.liveWorlds?.failures.length) return 2;
  if (r.expectations) return r.expectations.unexpected.length || r.expectations.unmet.length ? 1 : 0;
  return r.diff.changes.length ? 1 : 0;
}
