/**
 * The namespace child of `npm run bench -- connections` (connections.ts runs it under
 * `unshare --net` with the soft fd limit raised to the hard one). Issue 12 item 7 / issue 15
 * item 4: the contoso world's DNS, one Access Edge in its own process (sip-relay-edge-main.ts),
 * the Access VIP as nftables DNAT + SNAT (HLB-1, edge/lb/kernel/ruleset.ts) to that edge's
 * external interface, and the generator in a third process (connections-generator.ts)
 * holding N mutual-TLS connections to VIP:5061 with a federation partner's certificate.
 * While they are held: the edge's VmRSS and open fds. Prints its figures as one JSON line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { loadTopology } from "../topology/registry.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { World } from "../world/world.ts";
import { canBindPrivileged, PORTS } from "../world/ports.ts";
import { projectPath } from "../paths/project-root.ts";
import { nftApply } from "../netns/netns.ts";
import { deleteRuleset, renderRuleset, type KernelModel } from "../../edge/lb/kernel/ruleset.ts";
import type { EdgeProcessSpec } from "./sip-relay-edge-main.ts";
import type { GeneratorReport, GeneratorSpec } from "./connections-generator.ts";

const BASE = 80;
const PARTNER_DOMAIN = "fabrikam.test";

export interface ConnectionsFigures {
  target: number;
  generator: GeneratorReport;
  edge: { rssMb: number; idleRssMb: number; fds: number; fdSoftLimit: number };
}

/** N from EDGESIM_CONNECTIONS (default 15,000: the product's per-Access-Edge figure). */
function wanted(): number {
  const raw = process.env.EDGESIM_CONNECTIONS ?? "15000";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 19_000) throw new RangeError(`EDGESIM_CONNECTIONS must be an integer in [1, 19000] (under the 20,000 fd limit), not '${raw}'`);
  return n;
}

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

function softFdLimit(pid: number): number {
  const m = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

function readyLine(child: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} said nothing within ${timeoutMs} ms`)), timeoutMs);
    lines.once("line", (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once("exit", (code) => reject(new Error(`${what} exited ${code} before reporting`)));
  });
}

function node(file: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", projectPath(file)], { stdio: ["pipe", "pipe", "inherit"] });
}

export async function measureConnections(): Promise<ConnectionsFigures> {
  const count = wanted();
  const dir = mkdtempSync(join(tmpdir(), "edgesim-conns-bench-"));
  const t = loadTopology("contoso");
  t.addressing = { internal: `127.${BASE}.0.0/16`, perimeterInternal: `127.${BASE + 1}.0.0/16`, perimeterExternal: `127.${BASE + 2}.0.0/16`, internet: `127.${BASE + 3}.0.0/16` };
  t.organisation.edgePool.servers = ["edge1"];
  const world = await World.start({ topology: t, stateDir: dir, privileged: canBindPrivileged(), services: ["dns"] });
  const ext = world.plan.byHost("edge1", "external-access");
  const int = world.plan.byHost("edge1", "internal");
  const vip = world.plan.byHost("vip-access");
  const partner = t.partners.find((p) => p.domain === PARTNER_DOMAIN)?.edges[0];
  if (!partner) throw new RangeError(`the contoso topology has no SIP partner ${PARTNER_DOMAIN} with an edge`);
  const from = world.plan.byHost(`${PARTNER_DOMAIN.split(".")[0]}-${partner.name}`);
  const model: KernelModel = {
    table: "edgesim_conns",
    pools: [{ vip: "vip-access", vipAddress: vip.address, ports: [{ port: PORTS.sipMtls, transport: "tcp" }], backends: [{ server: "edge1", address: ext.address }], nat: "snat", affinity: "source" }],
  };
  const dnsPort = Number(world.readyInfo.dns.external.split(":")[1]);
  const edgeSpec: EdgeProcessSpec = {
    host: "edge1", config: federationConfigFromTopology(t),
    external: { address: ext.address, fqdn: ext.fqdn!, federationPort: PORTS.sipMtls, remotePort: world.context.mapPort(PORTS.https), identity: world.pki.identity("edge-external"), dns: { address: world.plan.dns.external, port: dnsPort } },
    internal: { address: int.address, fqdn: int.fqdn!, port: PORTS.sipMtls, identity: world.pki.identity("edge-internal"), dns: { address: world.plan.dns.internal, port: dnsPort }, poolFqdn: t.organisation.frontEndPool.fqdn, poolPort: PORTS.sipMtls },
  };
  const edge = node("harness/bench/sip-relay-edge-main.ts");
  let gen: ChildProcess | undefined;
  try {
    edge.stdin!.write(`${JSON.stringify(edgeSpec)}\n`);
    await readyLine(edge, "the edge process", 20_000);
    await nftApply(renderRuleset(model));
    const idleRssMb = procStatus(edge.pid!, "VmRSS") / 1024;
    gen = node("harness/bench/connections-generator.ts");
    const genSpec: GeneratorSpec = {
      target: { address: vip.address, port: PORTS.sipMtls, servername: vip.fqdn ?? ext.fqdn! },
      localAddress: from.address, identity: world.pki.identity(`partner:${PARTNER_DOMAIN}:${partner.name}`),
      count, batch: 250, rampTimeoutMs: 240_000, edgeFqdn: ext.fqdn!, fromDomain: PARTNER_DOMAIN,
    };
    gen.stdin!.write(`${JSON.stringify(genSpec)}\n`);
    const report = JSON.parse(await readyLine(gen, "the generator", 300_000)) as GeneratorReport;
    // Read while every connection is still held (the generator waits for its stdin to close).
    const edgeFigures = { rssMb: procStatus(edge.pid!, "VmRSS") / 1024, idleRssMb, fds: readdirSync(`/proc/${edge.pid}/fd`).length, fdSoftLimit: softFdLimit(edge.pid!) };
    return { target: count, generator: report, edge: edgeFigures };
  } finally {
    gen?.stdin?.end();
    if (gen && gen.exitCode === null) await new Promise((r) => gen!.once("exit", r));
    await nftApply(deleteRuleset(model)).catch(() => undefined);
    edge.stdin?.end();
    if (edge.exitCode === null) await new Promise((r) => edge.once("exit", r));
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1]?.endsWith("connections-main.ts");
if (isMain) {
  measureConnections().then(
    (f) => {
      process.stdout.write(`${JSON.stringify(f)}\n`);
      process.exit(0);
    },
    (e: Error) => {
      process.stderr.write(`connections bench: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
