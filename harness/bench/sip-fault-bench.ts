/**
 * `npm run bench -- sip-fault` (issue 10 item 10): the contoso pool of two edges behind
 * the load balancer; fabrikam's edge sends MESSAGE through the Access VIP. First the
 * peak rate (closed loop), then half of it (open loop) while the Access Edge carrying
 * the load stops. Prints what became of every request (counts, not times): delivered,
 * answered 408/503/504, transport errors, vanished. The test asserting these counts at
 * a modest load is test/access-edge/through-vips.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTopology } from "../topology/registry.ts";
import { World } from "../world/world.ts";
import { canBindPrivileged } from "../world/ports.ts";
import { faultUnderLoad, formatTally, peakThroughVip } from "./sip-fault.ts";
import type { BenchResult } from "./stats.ts";

/** Benches run one after another: the SIP relay bench's zones (127.64-67) are free again. */
const BASE = 64;
const PEAK_SECONDS = 2;
const FAULT_SECONDS = 6;
const FAULT_AT_MS = 2000;

export async function benchSipFault(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "edgesim-sip-fault-"));
  const t = loadTopology("contoso");
  t.addressing = { internal: `127.${BASE}.0.0/16`, perimeterInternal: `127.${BASE + 1}.0.0/16`, perimeterExternal: `127.${BASE + 2}.0.0/16`, internet: `127.${BASE + 3}.0.0/16` };
  const world = await World.start({ topology: t, stateDir: dir, privileged: canBindPrivileged(), services: ["dns", "frontend", "access-edge", "hlb"] });
  try {
    const peak = await peakThroughVip(world, PEAK_SECONDS);
    const rate = Math.max(1, Math.floor(peak / 2));
    const tally = await faultUnderLoad({ world, rate, seconds: FAULT_SECONDS, faultAtMs: FAULT_AT_MS });
    const answered = Object.values(tally.answered).reduce((a, b) => a + b, 0);
    const why = Object.entries(tally.firstWhy).map(([k, v]) => `${k}: ${v}`).join(" | ");
    return [
      { name: "sip fault: peak MESSAGE/s through the Access VIP (2 edges, HLB)", value: peak, unit: "msg/s" },
      { name: `sip fault: requests at half the peak (${rate}/s for ${FAULT_SECONDS} s), one Access Edge stopped`, value: tally.sent, unit: "requests", detail: formatTally(tally) },
      { name: "sip fault: delivered", value: tally.delivered, unit: "requests" },
      { name: "sip fault: ended with a final answer or a transport error", value: answered + tally.transportErrors, unit: "requests", ...(why ? { detail: `first of each: ${why}` } : {}) },
      { name: "sip fault: vanished (no answer at all)", value: tally.vanished, unit: "requests", target: "0", pass: tally.vanished === 0 },
    ];
  } finally {
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
