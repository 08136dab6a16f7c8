/**
 * CPU time per relayed MESSAGE, for the SIP relay bench: the rate alone swings with
 * whatever else shares the 2 cores, while the CPU seconds each process spends per
 * message do not (much). Read from /proc/<pid>/stat (utime + stime, clock ticks) of
 * the processes named, summed; Linux only (elsewhere: undefined, and the bench says so).
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK)

/** CPU milliseconds (user + system) of one process, undefined when it is gone or /proc is absent. */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields after the command (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** PIDs whose command line contains `needle` (a Kamailio's config path: its main and worker processes). */
export function pidsWithArg(needle: string): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, "latin1").includes(needle)) out.push(Number(e));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Summed CPU milliseconds of these processes right now (those that vanished count 0). */
export function cpuMs(pids: number[]): number | undefined {
  let sum = 0;
  let any = false;
  for (const p of pids) {
    const v = cpuMsOf(p);
    if (v !== undefined) {
      sum += v;
      any = true;
    }
  }
  return any ? sum : undefined;
}
