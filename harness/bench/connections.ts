/**
 * `npm run bench -- connections` (issue 12 item 7, issue 15 item 4).
 *
 * Kernel balancer: N (default 15,000, EDGESIM_CONNECTIONS) mutual-TLS connections held at
 * one Access Edge through the Access VIP (nftables DNAT + SNAT, HLB-1), a fresh connection
 * still answered, the edge's RSS (goal < 1.5 GB) and both processes' fds. Runs in a child
 * under `unshare --net` (connections-main.ts) with the soft fd limit raised to the hard one:
 * nft never touches the host's namespace.
 *
 * Userland balancer: its bounded resources, read from edge/lb (not measured here): the
 * per-listener TCP cap, the SNAT UDP session cap, and what each costs in fds.
 */
import { SNAT_DEFAULTS } from "../../edge/lb/snat.ts";
import { VIP_DEFAULT_MAX_CONNECTIONS } from "../../edge/lb/vip.ts";
import type { ConnectionsFigures } from "./connections-main.ts";
import { runInNamespace } from "./netns-child.ts";
import type { BenchResult } from "./stats.ts";

const CHILD_TIMEOUT_MS = 420_000;
const RSS_GOAL_MB = 1536;

/** fds one TCP connection costs the userland SNAT VIP (snat.ts: the client's socket and the re-dialled inside leg). */
const SNAT_FDS_PER_TCP = 2;
/** fds one UDP client costs it (one socket bound on the VIP's address per session). */
const SNAT_FDS_PER_UDP = 1;

export function userlandBudget(): BenchResult[] {
  const tcp = VIP_DEFAULT_MAX_CONNECTIONS;
  const udp = SNAT_DEFAULTS.maxUdpSessions;
  return [
    { name: "userland balancer: TCP connections per VIP listener (cap, edge/lb/vip.ts)", value: tcp, unit: "conns", detail: `past it the listener stops accepting (net.Server.maxConnections); SNAT costs ${SNAT_FDS_PER_TCP} fds per connection in the balancer's process: ${tcp * SNAT_FDS_PER_TCP} fds at the cap, plus 1 per connection at the edge when it shares the world's process` },
    { name: "userland balancer: SNAT UDP sessions (cap, edge/lb/snat.ts)", value: udp, unit: "sessions", detail: `${SNAT_FDS_PER_UDP} fd each: ${udp * SNAT_FDS_PER_UDP} fds at the cap; idle sessions closed after ${SNAT_DEFAULTS.udpIdleMs / 1000} s; ${SNAT_DEFAULTS.maxPending} datagrams queued per binding session` },
  ];
}

function kernelRows(f: ConnectionsFigures): BenchResult[] {
  const g = f.generator;
  const fresh = g.fresh.status === null ? `NOT answered (${g.fresh.error ?? "?"})` : `answered ${g.fresh.status} in ${g.fresh.ms.toFixed(0)} ms`;
  const allHeld = g.held === f.target && g.failed === 0 && g.closedByPeer === 0;
  return [
    { name: `kernel balancer: mutual-TLS connections held at one Access Edge through the Access VIP (of ${f.target})`, value: g.held, unit: "conns", target: `${f.target} held, 0 failed, fresh connection answered`, pass: allHeld && g.fresh.status === 200, detail: `failed ${g.failed}, closed by the edge ${g.closedByPeer}${g.firstErrors.length ? ` (${g.firstErrors.join("; ")})` : ""}; fresh connection + OPTIONS ${fresh}` },
    { name: "kernel balancer: time to open them (batches of 250 handshakes)", value: g.rampMs, unit: "ms", detail: `${(g.held / (g.rampMs / 1000)).toFixed(0)} handshakes/s` },
    { name: "kernel balancer: the Access Edge's RSS while holding them", value: f.edge.rssMb, unit: "MB", target: `< ${RSS_GOAL_MB} MB`, pass: f.edge.rssMb < RSS_GOAL_MB, detail: `${f.edge.idleRssMb.toFixed(0)} MB before the ramp: ${(((f.edge.rssMb - f.edge.idleRssMb) * 1024) / Math.max(1, g.held)).toFixed(1)} KiB per connection; the edge's fds ${f.edge.fds} of ${f.edge.fdSoftLimit}` },
    { name: "kernel balancer: the generator's open fds", value: g.fds, unit: "fds", detail: `soft limit ${g.fdSoftLimit}` },
  ];
}

/** From the host: runs connections-main.ts in a child under `unshare --net`, soft fd limit raised to the hard one. */
async function kernelArm(): Promise<BenchResult[]> {
  const r = await runInNamespace({ script: "harness/bench/connections-main.ts", name: "edgesim-conns-netns", timeoutMs: CHILD_TIMEOUT_MS, raiseFdLimit: true });
  if (r.ok) return kernelRows(r.json as ConnectionsFigures);
  return [{ name: "kernel balancer: connections at scale", value: NaN, unit: "", detail: r.why }];
}

export async function benchConnections(): Promise<BenchResult[]> {
  return [...(await kernelArm()), ...userlandBudget()];
}
