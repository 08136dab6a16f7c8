/**
 * Benchmark (issue 3): SIP MESSAGE relay through our Access Edge. An internal user
 * (front end) -> our Access Edge (mutual TLS, policy, SRV) -> the partner's edge
 * (mutual TLS) -> the partner user, 200 back. Peak MESSAGE/s with 64 in flight for a
 * bounded time, then p50/p99 latency at half that rate. Where Kamailio is installed
 * the same chain built of two Kamailio instances is measured (sip-relay-kamailio.ts)
 * and the ratio ours/Kamailio printed. Addresses: 127.64-67 (our world), 127.76 (Kamailio).
 * Target: ratio >= 1.0, p99 < 20 ms at half the peak.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTopology } from "../topology/registry.ts";
import { World } from "../world/world.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { peerProductsOf } from "../world/access-edge-service.ts";
import { PORTS } from "../world/ports.ts";
import { projectPath } from "../paths/project-root.ts";
import type { EdgeProcessSpec } from "./sip-relay-edge-main.ts";
import { frontEndOf } from "../world/frontend-service.ts";
import { sipPartnerOf } from "../world/sip-partners-service.ts";
import { closedLoop, openLoop, type LoadResult, type SendOnce } from "./sip-relay-load.ts";
import type { BenchResult } from "./stats.ts";
import { benchKamailioChain } from "./sip-relay-kamailio.ts";

const BASE = 64;
const SECONDS = 3;
const IN_FLIGHT = 64;

export async function benchSipRelay(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "edgesim-sip-bench-"));
  const t = loadTopology("contoso");
  t.addressing = { internal: `127.${BASE}.0.0/16`, perimeterInternal: `127.${BASE + 1}.0.0/16`, perimeterExternal: `127.${BASE + 2}.0.0/16`, internet: `127.${BASE + 3}.0.0/16` };
  t.organisation.edgePool.loadBalancing = "dns";
  t.organisation.edgePool.servers = ["edge1"];
  // The edge runs in its own process (like Kamailio's); the world holds DNS, the front end and the partners.
  const world = await World.start({ topology: t, stateDir: dir, privileged: false, services: ["dns", "frontend", "sip-partners"] });
  let peak: LoadResult;
  let half: LoadResult;
  let child: ChildProcess | undefined;
  try {
    child = await startEdgeProcess(world, t);
    const carol = frontEndOf(world).user("carol@contoso.test");
    const bobInbox = sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").inbox;
    bobInbox.onMessage(() => void bobInbox.drain());
    const send: SendOnce = async () => {
      const r = await carol.sendMessage("bob@fabrikam.test", "bench");
      return r.status === 200 ? { ok: true } : { ok: false, why: `${r.status} ${r.reason}` };
    };
    await closedLoop(send, 8, 0.5); // warm-up: connections, JIT
    peak = await closedLoop(send, IN_FLIGHT, SECONDS);
    half = await openLoop(send, Math.max(1, peak.rate / 2), SECONDS);
  } finally {
    child?.stdin?.end();
    if (child && child.exitCode === null) await new Promise((r) => child!.once("exit", r));
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const results: BenchResult[] = [
    { name: "sip relay (ours): FE -> Access Edge -> partner edge, MESSAGE/s", value: peak.rate, unit: "msg/s", detail: `edge in its own process, one FE connection, ${IN_FLIGHT} in flight, ${peak.done} ok, ${peak.failed} failed${peak.firstFailure ? ` (${peak.firstFailure})` : ""} in ${peak.seconds.toFixed(1)} s; p50 ${peak.p50.toFixed(1)} ms, p99 ${peak.p99.toFixed(1)} ms` },
    { name: "sip relay (ours): p99 latency at half the peak rate", value: half.p99, unit: "ms", detail: `${half.rate.toFixed(0)} msg/s offered, p50 ${half.p50.toFixed(2)} ms, ${half.failed} failed`, target: "< 20 ms", pass: half.p99 < 20 },
  ];
  const kam = await benchKamailioChain(SECONDS, IN_FLIGHT);
  if (kam.ok) {
    results.push({ name: "sip relay (Kamailio edge -> Kamailio partner), MESSAGE/s", value: kam.result.rate, unit: "msg/s", detail: `${kam.result.done} ok, ${kam.result.failed} failed${kam.result.firstFailure ? ` (${kam.result.firstFailure})` : ""}; p50 ${kam.result.p50.toFixed(1)} ms, p99 ${kam.result.p99.toFixed(1)} ms; ${kam.note}` });
    const ratio = peak.rate / kam.result.rate;
    results.push({ name: "sip relay ratio ours/Kamailio", value: ratio, unit: "x", target: ">= 1.0", pass: ratio >= 1 });
  } else results.push({ name: "sip relay (Kamailio chain)", value: NaN, unit: "msg/s", detail: `not measured: ${kam.why}` });
  return results;
}

async function startEdgeProcess(world: World, t: ReturnType<typeof loadTopology>): Promise<ChildProcess> {
  const ext = world.plan.byHost("edge1", "external-access");
  const int = world.plan.byHost("edge1", "internal");
  const dnsPort = Number(world.readyInfo.dns.external.split(":")[1]);
  const products = peerProductsOf(t);
  const spec: EdgeProcessSpec = {
    host: "edge1",
    config: federationConfigFromTopology(t),
    external: { address: ext.address, fqdn: ext.fqdn!, federationPort: PORTS.sipMtls, remotePort: world.context.mapPort(PORTS.https), identity: world.pki.identity("edge-external"), dns: { address: world.plan.dns.external, port: dnsPort } },
    internal: { address: int.address, fqdn: int.fqdn!, port: PORTS.sipMtls, identity: world.pki.identity("edge-internal"), dns: { address: world.plan.dns.internal, port: dnsPort }, poolFqdn: t.organisation.frontEndPool.fqdn, poolPort: PORTS.sipMtls },
    peerProducts: t.partners.flatMap((p) => [p.domain, ...p.hostedDomains]).flatMap((d) => { const v = products(d); return v ? [[d, v] as [string, NonNullable<typeof v>]] : []; }),
  };
  const child = spawn(process.execPath, [...(process.env.EDGESIM_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.EDGESIM_PROF}`] : []), "--import", "tsx", projectPath("harness/bench/sip-relay-edge-main.ts")], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin!.write(JSON.stringify(spec) + "\n");
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the bench's edge process was not ready within 15 s")), 15_000);
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`the bench's edge process exited ${code} before ready`)));
  });
  return child;
}
