/**
 * Benchmark (issue 14): an imported tenant of 10,000 users, 2,000 allowed and 200
 * blocked domains, as UTF-16 Format-List text. Figures: import time (target
 * < 2 s), the matrix for one user per policy x every domain (target < 5 s), and
 * the peak memory of the process doing both. Run in a child process so the peak
 * is the policy work's alone. `diff --live` time per changed cell is measured by
 * `edgesim diff --live --json` (elapsedMs per live check), not here.
 */
import { spawn } from "node:child_process";
import { projectPath } from "../paths/project-root.ts";
import type { BenchResult } from "./stats.ts";

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

export async function benchPolicy(): Promise<BenchResult[]> {
  const f = await runChild();
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return [
    { name: "policy import (10,000 users, 2,000 allowed, 200 blocked)", value: f.importMs, unit: "ms", target: "< 2000 ms", pass: f.importMs < 2000, detail: `CPU ${f.importCpuMs.toFixed(0)} ms; ${mb(f.inputBytes)} MB of UTF-16 Format-List text -> ${mb(f.yamlBytes)} MB of YAML, ${f.users} users, ${f.partners} fake partners, ${f.errors} records refused` },
    { name: "policy validate (the imported YAML, as edgesim validate)", value: f.validateMs, unit: "ms", detail: `CPU ${f.validateCpuMs.toFixed(0)} ms` },
    { name: "policy matrix (one user per policy x every domain)", value: f.matrixMs, unit: "ms", target: "< 5000 ms", pass: f.matrixMs < 5000, detail: `CPU ${f.matrixCpuMs.toFixed(0)} ms; ${f.cells} cells = ${f.subjects} users x ${f.domains} domains x directions/modalities` },
    { name: "policy peak memory (import + validate + matrix, one process)", value: f.maxRssMb, unit: "MB" },
  ];
}
