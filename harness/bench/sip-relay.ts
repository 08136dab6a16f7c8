/**
 * Benchmark (issue 3): SIP MESSAGE relay through an edge, compared fairly: only the
 * edge differs. The SAME generator (sip-relay-generator.ts: N mutual-TLS connections
 * from the front end's address with the "frontend" identity, M in flight each) dials
 *  (a) our Access Edge's internal interface (its own process, like Kamailio): policy,
 *      SRV from the sandbox DNS (cached), mutual TLS to the partner edge;
 *  (b) a Kamailio "edge" on the same addresses (stateful t_relay, SRV lookup as root);
 * and the SAME partner answers 200 for both: a Kamailio with the partner edge's
 * certificate on the partner edge's address (sip-relay-kamailio.ts). For each: peak
 * MESSAGE/s (closed loop), p50/p99 at peak, p99 at half the peak rate (open loop), then
 * the ratio ours/Kamailio. Addresses 127.64-67 (the world's plan).
 * Target: ratio >= 1.0, p99 < 20 ms at half the peak. EDGESIM_SIP_BENCH="4x16" sets
 * connections x in-flight per connection; EDGESIM_PROF=DIR writes our edge's CPU profile.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTopology } from "../topology/registry.ts";
import { World } from "../world/world.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { canBindPrivileged, PORTS } from "../world/ports.ts";
import { projectPath } from "../paths/project-root.ts";
import type { EdgeProcessSpec } from "./sip-relay-edge-main.ts";
import { closedLoop, openLoop, type LoadResult } from "./sip-relay-load.ts";
import type { BenchResult } from "./stats.ts";
import { hasKamailio, startKamailioEdge, startKamailioPartner } from "./sip-relay-kamailio.ts";
import { SipLoadGenerator } from "./sip-relay-generator.ts";
import { cpuMs, pidsWithArg } from "./sip-relay-cpu.ts";
import type { KamailioProcess } from "../../partners/adapters/kamailio/index.ts";

const BASE = 64;
const SECONDS = 3;
const PARTNER_DOMAIN = "fabrikam.test";

interface ChainResult { peak: LoadResult; half: LoadResult; cpu: string }

function shape(): { connections: number; perConnection: number } {
  const m = /^(\d+)x(\d+)$/.exec(process.env.EDGESIM_SIP_BENCH ?? "4x16");
  if (!m) throw new RangeError(`EDGESIM_SIP_BENCH must look like 4x16 (connections x in flight each), not '${process.env.EDGESIM_SIP_BENCH}'`);
  return { connections: Number(m[1]), perConnection: Number(m[2]) };
}

export async function benchSipRelay(): Promise<BenchResult[]> {
  const { connections, perConnection } = shape();
  const dir = mkdtempSync(join(tmpdir(), "edgesim-sip-bench-"));
  const t = loadTopology("contoso");
  t.addressing = { internal: `127.${BASE}.0.0/16`, perimeterInternal: `127.${BASE + 1}.0.0/16`, perimeterExternal: `127.${BASE + 2}.0.0/16`, internet: `127.${BASE + 3}.0.0/16` };
  t.organisation.edgePool.loadBalancing = "dns";
  t.organisation.edgePool.servers = ["edge1"];
  // One partner edge, so both edges relay to the same Kamailio partner.
  const partnerTopo = t.partners.find((p) => p.domain === PARTNER_DOMAIN);
  if (!partnerTopo || !partnerTopo.edges[0]) throw new RangeError(`the contoso topology has no SIP partner ${PARTNER_DOMAIN} with an edge`);
  const pEdge = partnerTopo.edges[0];
  partnerTopo.edges = [pEdge];
  delete partnerTopo.srv;
  const privileged = canBindPrivileged();
  // The world holds only the DNS: the generator is the front end, Kamailio the partner.
  const world = await World.start({ topology: t, stateDir: dir, privileged, services: ["dns"] });
  const results: BenchResult[] = [];
  let partner: KamailioProcess | undefined;
  try {
    if (!hasKamailio()) return [{ name: "sip relay", value: NaN, unit: "msg/s", detail: "not measured: the partner is a Kamailio and kamailio is not installed (apt-get install -y kamailio kamailio-tls-modules)" }];
    const pAddr = world.plan.byHost(`${PARTNER_DOMAIN.split(".")[0]}-${pEdge.name}`);
    partner = await startKamailioPartner(dir, pAddr.address, PORTS.sipMtls, world.pki.identity(`partner:${PARTNER_DOMAIN}:${pEdge.name}`));
    const ext = world.plan.byHost("edge1", "external-access");
    const int = world.plan.byHost("edge1", "internal");
    const fe = world.plan.find((a) => a.role === "frontend")[0]!;
    const measure = async (edgePids: () => number[]): Promise<ChainResult> => {
      const gen = await SipLoadGenerator.open({ target: { address: int.address, port: PORTS.sipMtls, fqdn: int.fqdn! }, localAddress: fe.address, identity: world.pki.identity("frontend"), connections, from: "carol@contoso.test", to: `bob@${PARTNER_DOMAIN}`, timeoutMs: 5000 });
      try {
        await closedLoop(gen.send, 8, 0.5); // warm-up: connections, JIT, SRV cache
        // CPU per message at the peak: the edge's processes and the generator's (this process).
        const pids = edgePids();
        const edge0 = cpuMs(pids);
        const gen0 = process.cpuUsage();
        const peak = await closedLoop(gen.send, connections * perConnection, SECONDS);
        const edge1 = cpuMs(pids);
        const genUs = process.cpuUsage(gen0);
        const perMsg = (ms: number) => `${((ms * 1000) / Math.max(1, peak.done)).toFixed(0)} us`;
        const cpu = `CPU per MESSAGE at peak: edge ${edge0 === undefined || edge1 === undefined ? "unknown" : perMsg(edge1 - edge0)}, generator ${perMsg((genUs.user + genUs.system) / 1000)}`;
        const half = await openLoop(gen.send, Math.max(1, peak.rate / 2), SECONDS);
        return { peak, half, cpu };
      } finally {
        gen.close();
      }
    };
    const shapeText = `same generator: ${connections} mutual-TLS connections x ${perConnection} in flight from the front end's address; same partner: Kamailio answering 200 at ${pAddr.fqdn}`;

    const child = await startEdgeProcess(world, t);
    let ours: ChainResult;
    try {
      ours = await measure(() => (child.pid === undefined ? [] : [child.pid]));
    } finally {
      await stopEdgeProcess(child);
    }
    results.push(...rows("ours: Access Edge (own process), policy + SRV (cached) + mutual TLS", ours, `${shapeText}`));

    const kam = await startKamailioEdge({ dir, internal: { address: int.address, port: PORTS.sipMtls }, external: { address: ext.address, port: PORTS.sipMtls }, identity: world.pki.identity("edge-external"), ...(privileged ? { dns: { address: world.plan.dns.external } } : {}), staticNextHop: { address: pAddr.address, port: PORTS.sipMtls } });
    let ref: ChainResult;
    try {
      ref = await measure(() => pidsWithArg(kam.proc.cfgFile));
    } catch (err) {
      throw new Error(`the Kamailio edge chain failed: ${(err as Error).message} | ${kam.proc.log.slice(-800)}`);
    } finally {
      await kam.proc.stop();
    }
    results.push(...rows("Kamailio edge (stateful t_relay)", ref, kam.note));
    const ratio = ours.peak.rate / ref.peak.rate;
    results.push({ name: "sip relay ratio ours/Kamailio (peak MESSAGE/s, only the edge differs)", value: ratio, unit: "x", target: ">= 1.0", pass: ratio >= 1 });
    return results;
  } finally {
    await partner?.stop();
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rows(label: string, r: ChainResult, note: string): BenchResult[] {
  const fail = (x: LoadResult) => `${x.failed} failed${x.firstFailure ? ` (${x.firstFailure})` : ""}`;
  return [
    { name: `sip relay (${label}), MESSAGE/s`, value: r.peak.rate, unit: "msg/s", detail: `${r.peak.done} ok, ${fail(r.peak)} in ${r.peak.seconds.toFixed(1)} s; at peak p50 ${r.peak.p50.toFixed(1)} ms, p99 ${r.peak.p99.toFixed(1)} ms; ${r.cpu}; ${note}` },
    { name: `sip relay (${label}), p99 at half the peak rate`, value: r.half.p99, unit: "ms", detail: `${r.half.rate.toFixed(0)} msg/s offered, p50 ${r.half.p50.toFixed(2)} ms, ${fail(r.half)}`, target: "< 20 ms", pass: r.half.p99 < 20 },
  ];
}

async function stopEdgeProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.stdin?.end();
  await exited;
}

async function startEdgeProcess(world: World, t: ReturnType<typeof loadTopology>): Promise<ChildProcess> {
  const ext = world.plan.byHost("edge1", "external-access");
  const int = world.plan.byHost("edge1", "internal");
  const dnsPort = Number(world.readyInfo.dns.external.split(":")[1]);
  const spec: EdgeProcessSpec = {
    host: "edge1",
    config: federationConfigFromTopology(t),
    external: { address: ext.address, fqdn: ext.fqdn!, federationPort: PORTS.sipMtls, remotePort: world.context.mapPort(PORTS.https), identity: world.pki.identity("edge-external"), dns: { address: world.plan.dns.external, port: dnsPort } },
    internal: { address: int.address, fqdn: int.fqdn!, port: PORTS.sipMtls, identity: world.pki.identity("edge-internal"), dns: { address: world.plan.dns.internal, port: dnsPort }, poolFqdn: t.organisation.frontEndPool.fqdn, poolPort: PORTS.sipMtls },
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
