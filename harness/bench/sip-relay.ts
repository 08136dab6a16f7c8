/**
 * Benchmark (issue 3): SIP MESSAGE relay through an edge, compared fairly: only the
 * edge differs. The SAME generator (sip-relay-generator.ts: N mutual-TLS connections
 * from the front end's address with the "frontend" identity, M in flight each) dials
 *  (a) our Access Edge's internal interface (its own process, like Kamailio): policy,
 *      SRV from the sandbox DNS (cached), mutual TLS to the partner edge;
 *  (b) a Kamailio "edge" on the same addresses (stateful t_relay, SRV lookup as root);
 * and the SAME partner answers 200 for both: a Kamailio with the partner edge's
 * certificate on the partner edge's address (sip-relay-kamailio.ts). For each: peak
 * MESSAGE/s (closed loop), p50/p99 at peak, p99 at half the peak rate (open loop), the
 * CPU per MESSAGE of edge, generator and partner, then the ratio ours/Kamailio, which
 * is refused when either arm failed any request (sip-relay-report.ts). Addresses
 * 127.64-67 (the world's plan). Target: ratio >= 1.0 with both arms at 0 failed, p99 <
 * 20 ms at half the peak. EDGESIM_SIP_BENCH="4x16" sets connections x in-flight per
 * connection, EDGESIM_SIP_BENCH_SECONDS=3 each phase's length; EDGESIM_PROF=DIR writes
 * our edge's CPU profile.
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
import { closedLoop, openLoop } from "./sip-relay-load.ts";
import { armRows, ratioRow, type ArmResult } from "./sip-relay-report.ts";
import type { BenchResult } from "./stats.ts";
import { hasKamailio, startKamailioEdge, startKamailioPartner } from "./sip-relay-kamailio.ts";
import { SipLoadGenerator } from "./sip-relay-generator.ts";
import { cpuMs, pidsWithArg } from "./sip-relay-cpu.ts";
import type { KamailioProcess } from "../../partners/adapters/kamailio/index.ts";

const BASE = 64;
const PARTNER_DOMAIN = "fabrikam.test";

function shape(): { connections: number; perConnection: number } {
  const m = /^(\d+)x(\d+)$/.exec(process.env.EDGESIM_SIP_BENCH ?? "4x16");
  if (!m) throw new RangeError(`EDGESIM_SIP_BENCH must look like 4x16 (connections x in flight each), not '${process.env.EDGESIM_SIP_BENCH}'`);
  return { connections: Number(m[1]), perConnection: Number(m[2]) };
}

/** Seconds of each load phase (peak, then half the peak): EDGESIM_SIP_BENCH_SECONDS, default 3 (short runs on a loaded machine, long ones to find limits). */
function phaseSeconds(): number {
  const raw = process.env.EDGESIM_SIP_BENCH_SECONDS ?? "3";
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0 || s > 600) throw new RangeError(`EDGESIM_SIP_BENCH_SECONDS must be a number of seconds in (0, 600], not '${raw}'`);
  return s;
}

export async function benchSipRelay(): Promise<BenchResult[]> {
  const { connections, perConnection } = shape();
  const seconds = phaseSeconds();
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
    const partnerCfg = partner.cfgFile;
    const measure = async (edgePids: () => number[]): Promise<Omit<ArmResult, "label" | "note">> => {
      const gen = await SipLoadGenerator.open({ target: { address: int.address, port: PORTS.sipMtls, fqdn: int.fqdn! }, localAddress: fe.address, identity: world.pki.identity("frontend"), connections, from: "carol@contoso.test", to: `bob@${PARTNER_DOMAIN}`, timeoutMs: 5000 });
      try {
        await closedLoop(gen.send, 8, 0.5); // warm-up: connections, JIT, SRV cache
        // CPU per message at the peak (issue 15 item 6): the edge's processes, the generator's (this process), the partner's.
        // Looked up after the warm-up: Kamailio forks its workers after it starts accepting.
        const pids = edgePids();
        const partnerPids = pidsWithArg(partnerCfg);
        const edge0 = cpuMs(pids);
        const partner0 = cpuMs(partnerPids);
        const gen0 = process.cpuUsage();
        const peak = await closedLoop(gen.send, connections * perConnection, seconds);
        const edge1 = cpuMs(pids);
        const partner1 = cpuMs(partnerPids);
        const genUs = process.cpuUsage(gen0);
        const perMsg = (ms: number) => (ms * 1000) / Math.max(1, peak.done);
        const delta = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : perMsg(b - a));
        const cpu = { edgeUs: delta(edge0, edge1), generatorUs: perMsg((genUs.user + genUs.system) / 1000), partnerUs: delta(partner0, partner1) };
        const half = await openLoop(gen.send, Math.max(1, peak.rate / 2), seconds);
        return { peak, half, cpu };
      } finally {
        gen.close();
      }
    };
    const shared = `same generator: ${connections} mutual-TLS connections x ${perConnection} in flight from the front end's address, ${seconds} s per phase; same partner: Kamailio answering 200 at ${pAddr.fqdn}`;

    const child = await startEdgeProcess(world, t);
    let ours: ArmResult;
    try {
      ours = { label: "ours: Access Edge (own process)", note: "policy + SRV (cached) + mutual TLS", ...(await measure(() => (child.pid === undefined ? [] : [child.pid]))) };
    } finally {
      await stopEdgeProcess(child);
    }
    results.push(...armRows(ours, shared));

    const kam = await startKamailioEdge({ dir, internal: { address: int.address, port: PORTS.sipMtls }, external: { address: ext.address, port: PORTS.sipMtls }, identity: world.pki.identity("edge-external"), ...(privileged ? { dns: { address: world.plan.dns.external } } : {}), staticNextHop: { address: pAddr.address, port: PORTS.sipMtls } });
    let ref: ArmResult;
    try {
      ref = { label: "Kamailio edge (stateful t_relay)", note: kam.note, ...(await measure(() => pidsWithArg(kam.proc.cfgFile))) };
    } catch (err) {
      throw new Error(`the Kamailio edge chain failed: ${(err as Error).message} | ${kam.proc.log.slice(-800)}`);
    } finally {
      await kam.proc.stop();
    }
    // Kamailio says why it dropped a connection only in its log: carry its first error into the row.
    if (ref.peak.failed + ref.half.failed > 0) ref.note += `; its log: ${firstError(kam.proc.log)}`;
    results.push(...armRows(ref, shared));
    results.push(ratioRow(ours, ref));
    return results;
  } finally {
    await partner?.stop();
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first ERROR line of a Kamailio log, without its process prefix. */
function firstError(log: string): string {
  const line = log.split("\n").find((l) => l.includes("ERROR:"));
  return line ? line.slice(line.indexOf("ERROR:")).trim() : "no ERROR line";
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
