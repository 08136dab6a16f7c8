/**
 * `diff --live` in several worlds at once (issue 14, item 4): the BEFORE and AFTER
 * worlds (and any further ones) each run in a child process in its own network
 * namespace, so they use the same 127.x plan without a collision; at most
 * `concurrency` worlds run at a time (2 on a 2-core machine). Where no namespace can
 * be made (no unshare, no privilege), the worlds run one after the other in this
 * process, and the result says so.
 *
 *   parent: warm the PKI cache (the children only read it: two processes issuing one
 *           topology's CA at once would each trust its own), write one job file per world
 *   child:  unshare [--user --map-root-user] --net sh -c 'ip link set lo up; exec edgesim diff-live-worker JOB OUT'
 *   parent: read each OUT (LiveCheck[]); a child that fails leaves its cells "unconfirmed", with why
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Topology } from "../topology/schema.ts";
import type { MatrixCell } from "../matrix/cells.ts";
import type { CellChange } from "./diff.ts";
import { checkCellsLive, sentenceFor, type LiveCheck, type LiveWorldOptions } from "./live.ts";
import { canMakeNamespace, namespaceArgv } from "../netns/reexec.ts";

/** One world's work: what the worker reads from its job file. */
export interface LiveJob {
  side: "before" | "after";
  topology: Topology;
  cells: MatrixCell[];
  world: { stateDir?: string; privileged?: boolean };
}

export interface WorldsOptions {
  stateDir?: string;
  privileged?: boolean;
  /** Worlds at a time (default 2). */
  concurrency?: number;
  /** "auto" (default): namespaces when they can be made; "off": sequential in this process. */
  namespaces?: "auto" | "off";
  /** How to run the worker: argv before "JOB OUT" (default: this same edgesim, `diff-live-worker`). */
  workerCommand?: string[];
}

export interface WorldsResult {
  checks: LiveCheck[];
  mode: "namespaces" | "sequential";
  /** Why the worlds ran one after the other, when they did. */
  why?: string;
  worlds: number;
  /** The network namespace each world ran in ("net:[4026532...]"), in the order of the worlds; empty when sequential. */
  namespaceIds: string[];
  /** Worlds that could not run (their cells are unconfirmed): an error, exit 2. */
  failures: string[];
}

export function jobsFor(before: Topology, after: Topology, changes: CellChange[], world: LiveJob["world"]): LiveJob[] {
  const jobs: LiveJob[] = [
    { side: "before", topology: before, cells: changes.flatMap((c) => (c.before ? [c.before.cell] : [])), world },
    { side: "after", topology: after, cells: changes.flatMap((c) => (c.after ? [c.after.cell] : [])), world },
  ];
  return jobs.filter((j) => j.cells.length > 0);
}

function defaultWorker(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!, "diff-live-worker"];
}

/** What a worker writes: its world's checks and the namespace it ran in. */
interface WorkerResult {
  namespace: string;
  checks: LiveCheck[];
}

/** Runs a job's world in a fresh network namespace; resolves with its checks or an error saying why. */
function runInNamespace(job: LiveJob, dir: string, n: number, worker: string[]): Promise<WorkerResult> {
  const jobFile = join(dir, `job-${n}.json`);
  const outFile = join(dir, `out-${n}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const child = spawn("unshare", namespaceArgv({ name: "edgesim-live", command: [...worker, jobFile, outFile] }), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((done, fail) => {
    child.once("error", fail);
    child.once("exit", (code) => {
      if (code !== 0) return fail(new Error(`the ${job.side} world's process exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" / ")}`));
      try {
        done(JSON.parse(readFileSync(outFile, "utf8")) as WorkerResult);
      } catch (err) {
        fail(new Error(`the ${job.side} world's process wrote no result: ${(err as Error).message}`));
      }
    });
  });
}

/** A failed world: every cell of it is unconfirmed, with the reason (never counted as agreeing). */
function unconfirmed(job: LiveJob, why: string, failures: string[]): LiveCheck[] {
  failures.push(why);
  return job.cells.map((cell, i) => ({ side: job.side, cell, sentence: sentenceFor(cell, i + 1), status: "unconfirmed", detail: why, elapsedMs: 0 }));
}

async function pool<T, R>(items: T[], limit: number, run: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

export async function confirmChangesInWorlds(before: Topology, after: Topology, changes: CellChange[], o: WorldsOptions = {}): Promise<WorldsResult> {
  const world: LiveJob["world"] = { ...(o.stateDir ? { stateDir: resolve(o.stateDir) } : {}), ...(o.privileged !== undefined ? { privileged: o.privileged } : {}) };
  const jobs = jobsFor(before, after, changes, world);
  const ns = o.namespaces === "off" ? { ok: false as const, why: "namespaces turned off" } : canMakeNamespace();
  if (!ns.ok || jobs.length === 0) {
    const checks: LiveCheck[] = [];
    for (const j of jobs) checks.push(...(await checkCellsLive(j.topology, j.side, j.cells, world as LiveWorldOptions)));
    return { checks, mode: "sequential", ...(ns.ok ? {} : { why: `no network namespace could be made (${ns.why}): the worlds ran one after the other` }), worlds: jobs.length, namespaceIds: [], failures: [] };
  }
  await warmPki(jobs, world.stateDir);
  const dir = mkdtempSync(join(tmpdir(), "edgesim-live-"));
  try {
    const worker = o.workerCommand ?? defaultWorker();
    const failures: string[] = [];
    const results = await pool(jobs, o.concurrency ?? 2, (job, i) => runInNamespace(job, dir, i, worker).catch((err: Error): WorkerResult => ({ namespace: "", checks: unconfirmed(job, err.message, failures) })));
    return { checks: results.flatMap((r) => r.checks), mode: "namespaces", worlds: jobs.length, namespaceIds: results.map((r) => r.namespace), failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Issue every world's certificates here first, one after the other, so the children only read the cache. */
async function warmPki(jobs: LiveJob[], stateDir: string | undefined): Promise<void> {
  const { loadOrIssuePki } = await import("../pki/store.ts");
  for (const j of jobs) await loadOrIssuePki(j.topology, resolve(stateDir ?? ".edgesim", "pki", j.topology.name));
}

/** The worker's side: one job file in, the world's checks out (run inside the namespace). */
export async function runLiveJob(jobFile: string, outFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, "utf8")) as LiveJob;
  const checks = await checkCellsLive(job.topology, job.side, job.cells, job.world);
  const result: WorkerResult = { namespace: readlinkSync("/proc/self/ns/net"), checks };
  writeFileSync(outFile, JSON.stringify(result));
}
