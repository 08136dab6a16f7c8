/**
 * The run file of a world in its own namespace: `<state dir>/run/world-<pid>.json`, written
 * by the world's process inside the namespace and removed when it stops. `edgesim exec`
 * and `edgesim shell` read it to enter that namespace (nsenter --target PID).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface RunFile {
  pid: number;
  /** /proc/<pid>/ns/net */
  netns: string;
  /** Whether the namespace sits in its own user namespace (non-root): nsenter must enter both. */
  userns: boolean;
  topology: string;
  balancer: "kernel" | "userland";
  /** The unix socket the dashboard is served on from inside (forward.ts). */
  dashboardSocket?: string;
  startedAt: string;
}

export function runDir(stateDir: string): string {
  return join(stateDir, "run");
}

export function runFilePath(stateDir: string, pid: number): string {
  return join(runDir(stateDir), `world-${pid}.json`);
}

export function writeRunFile(stateDir: string, r: RunFile): string {
  mkdirSync(runDir(stateDir), { recursive: true });
  const path = runFilePath(stateDir, r.pid);
  writeFileSync(path, JSON.stringify(r, null, 2) + "\n");
  return path;
}

export function removeRunFile(stateDir: string, pid: number): void {
  rmSync(runFilePath(stateDir, pid), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running worlds (newest first); run files of processes that died are removed on the way. */
export function runningWorlds(stateDir: string): RunFile[] {
  let names: string[];
  try {
    names = readdirSync(runDir(stateDir)).filter((n) => /^world-\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const worlds: RunFile[] = [];
  for (const n of names) {
    const path = join(runDir(stateDir), n);
    let r: RunFile;
    try {
      r = JSON.parse(readFileSync(path, "utf8")) as RunFile;
    } catch {
      continue;
    }
    if (alive(r.pid)) worlds.push(r);
    else rmSync(path, { force: true });
  }
  return worlds.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
