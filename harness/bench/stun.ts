/**
 * `npm run bench -- stun`: the A/V Edge against coturn, same generator, same run.
 * - STUN Binding requests/s (closed loop, connected UDP socket, 64 in flight);
 * - TURN relayed packets/s (ChannelData client -> relay -> echoing peer -> client,
 *   64 in flight; each loop counts two relayed packets).
 * Both servers run in their own process (ours: stun-edge-main.ts under tsx; coturn:
 * turnserver with its default threads), the generator in this one; 2 cores are shared
 * by all, so the figures are bounded by the machine. Each figure is the median of
 * ROUNDS interleaved rounds of RUN_MS. Directly at the edge's address; the A/V VIP
 * path is the load balancer bench's (harness/bench/hlb.ts).
 * Addresses: 127.74.0.0/16, this bench's own. Targets (issue 4): Binding >= 1.0, relay >= 0.8 of coturn.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectPath } from "../paths/project-root.ts";
import { bindingRate, relayRate, type Target } from "./stun-generator.ts";
import { median, type BenchResult } from "./stats.ts";
import { isInstalled } from "../paths/installed.ts";

const NET = "127.74";
const OURS = `${NET}.1.12`;
const COTURN = `${NET}.2.12`;
const CLIENT = `${NET}.9.1`;
const PEER = `${NET}.9.2`;
const RUN_MS = 1500;
const ROUNDS = 3;
const WINDOW = 64;

async function waitForBinding(to: Target, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) if ((await bindingRate(CLIENT, to, 1, 100)) > 0) return;
  throw new Error(`${what} did not answer a Binding on ${to.address}:${to.port} within 10 s`);
}

function startOurs(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", projectPath("harness/bench/stun-edge-main.ts"), OURS], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("the bench A/V Edge did not say ready within 20 s")), 20_000);
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) {
        clearTimeout(t);
        resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`the bench A/V Edge exited with ${code} before it was ready`)));
  });
}

function startCoturn(): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), "edgesim-bench-stun-"));
  return spawn("turnserver", [
    "-n", `--listening-ip=${COTURN}`, "--listening-port=3478", `--relay-ip=${COTURN}`, "--min-port=50000", "--max-port=50999",
    "--lt-cred-mech", "--user=u:p", "--realm=bench.test", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
    `--log-file=${join(dir, "turn.log")}`, `--pidfile=${join(dir, "turn.pid")}`,
  ], { stdio: "ignore" });
}

export async function benchStun(): Promise<BenchResult[]> {
  const ours = await startOurs();
  const coturn = isInstalled("turnserver") ? startCoturn() : undefined;
  const user = { username: "u", password: "p" };
  try {
    const edge = { address: OURS, port: 3478 };
    const turn = { address: COTURN, port: 3478 };
    await waitForBinding(edge, "our A/V Edge");
    if (coturn) await waitForBinding(turn, "coturn");
    const b = { ours: [] as number[], coturn: [] as number[] };
    const r = { ours: [] as number[], coturn: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      b.ours.push(await bindingRate(CLIENT, edge, WINDOW, RUN_MS));
      if (coturn) b.coturn.push(await bindingRate(CLIENT, turn, WINDOW, RUN_MS));
      r.ours.push(await relayRate(CLIENT, PEER, edge, user, WINDOW, RUN_MS));
      if (coturn) r.coturn.push(await relayRate(CLIENT, PEER, turn, user, WINDOW, RUN_MS));
    }
    const out: BenchResult[] = [];
    const pair = (name: string, unit: string, mine: number[], theirs: number[], target: number) => {
      const m = median(mine);
      out.push({ name: `${name} (A/V Edge, edge IP)`, value: m, unit, detail: `rounds ${mine.map((x) => x.toFixed(0)).join(", ")}` });
      if (!theirs.length) return out.push({ name: `${name}: coturn`, value: NaN, unit, detail: "coturn not installed (apt-get install -y coturn): no ratio" });
      const t = median(theirs);
      out.push({ name: `${name} (coturn)`, value: t, unit, detail: `rounds ${theirs.map((x) => x.toFixed(0)).join(", ")}` });
      out.push({ name: `${name}: ratio ours/coturn`, value: m / t, unit: "x", target: `>= ${target}`, pass: m / t >= target });
    };
    pair("STUN Binding", "requests/s", b.ours, b.coturn, 1.0);
    pair("TURN relay (ChannelData, 160 B)", "packets/s", r.ours, r.coturn, 0.8);
    return out;
  } finally {
    ours.stdin?.end();
    ours.kill("SIGTERM");
    coturn?.kill("SIGTERM");
  }
}
