/**
 * `npm run bench`: runs the benchmarks and prints their figures (never a pass/fail
 * test: machines here are 2 noisy cores). `npm run bench -- startup` runs one.
 */
import { execFileSync } from "node:child_process";
import { projectPath } from "../paths/project-root.ts";
import { benchStartup } from "./startup.ts";
import { benchHlb } from "./hlb.ts";
import { benchHlbKernel } from "./hlb-kernel.ts";
import { benchStun } from "./stun.ts";
import { benchSipRelay } from "./sip-relay.ts";
import { benchSipFault } from "./sip-fault-bench.ts";
import { benchXmpp } from "./xmpp.ts";
import { benchPolicy } from "./policy.ts";
import { benchConnections } from "./connections.ts";
import type { BenchResult } from "./stats.ts";

const BENCHES: Record<string, () => Promise<BenchResult[]>> = {
  startup: () => benchStartup(),
  // The userland balancer in this process, then the kernel one in a child under `unshare --net` (issue 12).
  hlb: async () => [...(await benchHlb()), ...(await benchHlbKernel())],
  stun: () => benchStun(),
  "sip-relay": () => benchSipRelay(),
  "sip-fault": () => benchSipFault(),
  xmpp: () => benchXmpp(),
  policy: () => benchPolicy(),
  connections: () => benchConnections(),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  const unknown = names.filter((n) => !BENCHES[n]);
  if (unknown.length) throw new RangeError(`unknown bench ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  execFileSync(process.execPath, [projectPath("harness/cli/build.mjs")], { stdio: "inherit" });
  process.stdout.write(`edgesim bench on ${process.platform} ${process.arch}, node ${process.version}, ${(await import("node:os")).cpus().length} cores\n\n`);
  for (const name of names) {
    for (const r of await BENCHES[name]!()) {
      const target = r.target ? `  target ${r.target}: ${r.pass ? "met" : "NOT met"}` : "";
      process.stdout.write(`${r.name}: ${Number.isNaN(r.value) ? "not measured" : `${r.value.toFixed(r.unit === "ms" ? 0 : 1)} ${r.unit}`}${target}${r.detail ? `\n    ${r.detail}` : ""}\n`);
    }
  }
}

await main();
