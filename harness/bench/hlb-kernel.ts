/**
 * The kernel balancer's arm of `npm run bench -- hlb` (issue 12 "Benchmark"): the same
 * closed-loop STUN generator and TCP echo as the userland arm (hlb.ts), through VIPs that
 * are nftables NAT (edge/lb/kernel/ruleset.ts: DNAT with no NAT on the A/V VIP, HLB-2;
 * DNAT + SNAT on the Access VIP, HLB-1), with the edge's own socket as the reference.
 *
 * nft is never loaded in the host's namespace: the parent runs this file again in a child
 * under `unshare --net` (hlb-kernel-main.ts), which checks it is in a private namespace
 * (nftApply refuses otherwise) and prints its figures as one JSON line. Bounded: the child
 * is killed after 60 s.
 */
import dgram from "node:dgram";
import net from "node:net";
import { nftApply } from "../netns/netns.ts";
import { deleteRuleset, renderRuleset, type KernelModel } from "../../edge/lb/kernel/ruleset.ts";
import { bindingRun, ECHO_PORT, responder, summarizeBindings, tcpRate, type BindingRun } from "./hlb.ts";
import { messageRun, startMessageResponder, summarizeMessages, type MessageRun } from "./hlb-sip.ts";
import { runInNamespace } from "./netns-child.ts";
import { median, type BenchResult } from "./stats.ts";

const NET = "127.71";
const VIP = `${NET}.0.12`;
const EDGE = `${NET}.1.12`;
const CLIENT = `${NET}.9.1`;
const ROUNDS = 3;
const CHILD_TIMEOUT_MS = 60_000;

const MODEL: KernelModel = {
  table: "edgesim_bench",
  pools: [
    { vip: "vip-av", vipAddress: VIP, ports: [{ port: 3478, transport: "udp" }], backends: [{ server: "edge1", address: EDGE }], nat: "no-nat", affinity: "source" },
    { vip: "vip-access", vipAddress: VIP, ports: [{ port: 5061, transport: "tcp" }, { port: ECHO_PORT, transport: "tcp" }], backends: [{ server: "edge1", address: EDGE }], nat: "snat", affinity: "source" },
  ],
};

/** Inside the private namespace: the edge's responder and echo, the ruleset, the measurements. */
export async function measureInNamespace(): Promise<BenchResult[]> {
  const edge = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => edge.bind(3478, EDGE, () => r()));
  const local = { address: EDGE, port: 3478 };
  edge.on("message", (m, r) => responder.handleUdp(m, { client: { address: r.address, port: r.port }, local }, (d) => edge.send(d, r.port, r.address)));
  const echo = net.createServer((s) => {
    s.on("error", () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(ECHO_PORT, EDGE, () => r()));
  const sip = await startMessageResponder(EDGE, 5061);
  await nftApply(renderRuleset(MODEL));
  try {
    const direct: BindingRun[] = [];
    const viaVip: BindingRun[] = [];
    const tcp = { direct: [] as number[], vip: [] as number[] };
    const sipRuns = { direct: [] as MessageRun[], vip: [] as MessageRun[] };
    // Interleaved, and which path goes first alternates per round: a warm-up or a busy
    // neighbour then weighs on both paths alike.
    const pair = async <T>(direct: () => Promise<T>, vip: () => Promise<T>, vipFirst: boolean): Promise<[T, T]> => {
      if (!vipFirst) {
        const d = await direct();
        return [d, await vip()];
      }
      const v = await vip();
      return [await direct(), v];
    };
    for (let i = 0; i < ROUNDS; i++) {
      const vipFirst = i % 2 === 1;
      const [bd, bv] = await pair(() => bindingRun(local, { from: CLIENT }), () => bindingRun({ address: VIP, port: 3478 }, { from: CLIENT }), vipFirst);
      const [sdr, svr] = await pair(() => messageRun({ address: EDGE, port: 5061 }, { from: CLIENT }), () => messageRun({ address: VIP, port: 5061 }, { from: CLIENT }), vipFirst);
      const [tdr, tvr] = await pair(() => tcpRate({ address: EDGE, port: ECHO_PORT }, CLIENT), () => tcpRate({ address: VIP, port: ECHO_PORT }, CLIENT), vipFirst);
      direct.push(bd); viaVip.push(bv); sipRuns.direct.push(sdr); sipRuns.vip.push(svr); tcp.direct.push(tdr); tcp.vip.push(tvr);
    }
    const d = summarizeBindings(direct);
    const v = summarizeBindings(viaVip);
    const [td, tv] = [median(tcp.direct), median(tcp.vip)];
    const [sd, sv] = [summarizeMessages(sipRuns.direct, median), summarizeMessages(sipRuns.vip, median)];
    return [
      { name: "kernel arm: STUN Binding/s straight to the edge's own socket", value: d.rate, unit: "req/s", detail: d.detail },
      { name: "kernel arm: STUN Binding/s through the A/V VIP, nftables DNAT, no NAT (HLB-2)", value: v.rate, unit: "req/s", detail: `ratio to direct ${(v.rate / d.rate).toFixed(2)}; ${v.detail}` },
      { name: "kernel arm: SIP MESSAGE/s straight to the edge's Access port (TCP)", value: sd.rate, unit: "req/s", detail: sd.detail },
      { name: "kernel arm: SIP MESSAGE/s through the Access VIP, nftables DNAT + SNAT (HLB-1)", value: sv.rate, unit: "req/s", detail: `ratio to direct ${(sv.rate / sd.rate).toFixed(2)}; ${sv.detail}` },
      { name: "kernel arm: TCP echo MB/s straight to the server", value: td, unit: "MB/s" },
      { name: "kernel arm: TCP echo MB/s through the Access VIP, nftables DNAT + SNAT (HLB-1)", value: tv, unit: "MB/s", detail: `ratio to direct ${(tv / td).toFixed(2)}` },
    ];
  } finally {
    await nftApply(deleteRuleset(MODEL)).catch(() => undefined);
    edge.close();
    await new Promise<void>((r) => echo.close(() => r()));
    await new Promise<void>((r) => sip.close(() => r()));
  }
}

/** From the host: runs measureInNamespace in a child under `unshare --net`; one result saying why when it cannot. */
export async function benchHlbKernel(): Promise<BenchResult[]> {
  const r = await runInNamespace({ script: "harness/bench/hlb-kernel-main.ts", name: "edgesim-bench-netns", timeoutMs: CHILD_TIMEOUT_MS });
  if (r.ok) return r.json as BenchResult[];
  return [{ name: "kernel arm (nftables NAT in a private namespace)", value: NaN, unit: "", detail: r.why }];
}
