/**
 * The balancer in a running world: the registry's hlb service, its VIPs from the
 * address plan in front of the Web Conferencing Edges (each client spliced to a data leg
 * the front end's PSOM opened to the edge's internal 8057 over mutual TLS, PORT-3) and the
 * real A/V Edges (av-edge service), with coturn's client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { World } from "../../harness/world/world.ts";
import type { RunningHlb } from "../../harness/world/hlb-service.ts";
import type { RunningWebconf } from "../../harness/world/webconf-edge-service.ts";
import { derivePoolSecret, issueCredentials } from "../../edge/roles/av-edge/index.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { binding, localOf, udpClient } from "./kit.ts";
import { TurnClient } from "./turn-client.ts";

const B = ZONE_BASE.lbWorld;
const run = promisify(execFile);
let world: World;
let hlb: RunningHlb;
const at = (third: number, fourth: number, zone = 2) => `127.${B + zone}.${third}.${fourth}`;
const VIP_AV = at(0, 12);
const VIP_WEBCONF = at(0, 11);
const CLIENT = at(1, 1, 3);

beforeAll(async () => {
  world = await startTestWorld(topologyAt(B), { services: ["dns", "av-edge", "psom", "webconf-edge", "hlb"] });
  hlb = world.service("hlb") as RunningHlb;
});
afterAll(async () => {
  await world?.stop();
});

function conference(port: number): Promise<{ lines: string[]; remote: string }> {
  return new Promise((resolve, reject) => {
    const raw = net.connect({ host: VIP_WEBCONF, port, localAddress: CLIENT });
    const c = tls.connect({ socket: raw, servername: "webconf.contoso.test", ca: readFileSync(world.pki.caFile) });
    const lines: string[] = [];
    let buf = "";
    c.setEncoding("utf8");
    c.once("secureConnect", () => c.write("JOIN conf1\nSAY hello\n"));
    c.on("data", (d: string) => {
      buf += d;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
      if (lines.length >= 3) {
        resolve({ lines, remote: c.remoteAddress ?? "" });
        c.destroy();
      }
    });
    c.once("error", reject);
  });
}

describe("hlb world service", () => {
  it("PORT-2: the VIPs listen where the seeds say: Access 5061/443/5269, Web Conferencing 443, A/V UDP 3478 and TCP 443", () => {
    const rows = hlb.endpoints.map((e) => `${e.host} ${e.transport} ${e.port}`).sort();
    expect(rows).toEqual(["vip-access tcp 10443", "vip-access tcp 5061", "vip-access tcp 5269", "vip-av tcp 10443", "vip-av udp 3478", "vip-internal tcp 5061", "vip-internal tcp 5062", "vip-webconf tcp 10443"]);
    expect(hlb.endpoints.every((e) => e.vip && e.address === world.plan.byHost(e.host).address)).toBe(true);
  });

  it("HLB-1: a conference client through the SNAT Web Conferencing VIP reaches PSOM; the edge saw the VIP, PSOM's leg goes to the edge's internal address", async () => {
    const rec = world.bus.record(["note"]);
    const got = await conference(10443);
    rec.stop();
    expect(got.remote).toBe(VIP_WEBCONF);
    const greeting = got.lines[0]!;
    expect(greeting).toMatch(/^PSOM fe01 peer=127\.\d+\.1\.[12] cert=edgepool\.contoso\.test$/);
    expect(got.lines.slice(1)).toEqual(["JOINED conf1 1 members", "conf1 m1: hello"].map((l, i) => (i === 1 ? l.replace("m1", got.lines[2]!.split(" ")[1]!.replace(":", "")) : l)));
    const note = rec.events.find((e) => e.kind === "note" && e.detail.startsWith("Web Conferencing Edge: TLS from"));
    expect(note?.tuple?.srcAddress).toBe(VIP_WEBCONF);
  });

  it("failover: a stopped Web Conferencing Edge leaves rotation; every new conference goes to the survivor", async () => {
    const vip = hlb.vips.get("vip-webconf:10443")!;
    const webconf = world.service("webconf-edge") as RunningWebconf;
    await webconf.edges.get("edge1")!.stop();
    for (let i = 0; i < 3; i++) await vip.checkHealth(); // three failed probes take a server out (the service's default "fall")
    expect(vip.pool.healthy()).toEqual(["edge2"]);
    const relayedBefore = webconf.edges.get("edge2")!.relayed;
    for (let i = 0; i < 2; i++) expect((await conference(10443)).lines[0]).toMatch(/^PSOM fe01 peer=127\.\d+\.1\.2 /);
    expect(webconf.edges.get("edge2")!.relayed - relayedBefore).toBe(2);
  });

  it("HLB-2: a client of the A/V VIP (no NAT) is answered from the VIP with its own address as XOR-MAPPED-ADDRESS", async () => {
    const c = await udpClient(CLIENT, { address: VIP_AV, port: 3478 });
    try {
      const got = await binding(c);
      expect(got).toMatchObject({ from: `${VIP_AV}:3478`, mapped: localOf(c) });
    } finally {
      c.close();
    }
  });

  it("HLB-3: a TURN allocation through the A/V VIP (MRAS credentials) relays on an edge's own external A/V address, never the VIP", async () => {
    const creds = issueCredentials(derivePoolSecret(world.pki.identity("av-auth").keyPem), "sip:alice@contoso.test", 600);
    const c = await udpClient(CLIENT, { address: VIP_AV, port: 3478 });
    try {
      const relayed = await new TurnClient(c, { address: VIP_AV, port: 3478 }, creds.username, creds.password).allocate();
      const edgeAv = world.plan.find((e) => e.iface === "external-av").map((e) => e.address);
      expect(edgeAv).toContain(relayed?.address);
      expect(relayed?.address).not.toBe(VIP_AV);
    } finally {
      c.close();
    }
  });

  peerIt(PEERS.turnutils)("HLB-2: coturn's turnutils_stunclient through the A/V VIP learns its own address", async () => {
    const { stdout } = await run("turnutils_stunclient", ["-L", CLIENT, "-p", "3478", VIP_AV], { timeout: 10_000 });
    expect(stdout).toMatch(new RegExp(`UDP reflexive addr: ${CLIENT.replace(/\./g, "\\.")}:\\d+`));
  });
});
