/**
 * Benchmark: time from `edgesim up` (a new process running the npm start bundle) to
 * its JSON ready line, for the default topology, cold (empty certificate cache)
 * and warm. Also the in-process World.start() figure the ready line reports.
 * Target (issue 2): warm under 1 s, cold under 3 s.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadTopology } from "../topology/registry.ts";
import { projectPath } from "../paths/project-root.ts";
import { median, type BenchResult } from "./stats.ts";

/** The bench's own zones, away from the default world (10-40) and the tests (100-251). */
const BENCH_BASE = 60;

function timeUp(bundle: string, topologyFile: string, stateDir: string): Promise<{ wallMs: number; worldMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bundle, "up", "--json", "-t", topologyFile, "--state-dir", stateDir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      out += d;
      if (!out.includes("\n")) return;
      const wallMs = performance.now() - started;
      const ready = JSON.parse(out.split("\n")[0]!) as { elapsedMs: number };
      child.once("exit", () => resolve({ wallMs, worldMs: ready.elapsedMs }));
      child.kill("SIGINT");
    });
    child.once("exit", (code) => {
      if (!out.includes("\n")) reject(new Error(`edgesim up exited ${code} before ready: ${err}`));
    });
  });
}

export async function benchStartup(runs = 5): Promise<BenchResult[]> {
  const bundle = projectPath(".edgesim/build/edgesim.mjs");
  const dir = mkdtempSync(join(tmpdir(), "edgesim-bench-"));
  const t = loadTopology("contoso");
  t.addressing = { internal: `127.${BENCH_BASE}.0.0/16`, perimeterInternal: `127.${BENCH_BASE + 1}.0.0/16`, perimeterExternal: `127.${BENCH_BASE + 2}.0.0/16`, internet: `127.${BENCH_BASE + 3}.0.0/16` };
  const file = join(dir, "contoso.yaml");
  writeFileSync(file, stringify(t));
  const cold: { wallMs: number; worldMs: number }[] = [];
  const warm: { wallMs: number; worldMs: number }[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const state = join(dir, `state-${i}`);
      cold.push(await timeUp(bundle, file, state));
      warm.push(await timeUp(bundle, file, state));
      rmSync(state, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    { name: "startup, cold (no certificate cache): edgesim up -> ready", value: median(cold.map((r) => r.wallMs)), unit: "ms", detail: `world ${median(cold.map((r) => r.worldMs)).toFixed(0)} ms in-process; median of ${runs}`, target: "< 3000 ms", pass: median(cold.map((r) => r.wallMs)) < 3000 },
    { name: "startup, warm: edgesim up -> ready", value: median(warm.map((r) => r.wallMs)), unit: "ms", detail: `world ${median(warm.map((r) => r.worldMs)).toFixed(0)} ms in-process; median of ${runs}`, target: "< 1000 ms", pass: median(warm.map((r) => r.wallMs)) < 1000 },
  ];
}
