/**
 * Benchmark of the hardware load balancer (edge/lb): what one extra hop costs.
 * - STUN Binding requests/s through the A/V VIP with no NAT (in-process handoff,
 *   answers from the VIP socket), through the VIP with SNAT (per-client socket on
 *   the VIP, HLB-6), and straight to the edge's own socket; the same closed-loop
 *   generator (connected UDP socket, 64 in flight) and the same small Binding
 *   responder behind each (the A/V Edge's own figures are its bench's).
 * - MB/s through the SNAT TCP VIP vs straight to the server (64 KiB writes), and SIP
 *   MESSAGE/s through it (hlb-sip.ts).
 * - The kernel balancer's arm (nftables NAT in a private namespace): hlb-kernel.ts.
 * - For scale, coturn (when installed) measured with the same generator in the same
 *   run: the generator shares the process with the balancer and the responder, so
 *   every figure here is bounded by it on 2 cores.
 * Each path is measured ROUNDS times, interleaved, 1 s each; the median is reported. Addresses: 127.70.0.0/16, this bench's own.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dgram from "node:dgram";
import { Worker } from "node:worker_threads";
import net from "node:net";
import { NoNatStrategy, SnatStrategy, Vip } from "../../edge/lb/index.ts";
import type { AvPacketSink } from "../../edge/roles/av-edge/handoff.ts";
import { noEvents } from "../../edge/events/types.ts";
import { StunClass, StunMethod, StunMessageBuilder, XorMappedAddress, decodeStun, newTransactionId } from "../../edge/wire/stun/index.ts";
import { median, type BenchResult } from "./stats.ts";
import { isInstalled } from "../paths/installed.ts";
import { messageRun, startMessageResponder, summarizeMessages, type MessageRun } from "./hlb-sip.ts";

const NET = "127.70";
const VIP = `${NET}.0.12`;
const EDGE = `${NET}.1.12`;
const CLIENT = `${NET}.9.1`;
const COTURN = `${NET}.2.12`;
const RUN_MS = 1000;
/** The TCP echo's port on the VIP and the server (5061 is the SIP MESSAGE responder's). */
export const ECHO_PORT = 5062;
const ROUNDS = 3;

/** coturn on its own address, Binding only; resolves once it answers (bounded: 5 s). */
async function startCoturn(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "edgesim-bench-coturn-"));
  const child = spawn("turnserver", ["-n", `--listening-ip=${COTURN}`, "--listening-port=3478", `--relay-ip=${COTURN}`, "--no-tls", "--no-dtls", "--no-cli", "--stun-only", `--log-file=${join(dir, "turn.log")}`, `--pidfile=${join(dir, "turn.pid")}`], { stdio: "ignore" });
  // Also on exit: a bench that crashes must not leave coturn running.
  const onExit = () => void child.kill("SIGTERM");
  process.once("exit", onExit);
  const stop = () => {
    process.off("exit", onExit);
    child.kill("SIGTERM");
  };
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if ((await bindingRate({ address: COTURN, port: 3478 }, 1, 100)) > 0) return stop;
  }
  stop();
  throw new Error(`coturn did not answer a Binding on ${COTURN}:3478 within 5 s`);
}

export const responder: AvPacketSink = {
  handleUdp(packet, flow, reply) {
    const req = decodeStun(packet);
    reply(new StunMessageBuilder(StunMethod.Binding, StunClass.SuccessResponse, req.transactionId).set(XorMappedAddress({ family: "IPv4", address: flow.client.address, port: flow.client.port })).encode());
  },
  acceptTcp(socket) {
    socket.destroy();
  },
};

async function bindUdp(address: string, port = 0): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind(port, address, () => r()));
  return s;
}

/**
 * The generator runs in a worker thread (its own event loop, like a separate client
 * process), so the balancer and the responder keep the main thread. Closed loop:
 * `inflight` Binding requests outstanding on a connected UDP socket, each answer
 * sends the next, topped up every 50 ms against losses; counts answers in runMs.
 */
const GENERATOR = `
const { workerData, parentPort } = require("node:worker_threads");
const dgram = require("node:dgram");
const { to, from, inflight, runMs, req } = workerData;
const c = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
const buf = Buffer.from(req);
c.on("error", () => undefined); // ICMP unreachable while the server starts: a lost request
c.bind(0, from, () => c.connect(to.port, to.address, () => {
  let answers = 0, sent = 0, running = true;
  const send = () => { sent++; c.send(buf); };
  c.on("message", () => { answers++; if (running) send(); });
  const t0 = performance.now();
  for (let i = 0; i < inflight; i++) send();
  const topUp = setInterval(() => { for (let i = 0; i < 8; i++) send(); }, 50);
  // Late answers (in flight at the end) are waited for 200 ms: what is still missing then is lost.
  setTimeout(() => { running = false; clearInterval(topUp); const rate = answers / ((performance.now() - t0) / 1000);
    setTimeout(() => { parentPort.postMessage({ rate, sent, answers }); c.close(); }, 200); }, runMs);
}));
`;

/** One closed-loop run: answers per second, and the requests sent that never got an answer. */
export interface BindingRun { rate: number; sent: number; answers: number }

async function bindingRate(to: { address: string; port: number }, inflight = 64, runMs = RUN_MS): Promise<number> {
  return (await bindingRun(to, { inflight, runMs })).rate;
}

/** Median rate of the runs, and the requests of all runs that never got an answer (waited 200 ms after each run). */
export function summarizeBindings(runs: BindingRun[]): { rate: number; detail: string } {
  const sent = runs.reduce((n, r) => n + r.sent, 0);
  const lost = runs.reduce((n, r) => n + r.sent - r.answers, 0);
  return { rate: median(runs.map((r) => r.rate)), detail: `unanswered ${lost} of ${sent} sent` };
}

export function bindingRun(to: { address: string; port: number }, o: { inflight?: number; runMs?: number; from?: string } = {}): Promise<BindingRun> {
  const req = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId()).encode();
  const w = new Worker(GENERATOR, { eval: true, workerData: { to, from: o.from ?? CLIENT, inflight: o.inflight ?? 64, runMs: o.runMs ?? RUN_MS, req } });
  return new Promise((resolve, reject) => {
    w.once("message", (run: BindingRun) => void w.terminate().then(() => resolve(run)));
    w.once("error", (e) => reject(new Error(`STUN generator towards ${to.address}:${to.port} failed: ${e.message}`)));
  });
}

export async function tcpRate(to: { address: string; port: number }, from = CLIENT): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const c = net.connect({ host: to.address, port: to.port, localAddress: from });
    let received = 0;
    let t0 = 0;
    const pump = () => { while (c.write(chunk)); };
    c.once("connect", () => { t0 = performance.now(); pump(); });
    c.on("drain", pump);
    c.on("data", (d: Buffer) => { received += d.length; });
    c.once("error", reject);
    setTimeout(() => {
      const mbps = received / 1e6 / ((performance.now() - t0) / 1000);
      c.destroy();
      resolve(mbps);
    }, RUN_MS);
  });
}

export async function benchHlb(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const edgeSock = await bindUdp(EDGE, 3478);
  const local = { address: EDGE, port: 3478 };
  edgeSock.on("message", (m, r) => responder.handleUdp(m, { client: { address: r.address, port: r.port }, local }, (d) => edgeSock.send(d, r.port, r.address)));
  const echo = net.createServer((s) => {
    s.on("error", () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(ECHO_PORT, EDGE, () => r()));
  const sip = await startMessageResponder(EDGE, 5061);
  const backend = { server: "edge1", target: local, sink: responder };
  const noNat = await Vip.start({ name: "vip-av", address: VIP, servers: ["edge1"], listeners: [{ port: 3478, transport: "udp", backends: [backend] }], strategy: new NoNatStrategy(), events: noEvents });
  const snat = await Vip.start({ name: "vip-av-snat", address: VIP, servers: ["edge1"], listeners: [{ port: 3479, transport: "udp", backends: [backend] }, { port: ECHO_PORT, transport: "tcp", backends: [{ server: "edge1", target: { address: EDGE, port: ECHO_PORT } }] }, { port: 5061, transport: "tcp", backends: [{ server: "edge1", target: { address: EDGE, port: 5061 } }] }], strategy: new SnatStrategy(), events: noEvents });
  try {
    const samples = { direct: [] as BindingRun[], noNat: [] as BindingRun[], snat: [] as BindingRun[] };
    for (let i = 0; i < ROUNDS; i++) {
      samples.direct.push(await bindingRun(local));
      samples.noNat.push(await bindingRun({ address: VIP, port: 3478 }));
      samples.snat.push(await bindingRun({ address: VIP, port: 3479 }));
    }
    const [direct, viaNoNat, viaSnat] = [summarizeBindings(samples.direct), summarizeBindings(samples.noNat), summarizeBindings(samples.snat)];
    results.push({ name: "STUN Binding/s straight to the edge's own socket", value: direct.rate, unit: "req/s", detail: direct.detail });
    results.push({ name: "STUN Binding/s through the A/V VIP, no NAT (HLB-2)", value: viaNoNat.rate, unit: "req/s", detail: `ratio to direct ${(viaNoNat.rate / direct.rate).toFixed(2)}; ${viaNoNat.detail}` });
    results.push({ name: "STUN Binding/s through a VIP with SNAT (HLB-6 on A/V)", value: viaSnat.rate, unit: "req/s", detail: `ratio to direct ${(viaSnat.rate / direct.rate).toFixed(2)}; ${viaSnat.detail}` });
    if (isInstalled("turnserver")) {
      const stop = await startCoturn();
      try {
        const runs: number[] = [];
        for (let i = 0; i < ROUNDS; i++) runs.push(await bindingRate({ address: COTURN, port: 3478 }));
        const coturn = median(runs);
        results.push({ name: "STUN Binding/s of coturn, same generator (for scale)", value: coturn, unit: "req/s", detail: `no-NAT VIP / coturn ${(viaNoNat.rate / coturn).toFixed(2)}` });
      } finally {
        stop();
      }
    }
    const tcp = { direct: [] as number[], snat: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      tcp.direct.push(await tcpRate({ address: EDGE, port: ECHO_PORT }));
      tcp.snat.push(await tcpRate({ address: VIP, port: ECHO_PORT }));
    }
    const sipRuns = { direct: [] as MessageRun[], snat: [] as MessageRun[] };
    for (let i = 0; i < ROUNDS; i++) {
      sipRuns.direct.push(await messageRun({ address: EDGE, port: 5061 }, { from: CLIENT }));
      sipRuns.snat.push(await messageRun({ address: VIP, port: 5061 }, { from: CLIENT }));
    }
    const [sipDirect, sipSnat] = [summarizeMessages(sipRuns.direct, median), summarizeMessages(sipRuns.snat, median)];
    results.push({ name: "SIP MESSAGE/s straight to the edge's Access port (TCP)", value: sipDirect.rate, unit: "req/s", detail: sipDirect.detail });
    results.push({ name: "SIP MESSAGE/s through the Access VIP, userland SNAT relay (HLB-1)", value: sipSnat.rate, unit: "req/s", detail: `ratio to direct ${(sipSnat.rate / sipDirect.rate).toFixed(2)}; ${sipSnat.detail}` });
    const [tcpDirect, tcpSnat] = [median(tcp.direct), median(tcp.snat)];
    results.push({ name: "TCP echo MB/s straight to the server", value: tcpDirect, unit: "MB/s" });
    results.push({ name: "TCP echo MB/s through the SNAT VIP (HLB-1)", value: tcpSnat, unit: "MB/s", detail: `ratio to direct ${(tcpSnat / tcpDirect).toFixed(2)}` });
  } finally {
    await noNat.stop();
    await snat.stop();
    edgeSock.close();
    await new Promise<void>((r) => echo.close(() => r()));
    await new Promise<void>((r) => sip.close(() => r()));
  }
  return results;
}
