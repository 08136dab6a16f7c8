/**
 * Software nobody here wrote, against the world's A/V Edge at an edge's own external
 * A/V address (the VIP cases belong to the load balancer's tests): coturn's
 * turnutils_stunclient and turnutils_uclient (credentials from the A/V authentication
 * service), stun-client's `stun`, and the independent decoder @msimerson/stun reading
 * every kind of message the edge emits.
 */
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestAvCredentials, type AvPacketSink, type GrantedAvCredentials } from "../../edge/roles/av-edge/index.ts";
import {
  ChannelNumber, Lifetime, longTermKey, newTransactionId, Nonce, RawAttribute, Realm, RequestedTransport, StunClass, StunMessageBuilder, StunMethod,
  Username, XorPeerAddress, decodeStun, getNonce, getRealm, getXorRelayedAddress, getErrorCode, getXorMappedAddress, getXorPeerAddress, type StunAttributeSetter,
} from "../../edge/wire/stun/index.ts";
import type { RunningAvEdge } from "../../harness/world/av-edge-service.ts";
import type { World } from "../../harness/world/world.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

let world: World;
let creds: GrantedAvCredentials;
let edgeAv: string;
let clientIp: string;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.avEdgeInterop), { services: ["dns", "av-edge", "hlb"] });
  edgeAv = world.plan.byHost("edge1", "external-av").address;
  clientIp = world.plan.byHost("client-alice").address;
  // As the front end: from fe01's address through the internal VIP, gated (002-int-vip-avauth-5062, PORT-3, CERT-3).
  const fe01 = world.plan.byHost("fe01").address;
  creds = await requestAvCredentials({
    address: world.plan.byHost("vip-internal").address, port: 5062, servername: "edgepool.contoso.test", identity: world.pki.identity("frontend"), user: "sip:alice@contoso.test",
    localAddress: fe01, host: "fe01", gate: worldFirewall(world.context).gate, events: world.context.events,
  });
}, 60_000);
afterAll(async () => world?.stop());

function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

/**
 * The Debian `stun` (stun-client), not the `stun` CLI that @msimerson/stun puts in
 * node_modules/.bin, which npm and vitest put first on PATH.
 */
function debianStun(): string {
  const dirs = (process.env.PATH ?? "").split(":").filter((d) => d && !d.includes("node_modules"));
  const hit = dirs.map((d) => join(d, "stun")).find((f) => existsSync(f));
  if (!hit) throw new Error(`stun-client's stun is not on PATH outside node_modules: ${PEERS.stun.install}`);
  return hit;
}

describe("coturn's and stun-client's tools against an edge's own external A/V address", () => {
  peerIt(PEERS.turnutils)("PORT-1: turnutils_stunclient gets its reflexive address over UDP 3478", async () => {
    const r = await run("turnutils_stunclient", ["-L", clientIp, edgeAv]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`UDP reflexive addr: ${clientIp.replace(/\./g, "\\.")}:\\d+`));
  });

  const uclientCases = [
    { name: "UDP 3478, Send/Data + ChannelData", args: [] as string[] },
    { name: "TCP 443 (10443 unprivileged)", args: ["-t", "-p", "10443"] },
  ];
  for (const c of uclientCases) {
    peerIt(PEERS.turnutils)(`HLB-3: turnutils_uclient allocates and relays client to client over ${c.name} with A/V authentication credentials, losing nothing`, async () => {
      const r = await run("turnutils_uclient", [...c.args, "-u", creds.username, "-w", creds.password, "-y", "-n", "100", "-m", "10", "-l", "170", "-L", clientIp, edgeAv]);
      expect(r.code, r.out).toBe(0);
      const totals = [...r.out.matchAll(/tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/g)].at(-1);
      expect(totals, r.out).toBeDefined();
      expect(Number(totals![1])).toBeGreaterThanOrEqual(1000);
      expect(Number(totals![2])).toBe(Number(totals![1]));
      expect(r.out).toMatch(/Total lost packets 0 \(0\.0+%\)/);
    }, 90_000);
  }

  peerIt(PEERS.stun)("PORT-1: stun-client's RFC 3489 `stun` gets MAPPED-ADDRESS and classifies the path as Open (exit code is its result bitmask)", async () => {
    const r = await run(debianStun(), [edgeAv, "-v", "-i", clientIp]); // from alice's address: the firewall judges the source (PORT-5)
    expect(r.out).toMatch(new RegExp(`MappedAddress = 127\\.\\d+\\.\\d+\\.\\d+:\\d+`));
    expect(r.out).toMatch(/Primary: Open/);
    expect(r.code & 0x10, "bit 0x10 would mean no answer at all").toBe(0);
  });
});

describe("an independent decoder (@msimerson/stun 3.2.1) agrees with ours on every message the edge emits", () => {
  const require = createRequire(import.meta.url);
  const ind = require("@msimerson/stun") as { decode(b: Buffer): { type: number; transactionId: Buffer; [Symbol.iterator](): Iterator<{ type: number; value: unknown }> } };
  const emitted: Buffer[] = [];

  it("HLB-2: through the AvPacketSink with a capturing reply: Binding, 401, 420, Allocate, Refresh, CreatePermission, ChannelBind, 437, Data indication", async () => {
    const sink: AvPacketSink = (world.service("av-edge") as RunningAvEdge).sinkFor("edge1")!;
    const peer = dgram.createSocket("udp4");
    await new Promise<void>((r) => peer.bind({ address: world.plan.byHost("fabrikam-clients").address, port: 0 }, () => r()));
    try {
      const flow = { client: { address: clientIp, port: 40404 }, local: { address: edgeAv, port: 3478 } };
      let last: Buffer | undefined;
      const reply = (d: Buffer) => { emitted.push(d); last = d; };
      const ask = async (method: number, attrs: StunAttributeSetter[], key?: Buffer, nonce?: string) => {
        const b = new StunMessageBuilder(method, StunClass.Request, newTransactionId());
        for (const a of attrs) b.set(a);
        if (key) b.set(Username(creds.username)).set(Realm(creds.realm)).set(Nonce(nonce!)).addIntegrity(key);
        last = undefined;
        sink.handleUdp(b.addFingerprint().encode(), flow, reply);
        for (let i = 0; i < 300 && !last; i++) await new Promise((r) => setTimeout(r, 10));
        if (!last) throw new Error(`no answer to method ${method} through the sink`);
        return decodeStun(last);
      };
      await ask(StunMethod.Binding, []);
      await ask(StunMethod.Binding, [RawAttribute(0x0abc, Buffer.alloc(4))]);
      const challenge = await ask(StunMethod.Allocate, [RequestedTransport(17)]);
      const nonce = getNonce(challenge)!;
      const key = longTermKey(creds.username, getRealm(challenge)!, creds.password);
      const alloc = await ask(StunMethod.Allocate, [RequestedTransport(17)], key, nonce);
      const relayed = getXorRelayedAddress(alloc)!;
      const peerAddr = { family: "IPv4" as const, address: world.plan.byHost("fabrikam-clients").address, port: peer.address().port };
      await ask(StunMethod.Refresh, [Lifetime(900)], key, nonce);
      await ask(StunMethod.CreatePermission, [XorPeerAddress(peerAddr)], key, nonce);
      expect(getErrorCode(await ask(StunMethod.Allocate, [RequestedTransport(17)], key, nonce))?.code).toBe(437);
      last = undefined;
      peer.send(Buffer.from("from the peer"), relayed.port, relayed.address);
      for (let i = 0; i < 300 && !last; i++) await new Promise((r) => setTimeout(r, 10));
      await ask(StunMethod.ChannelBind, [ChannelNumber(0x4002), XorPeerAddress(peerAddr)], key, nonce);
      await ask(StunMethod.Refresh, [Lifetime(0)], key, nonce);
    } finally {
      peer.close();
    }
    const stunOnly = emitted.filter((b) => (b[0]! & 0xc0) === 0);
    expect(stunOnly.length).toBeGreaterThanOrEqual(10);
    for (const raw of stunOnly) {
      const ours = decodeStun(raw);
      const theirs = ind.decode(raw);
      expect(theirs.type, `type of ${raw.toString("hex").slice(0, 8)}`).toBe(ours.type);
      expect(Buffer.from(theirs.transactionId).equals(ours.transactionId)).toBe(true);
      const theirAttrs = [...theirs];
      expect(theirAttrs.map((a) => a.type)).toEqual([...ours.attributes].map((a) => a.type));
      for (const a of theirAttrs) {
        const v = a.value as { address?: string; port?: number; code?: number } | number | Buffer;
        if (a.type === 0x0020 || a.type === 0x0016 || a.type === 0x0012) {
          const mine = { 0x0020: getXorMappedAddress, 0x0016: getXorRelayedAddress, 0x0012: getXorPeerAddress }[a.type](ours)!;
          expect(v).toMatchObject({ address: mine.address, port: mine.port });
        }
        if (a.type === 0x0009) expect((v as { code: number }).code).toBe(getErrorCode(ours)!.code);
        if (a.type === 0x000d) expect(v).toBe(ours.attributes.find((x) => x.type === 0x000d)!.value.readUInt32BE(0));
      }
    }
  });
});
