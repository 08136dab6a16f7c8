/**
 * The kernel balancer in a running world (issue 12): the `hlb` service with
 * `edgePool.balancer: kernel` loads nftables NAT in this process's network namespace
 * (tests run under `unshare -n`: README) and opens no VIP socket; real clients reach the
 * real edges' own listeners through DNAT, and conntrack shows the translation.
 * In a namespace that looks like a host's (interfaces besides loopback) the service must
 * refuse the kernel and fall back: a child process checks that in such a namespace. Where
 * this process is not in a private namespace, the kernel tests are skipped with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { World } from "../../harness/world/world.ts";
import type { RunningHlb } from "../../harness/world/hlb-service.ts";
import type { RunningWebconf } from "../../harness/world/webconf-edge-service.ts";
import { listIn, netnsStatus } from "../../harness/netns/netns.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { binding, localOf, udpClient } from "../lb/kit.ts";
// The kernel scenarios share this file's namespace, zone base and nftables table: same file, so never side by side.
import "./scenarios.ts";

const B = ZONE_BASE.lbKernel;
const at = (third: number, fourth: number, zone = 2) => `127.${B + zone}.${third}.${fourth}`;
const VIP_AV = at(0, 12);
const VIP_WEBCONF = at(0, 11);
const client = (n: number) => at(1, n, 3);
const ns = netnsStatus();
/** The edges' own (physical) A/V addresses in the running world. */
const edgeAv = () => ["edge1", "edge2"].map((e) => world.plan.byHost(e, "external-av").address);
const kernel = (edit?: (t: Topology) => void) => topologyAt(B, "contoso", (t) => {
  t.organisation.edgePool.balancer = "kernel";
  edit?.(t);
});

async function conntrack(): Promise<string[]> {
  return (await listIn("conntrack", ["-L"]).catch(() => "")).split("\n");
}

function conference(port: number): Promise<{ greeting: string; remote: string }> {
  return new Promise((resolve, reject) => {
    const raw = net.connect({ host: VIP_WEBCONF, port, localAddress: client(1) });
    const c = tls.connect({ socket: raw, servername: "webconf.contoso.test", ca: readFileSync(world.pki.caFile) });
    c.setEncoding("utf8");
    c.once("data", (d: string) => {
      resolve({ greeting: d.split("\n")[0]!, remote: c.remoteAddress ?? "" });
      c.destroy();
    });
    c.once("error", reject);
  });
}

let world: World;

describe.skipIf(!ns.private)(`kernel balancer in a world (${ns.why})`, () => {
  let hlb: RunningHlb;
  beforeAll(async () => {
    world = await startTestWorld(kernel((t) => (t.organisation.edgePool.servers = t.organisation.edgePool.servers.slice(0, 2))), { services: ["dns", "av-edge", "psom", "webconf-edge", "hlb"] });
    hlb = world.service("hlb") as RunningHlb;
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
  });

  it("loads the ruleset in this namespace and opens no VIP socket: the kernel forwards", async () => {
    expect(hlb.balancer).toBe("kernel");
    expect(hlb.vips.size).toBe(0);
    const rules = await listIn("nft", ["list", "table", "ip", "edgesim"]);
    expect(rules).toContain(`ip daddr ${VIP_AV} udp dport 3478 dnat to jhash ip saddr`);
    expect(hlb.endpoints.map((e) => `${e.host} ${e.transport} ${e.port}`)).toContain("vip-av udp 3478");
  });

  it("HLB-2: a Binding through the A/V VIP reaches an edge's own listener with the client's address, and is answered from the VIP (conntrack)", async () => {
    const c = await udpClient(client(1), { address: VIP_AV, port: 3478 });
    try {
      expect(await binding(c)).toMatchObject({ from: `${VIP_AV}:3478`, mapped: localOf(c) });
      const [, port] = localOf(c).split(":");
      const entry = (await conntrack()).find((l) => l.includes(`src=${client(1)} dst=${VIP_AV} sport=${port} dport=3478`));
      // The reply tuple names the edge's physical A/V address: DNAT only, the source is the client's.
      expect(entry).toMatch(new RegExp(`src=(${edgeAv().join("|").replace(/\./g, "\\.")}) dst=${client(1).replace(/\./g, "\\.")} sport=3478 dport=${port}`));
    } finally {
      c.close();
    }
  });

  it("affinity: every flow from one client address goes to the same edge; different clients spread over both", async () => {
    const edgeOf = async (ip: string): Promise<string> => {
      const c = await udpClient(ip, { address: VIP_AV, port: 3478 });
      try {
        await binding(c);
        const [, port] = localOf(c).split(":");
        const entry = (await conntrack()).find((l) => l.includes(`src=${ip} dst=${VIP_AV} sport=${port} dport=3478`)) ?? "";
        return /src=(\S+) dst=\S+ sport=3478/.exec(entry)?.[1] ?? "none";
      } finally {
        c.close();
      }
    };
    const same = await Promise.all([0, 1, 2].map(() => edgeOf(client(2))));
    expect(new Set(same).size).toBe(1);
    const spread = new Set<string>();
    for (let n = 10; n < 26; n++) spread.add(await edgeOf(client(n)));
    expect([...spread].sort()).toEqual([...edgeAv()].sort());
  });

  it("HLB-1: a conference through the Web Conferencing VIP is SNATed: the edge sees the VIP, the client the VIP", async () => {
    const rec = world.bus.record(["note"]);
    const got = await conference(10443);
    rec.stop();
    expect(got.remote).toBe(VIP_WEBCONF);
    expect(got.greeting).toMatch(/^PSOM fe01 peer=127\.\d+\.1\.[12] /);
    const note = rec.events.find((e) => e.kind === "note" && e.detail.startsWith("Web Conferencing Edge: TLS from"));
    expect(note?.tuple?.srcAddress).toBe(VIP_WEBCONF);
    const entry = (await conntrack()).find((l) => l.includes(`src=${client(1)} dst=${VIP_WEBCONF}`) && l.includes("dport=10443"));
    expect(entry).toMatch(new RegExp(`dst=${VIP_WEBCONF.replace(/\./g, "\\.")} sport=10443 `)); // the reply goes to the VIP: SNAT
  });

  it("failover: a stopped Web Conferencing Edge leaves the map; new conferences go to the survivor", async () => {
    const webconf = world.service("webconf-edge") as RunningWebconf;
    await webconf.edges.get("edge1")!.stop();
    for (let i = 0; i < 3; i++) await hlb.kernel!.checkHealth(); // the service's fall is 3
    expect(hlb.kernel!.pool("vip_webconf_10443").healthy()).toEqual(["edge2"]);
    const map = await listIn("nft", ["list", "map", "ip", "edgesim", "vip_webconf_10443"]);
    const edge2 = world.plan.byHost("edge2", "external-webconf").address;
    expect(/elements = \{([^}]*)\}/.exec(map)?.[1]?.trim()).toBe(`0 : ${edge2}, 1 : ${edge2}`);
    for (let i = 0; i < 2; i++) expect((await conference(10443)).greeting).toMatch(/^PSOM fe01 peer=127\.\d+\.1\.2 /);
  });
});

describe.skipIf(!ns.private)("kernel balancer, HLB-6 misconfigurations", () => {
  it("HLB-6: nat.av snat: the edge sees the VIP, so the Binding's XOR-MAPPED-ADDRESS names the VIP, not the client", async () => {
    world = await startTestWorld(kernel((t) => (t.organisation.edgePool.nat.av = "snat")), { services: ["dns", "av-edge", "hlb"] });
    try {
      const c = await udpClient(client(3), { address: VIP_AV, port: 3478 });
      const got = await binding(c);
      c.close();
      expect(got?.from).toBe(`${VIP_AV}:3478`);
      expect(got?.mapped.split(":")[0]).toBe(VIP_AV);
    } finally {
      await world.stop();
    }
  }, 60_000);

  it("HLB-6: avAnswerFrom physical: the answer leaves from the edge's own address and a connected client never gets it", async () => {
    world = await startTestWorld(kernel((t) => (t.organisation.edgePool.avAnswerFrom = "physical")), { services: ["dns", "av-edge", "hlb"] });
    try {
      const c = await udpClient(client(4), { address: VIP_AV, port: 3478 });
      expect(await binding(c, undefined, 1000)).toBeUndefined();
      c.close();
      const u = await udpClient(client(4)); // unconnected: it sees who really answered
      const got = await binding(u, { address: VIP_AV, port: 3478 });
      u.close();
      expect(edgeAv()).toContain(got?.from.split(":")[0]);
    } finally {
      await world.stop();
    }
  }, 60_000);
});

/** True when this user can make a network namespace with a veth pair in it (root). */
const canMakeHostLike = spawnSync("unshare", ["-n", "sh", "-c", "ip link add v0 type veth peer name v1"], { stdio: "ignore" }).status === 0;

describe.skipIf(!canMakeHostLike)(`kernel balancer in a namespace that looks like a host's${canMakeHostLike ? "" : " (skipped: cannot make a namespace with a veth pair here; needs root)"}`, () => {
  // The safety rule: nft never runs in a namespace with interfaces besides loopback (the
  // host's, as far as edgesim can tell). A child in such a namespace must refuse the
  // kernel balancer, say why, and run the userland one.
  it("refuses a namespace with interfaces besides loopback and runs the userland balancer, saying why", () => {
    const child = spawnSync(
      "unshare",
      ["-n", "sh", "-c", 'ip link set lo up && ip link add v0 type veth peer name v1 && exec "$@"', "sh", process.execPath, "--import", "tsx", join(import.meta.dirname, "host-like-child.ts")],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim().split("\n").pop()!) as { balancer: string; fallback?: string };
    expect(out.balancer).toBe("userland");
    expect(out.fallback).toMatch(/kernel balancer unavailable \(.*interfaces besides loopback \(v[01], v[01]\)/);
  }, 90_000);
});
