/**
 * Benchmark (issue 14): an imported tenant of 10,000 users, 2,000 allowed and 200
 * blocked domains, as UTF-16 Format-List text. Figures: import time (target
 * < 2 s), the matrix for one user per policy x every domain (target < 5 s), and
 * the peak memory of the process doing both (run in a child process so the peak
 * is the policy work's alone); and `diff --live` time per changed cell, on the
 * default topology with two partners moved to the block list (FED-6).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectPath } from "../paths/project-root.ts";
import { loadTopology } from "../topology/registry.ts";
import type { Topology } from "../topology/schema.ts";
import { diffTopologies } from "../diff/diff.ts";
import { confirmChangesLive } from "../diff/live.ts";
import { median, type BenchResult } from "./stats.ts";

/** The bench's own zones (as startup.ts), away from the default world and the tests; benches run one at a time. */
const BENCH_BASE = 60;

interface PolicyFigures {
  inputBytes: number; yamlBytes: number; users: number; partners: number; errors: number;
  importMs: number; validateMs: number; matrixMs: number; importCpuMs: number; validateCpuMs: number; matrixCpuMs: number; cells: number; subjects: number; domains: number; maxRssMb: number;
}

function runChild(): Promise<PolicyFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", projectPath("harness/bench/policy-main.ts")], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as PolicyFigures) : reject(new Error(`policy bench child exited ${code}`))));
  });
}

function benchTopology(edit?: (t: Topology) => void): Topology {
  const t = structuredClone(loadTopology("contoso"));
  t.addressing = { internal: `127.${BENCH_BASE}.0.0/16`, perimeterInternal: `127.${BENCH_BASE + 1}.0.0/16`, perimeterExternal: `127.${BENCH_BASE + 2}.0.0/16`, internet: `127.${BENCH_BASE + 3}.0.0/16` };
  edit?.(t);
  return t;
}

async function benchDiffLive(): Promise<BenchResult> {
  const before = benchTopology();
  const after = benchTopology((t) => {
    const moved = ["fabrikam.test", "litware.test"];
    t.federation.allowedDomains = t.federation.allowedDomains.filter((d) => !moved.includes(d.Identity));
    t.federation.blockedDomains.push(...moved.map((Identity) => ({ Identity })));
  });
  // A/V cells need a remote user's call client (see docs/guide-production-policy.md): IM and XMPP cells are timed.
  const changes = diffTopologies(before, after).changes.filter((c) => c.modality !== "av");
  const stateDir = mkdtempSync(join(tmpdir(), "edgesim-bench-diff-"));
  try {
    const started = performance.now();
    const checks = await confirmChangesLive(before, after, changes, { stateDir, privileged: false });
    const total = performance.now() - started;
    const agree = checks.filter((c) => c.status === "agrees").length;
    return { name: "diff --live per changed cell (median, worlds already up)", value: median(checks.map((c) => c.elapsedMs)), unit: "ms", detail: `${checks.length} live checks (${changes.length} changed IM cells, before and after), ${agree} agree with the offline verdict; ${(total / 1000).toFixed(1)} s in all with two cold world starts` };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export async function benchPolicy(): Promise<BenchResult[]> {
  const f = await runChild();
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return [
    { name: "policy import (10,000 users, 2,000 allowed, 200 blocked)", value: f.importMs, unit: "ms", target: "< 2000 ms", pass: f.importMs < 2000, detail: `CPU ${f.importCpuMs.toFixed(0)} ms; ${mb(f.inputBytes)} MB of UTF-16 Format-List text -> ${mb(f.yamlBytes)} MB of YAML, ${f.users} users, ${f.partners} fake partners, ${f.errors} records refused` },
    { name: "policy validate (the imported YAML, as edgesim validate)", value: f.validateMs, unit: "ms", detail: `CPU ${f.validateCpuMs.toFixed(0)} ms` },
    { name: "policy matrix (one user per policy x every domain)", value: f.matrixMs, unit: "ms", target: "< 5000 ms", pass: f.matrixMs < 5000, detail: `CPU ${f.matrixCpuMs.toFixed(0)} ms; ${f.cells} cells = ${f.subjects} users x ${f.domains} domains x directions/modalities` },
    { name: "policy peak memory (import + validate + matrix, one process)", value: f.maxRssMb, unit: "MB" },
    await benchDiffLive(),
  ];
}
