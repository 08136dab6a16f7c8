/**
 * The balancer in front of the real A/V Edge (edge/roles/av-edge): TURN allocations
 * through the A/V VIP, media to the edge's own address (HLB-3), what missing
 * affinity and failover do to allocations (HLB-6), and real clients (coturn's
 * turnutils_stunclient, stun-client's `stun`) through the VIP in both modes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import dgram from "node:dgram";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EventBus } from "../../harness/events/bus.ts";
import { AvEdgeServer, listenUdp, type Listener } from "../../edge/roles/av-edge/index.ts";
import { NoNatStrategy, SnatStrategy, Vip, sinkBindingProbe, type Affinity, type BackendTarget, type LbStrategy } from "../../edge/lb/index.ts";
import type { LbEvent } from "../../edge/events/types.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { ChannelNumber, Data, StunClass, StunMessageBuilder, StunMethod, XorPeerAddress, decodeChannelData, encodeChannelData, newTransactionId } from "../../edge/wire/stun/index.ts";
import { binding, localOf, nextDatagram, systemProgram, udpClient } from "./kit.ts";
import { TurnClient } from "./turn-client.ts";

const Z = ZONE_BASE.lbUnit;
const VIP = `127.${Z + 2}.50.12`;
const VIP_SNAT = `127.${Z + 2}.50.13`;
const EDGE = (n: number) => `127.${Z + 2}.5${n}.12`;
const CLIENT = `127.${Z + 3}.50.1`;
const PEER = `127.${Z + 3}.50.9`;
const run = promisify(execFile);
const bus = new EventBus();
const edges = new Map<string, AvEdgeServer>();
const listeners: Listener[] = [];
const sockets: dgram.Socket[] = [];
const vips: Vip[] = [];

beforeAll(async () => {
  for (const n of [1, 2]) {
    const server = new AvEdgeServer({ host: `edge${n}`, relayAddress: EDGE(n), realm: "contoso.test", staticUsers: { alice: "secret" }, events: bus.emit });
    edges.set(`edge${n}`, server);
    listeners.push(await listenUdp(server, EDGE(n), 3478));
  }
});
afterAll(async () => {
  for (const v of vips) await v.stop();
  for (const s of sockets) s.close();
  for (const l of listeners) await l.close();
  for (const e of edges.values()) await e.stop();
});

function backends(): BackendTarget[] {
  return [...edges].map(([server, sink], i) => ({ server, target: { address: EDGE(i + 1), port: 3478 }, sink }));
}

async function avVip(strategy: LbStrategy, affinity: Affinity = "source", address = VIP, port = 0): Promise<Vip> {
  const vip = await Vip.start({
    name: "vip-av", address, servers: [...edges.keys()], listeners: [{ port, transport: "udp", backends: backends() }], strategy, affinity, events: bus.emit, capture: true,
    fall: 1, probe: sinkBindingProbe((e) => edges.get(e), { address, port: 3478 }, { address, port: 3478 }, 500), healthIntervalMs: 60_000,
  });
  vips.push(vip);
  return vip;
}

async function client(to?: { address: string; port: number }, address = CLIENT): Promise<dgram.Socket> {
  const c = await udpClient(address, to);
  sockets.push(c);
  return c;
}

describe("TURN through the A/V VIP", () => {
  it("HLB-3: the relayed address is the edge's physical IP, and media to it bypasses the balancer", async () => {
    const vip = await avVip(new NoNatStrategy());
    const to = { address: VIP, port: vip.endpoints[0]!.port };
    const turn = new TurnClient(await client(to), to, "alice", "secret");
    const rec = bus.record(["lb.forward"]);
    const relayed = await turn.allocate();
    expect(relayed?.address).toMatch(new RegExp(`^(${EDGE(1)}|${EDGE(2)})$`.replace(/\./g, "\\.")));
    const peer = await client(undefined, PEER);
    const peerAddr = { family: "IPv4" as const, address: PEER, port: peer.address().port };
    expect(await turn.permit(peerAddr)).toBe(true);
    const atPeer = new Promise<{ from: string; text: string }>((resolve) => peer.once("message", (m, r) => resolve({ from: `${r.address}:${r.port}`, text: m.toString() })));
    turn.sendTo(peerAddr, Buffer.from("media 1"));
    expect(await atPeer).toEqual({ from: `${relayed!.address}:${relayed!.port}`, text: "media 1" });
    peer.send("media 2", relayed!.port, relayed!.address);
    expect((await turn.nextData())?.data.toString()).toBe("media 2");
    rec.stop();
    const touchesPeer = rec.events.filter((e) => e.tuple && [e.tuple.srcAddress, e.tuple.dstAddress].includes(PEER));
    expect(touchesPeer).toEqual([]);
    expect(rec.events.some((e) => e.tuple?.dstAddress === VIP)).toBe(true);
  });

  it("HLB-3: after the Allocate the client talks to the physical A/V address of the edge that holds it; nothing more crosses the VIP (Refresh, CreatePermission, ChannelBind, Send, ChannelData, Data)", async () => {
    const vip = await avVip(new NoNatStrategy());
    const to = { address: VIP, port: vip.endpoints[0]!.port };
    const sock = await client(undefined, `127.${Z + 3}.52.1`); // not connected: it talks to the VIP, then to the edge
    const turn = new TurnClient(sock, to, "alice", "secret");
    const relayed = (await turn.allocate())!;
    const holder = [...edges].find(([, e]) => e.allocations().some((a) => a.relayed.port === relayed.port && a.relayed.address === relayed.address))![1];
    const rec = bus.record(["lb.forward", "turn.allocation"]);
    expect(turn.follow(relayed, 3478)).toEqual({ address: relayed.address, port: 3478 });
    const peer = await client(undefined, PEER);
    const peerAddr = { family: "IPv4" as const, address: PEER, port: peer.address().port };
    expect((await turn.refresh(600))?.cls).toBe(StunClass.SuccessResponse);
    expect(await turn.permit(peerAddr)).toBe(true);
    expect((await turn.request(StunMethod.ChannelBind, [ChannelNumber(0x4001), XorPeerAddress(peerAddr)]))?.cls).toBe(StunClass.SuccessResponse);
    const atPeer = () => nextDatagram(peer);
    let got = atPeer();
    turn.sendTo(peerAddr, Buffer.from("send indication"));
    expect((await got)?.data.toString()).toBe("send indication");
    got = atPeer();
    sock.send(encodeChannelData(0x4001, Buffer.from("channel data"), "udp"), 3478, relayed.address);
    expect((await got)?.data.toString()).toBe("channel data");
    const back = nextDatagram(sock);
    peer.send("to alice", relayed.port, relayed.address);
    const arrived = await back;
    expect(arrived?.from).toBe(`${relayed.address}:3478`); // from the edge's own address, not the VIP
    expect(decodeChannelData(arrived!.data, "udp").data.toString()).toBe("to alice");
    rec.stop();
    expect(rec.events.filter((e) => e.kind === "lb.forward" && e.tuple && [e.tuple.srcAddress, e.tuple.dstAddress].includes(`127.${Z + 3}.52.1`))).toEqual([]);
    const moved = rec.events.find((e) => e.kind === "turn.allocation" && e.rules.includes("HLB-3") && e.reachedAt !== undefined);
    expect(moved).toMatchObject({ relayed: { address: relayed.address, port: relayed.port }, reachedAt: { address: relayed.address, port: 3478 }, reachedBefore: { address: VIP } });
    expect(holder.allocations().some((a) => a.relayed.port === relayed.port)).toBe(true);
    expect((await turn.refresh(0))?.cls).toBe(StunClass.SuccessResponse);
  });

  it("HLB-6: without affinity one client's requests alternate between edges and the allocation never completes; with affinity it does", async () => {
    const none = await avVip(new NoNatStrategy(), "none");
    const to = { address: VIP, port: none.endpoints[0]!.port };
    const bounced = new TurnClient(await client(to), to, "alice", "secret");
    expect(await bounced.allocate(6)).toBeUndefined();
    expect(bounced.codes[0]).toBe(401);
    expect(bounced.codes.slice(1).every((c) => c === 438)).toBe(true);
    const sticky = await avVip(new NoNatStrategy(), "source");
    const to2 = { address: VIP, port: sticky.endpoints[0]!.port };
    expect(await new TurnClient(await client(to2), to2, "alice", "secret").allocate(6)).toBeDefined();
  });

  it("failover (TURN allocations on a dead edge are lost): the edge holding the allocation stops; its own address falls silent, the client goes back through the VIP to the survivor, which answers the Refresh 437, and a new Allocate succeeds there", async () => {
    // edge3 stands in for edge1 here so the test can stop it: its A/V Edge and its own listener on its physical address.
    const spare = new AvEdgeServer({ host: "edge3", relayAddress: EDGE(3), realm: "contoso.test", staticUsers: { alice: "secret" }, events: bus.emit });
    const own = await listenUdp(spare, EDGE(3), 3478);
    const pool = new Map([["edge3", { sink: spare, at: EDGE(3) }], ["edge2", { sink: edges.get("edge2")!, at: EDGE(2) }]]);
    const vip = await Vip.start({
      name: "vip-av", address: VIP, servers: ["edge3", "edge2"], events: bus.emit, strategy: new NoNatStrategy(), fall: 1, healthIntervalMs: 60_000,
      listeners: [{ port: 0, transport: "udp", backends: [...pool].map(([server, e]) => ({ server, target: { address: e.at, port: 3478 }, sink: e.sink })) }],
      probe: sinkBindingProbe((e) => pool.get(e)?.sink, { address: VIP, port: 3478 }, { address: VIP, port: 3478 }, 500),
    });
    vips.push(vip);
    const to = { address: VIP, port: vip.endpoints[0]!.port };
    let turn: TurnClient | undefined;
    let first;
    // The round-robin start is shared: move clients until one lands on edge3 (the edge we stop).
    for (let i = 0; i < 4 && first?.address !== EDGE(3); i++) {
      turn = new TurnClient(await client(undefined, `127.${Z + 3}.51.${i + 1}`), to, "alice", "secret");
      first = await turn.allocate();
    }
    expect(first?.address).toBe(EDGE(3));
    turn!.follow(first!, 3478); // HLB-3: later requests go to edge3's own address
    expect((await turn!.refresh(600))?.cls).toBe(StunClass.SuccessResponse);
    await spare.stop();
    await own.close();
    const rec = bus.record(["lb.failover"]);
    await vip.checkHealth();
    rec.stop();
    expect((rec.events[0] as LbEvent | undefined)?.detail).toMatch(/edge3 is down: new flows go to edge2; 1 client\(s\) pinned to edge3 lose their state there \(TURN allocations on edge3 are lost/);
    expect(await turn!.refresh(600, 1)).toBeUndefined(); // edge3's address is silent
    turn!.follow({ family: "IPv4", address: VIP, port: 0 }, to.port); // the client fails over through the VIP
    const refresh = await turn!.refresh(600);
    expect(refresh?.cls).toBe(StunClass.ErrorResponse);
    expect(turn!.codes.at(-1)).toBe(437);
    expect((await turn!.allocate())?.address).toBe(EDGE(2));
  });

  it("TURN allocations on a dead edge are lost: the edge's A/V Edge stops and comes back on the same address; the client's Refresh there gets 437 and its old relay port is closed", async () => {
    const at = `127.${Z + 2}.54.12`;
    const first = new AvEdgeServer({ host: "edge4", relayAddress: at, realm: "contoso.test", staticUsers: { alice: "secret" }, events: bus.emit });
    const own = await listenUdp(first, at, 3478);
    const sock = await client(undefined, `127.${Z + 3}.54.1`);
    const turn = new TurnClient(sock, { address: at, port: 3478 }, "alice", "secret");
    const relayed = (await turn.allocate())!;
    expect(relayed.address).toBe(at);
    await first.stop();
    await own.close();
    const again = new AvEdgeServer({ host: "edge4", relayAddress: at, realm: "contoso.test", staticUsers: { alice: "secret" }, events: bus.emit });
    const back = await listenUdp(again, at, 3478);
    try {
      const rec = bus.record(["stun.error"]);
      const refresh = await turn.refresh(600);
      rec.stop();
      expect(refresh?.cls).toBe(StunClass.ErrorResponse);
      expect(turn.codes.at(-1)).toBe(437);
      expect(rec.events.some((e) => e.host === "edge4" && "detail" in e && e.detail.startsWith("437 to Refresh"))).toBe(true);
      // The relay socket died with the old process: a peer's datagram to it reaches nobody, so nothing comes to the client.
      const peer = await client(undefined, PEER);
      const nothing = nextDatagram(sock, 500);
      peer.send("late media", relayed.port, relayed.address);
      expect(await nothing).toBeUndefined();
      expect(again.allocations()).toEqual([]);
    } finally {
      await again.stop();
      await back.close();
    }
  });
});

describe("PORT-1: edge-to-edge media between two A/V Edges over their STUN port", () => {
  it("PORT-1: a relay sends to a Lync 2010+ peer edge's UDP 3478, which hands the data to its allocation as from our relayed address; a Send indication naming a relayed address from a host that is not a peer edge is discarded", async () => {
    const [ours, theirs] = [`127.${Z + 2}.56.12`, `127.${Z + 3}.56.12`];
    const seen: { to: string; from: string }[] = [];
    const edgeA = new AvEdgeServer({ host: "a", relayAddress: ours, realm: "contoso.test", staticUsers: { alice: "secret" }, events: bus.emit, edgePeerPort: (ip) => (ip === theirs ? 3478 : undefined) });
    const edgeB = new AvEdgeServer({ host: "b", relayAddress: theirs, realm: "fabrikam.test", staticUsers: { bob: "secret" }, events: bus.emit, edgePeerPort: (ip) => (ip === ours ? 3478 : undefined) });
    const ls = [await listenUdp(edgeA, ours, 3478), await listenUdp(edgeB, theirs, 3478)];
    // Who sends to whom on the wire: the relay sockets must only ever talk to the other edge's 3478.
    const rec = bus.record(["turn.relay"]);
    try {
      const alice = new TurnClient(await client(undefined, `127.${Z + 3}.56.1`), { address: ours, port: 3478 }, "alice", "secret");
      const bob = new TurnClient(await client(undefined, `127.${Z + 3}.56.2`), { address: theirs, port: 3478 }, "bob", "secret");
      const [ra, rb] = [(await alice.allocate())!, (await bob.allocate())!];
      expect(await alice.permit(rb)).toBe(true);
      expect(await bob.permit(ra)).toBe(true);
      alice.sendTo(rb, Buffer.from("hello bob"));
      const atBob = await bob.nextData();
      expect(atBob?.data.toString()).toBe("hello bob");
      expect(atBob?.peer).toMatchObject({ address: ra.address, port: ra.port }); // as from alice's relayed address
      bob.sendTo(ra, Buffer.from("hello alice"));
      const atAlice = await alice.nextData();
      expect(atAlice?.peer).toMatchObject({ address: rb.address, port: rb.port });
      for (const e of rec.events) if (e.kind === "turn.relay" && e.detail.startsWith("relaying to")) seen.push({ to: e.detail, from: e.host });
      expect(seen.map((x) => x.from).sort()).toEqual(["a", "b"]);
      expect(seen.every((x) => x.to.includes("edge to edge through the peer edge's UDP 3478"))).toBe(true);
      // A host that is not a peer edge cannot inject into bob's allocation through 3478 by naming his relayed address,
      // even one bob has a permission for (it may send to his relay port, not use the edges' path).
      const outsider = await client(undefined, `127.${Z + 3}.56.3`);
      expect(await bob.permit({ family: "IPv4", address: `127.${Z + 3}.56.3`, port: 0 })).toBe(true);
      const forged = new StunMessageBuilder(StunMethod.Send, StunClass.Indication, newTransactionId()).set(XorPeerAddress({ family: "IPv4", address: rb.address, port: rb.port })).set(Data(Buffer.from("forged"))).encode();
      const before = edgeB.stats.discarded;
      outsider.send(forged, 3478, theirs);
      expect(await bob.nextData(500)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 100));
      expect(edgeB.stats.discarded).toBeGreaterThan(before);
    } finally {
      rec.stop();
      for (const l of ls) await l.close();
      await edgeA.stop();
      await edgeB.stop();
    }
  });
});

describe("RFC 5389 7.3: garbage at the A/V VIP is discarded silently, and a valid request after it is still answered", () => {
  it("RFC 5389 7.3: 5,000 datagrams with a STUN request header whose length field is past the datagram or not a multiple of 4 get no answer (no reflection); one Binding after them through the VIP is answered", async () => {
    const vip = await avVip(new NoNatStrategy());
    const to = { address: VIP, port: vip.endpoints[0]!.port };
    const attacker = await client(undefined, `127.${Z + 3}.55.1`);
    let reflected = 0;
    attacker.on("message", () => reflected++);
    const header = (len: number) => {
      const b = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId()).encode();
      b.writeUInt16BE(len, 2);
      return b;
    };
    const garbage = [header(64), Buffer.concat([header(6), Buffer.alloc(8)])]; // length past the end; length 6, not a multiple of 4
    const discardedBefore = [...edges.values()].reduce((n, e) => n + e.stats.discarded, 0);
    const errorsBefore = [...edges.values()].reduce((n, e) => n + (e.stats.errors[400] ?? 0), 0);
    for (let i = 0; i < 5000; i++) {
      attacker.send(garbage[i % 2]!, to.port, to.address);
      if (i % 500 === 499) await new Promise((r) => setImmediate(r)); // let the send queue drain, as a real burst from one host would
    }
    const victim = await client(to, `127.${Z + 3}.55.2`);
    const answer = await binding(victim, undefined, 5000);
    expect(answer?.mapped).toBe(localOf(victim));
    await new Promise((r) => setTimeout(r, 300));
    expect(reflected).toBe(0);
    expect([...edges.values()].reduce((n, e) => n + (e.stats.errors[400] ?? 0), 0)).toBe(errorsBefore);
    expect([...edges.values()].reduce((n, e) => n + e.stats.discarded, 0) - discardedBefore).toBeGreaterThan(4000);
  });
});

describe("real STUN clients through the A/V VIP, both modes", () => {
  const modes = [
    { mode: "no-nat", address: VIP, strategy: () => new NoNatStrategy(), mapped: () => CLIENT },
    { mode: "snat", address: VIP_SNAT, strategy: () => new SnatStrategy({}, ["HLB-6"]), mapped: () => VIP_SNAT },
  ];
  let started = false;
  const startBoth = async () => {
    if (started) return;
    started = true;
    for (const m of modes) await avVip(m.strategy(), "source", m.address, 3478);
  };

  for (const m of modes) {
    it(`HLB-${m.mode === "snat" ? "6" : "2"}: our own Binding through the ${m.mode} VIP maps to ${m.mode === "snat" ? "the balancer" : "the client"}`, async () => {
      await startBoth();
      const c = await client({ address: m.address, port: 3478 });
      const got = await binding(c);
      expect(got?.from).toBe(`${m.address}:3478`);
      expect(got?.mapped.split(":")[0]).toBe(m.mapped());
      if (m.mode === "no-nat") expect(got?.mapped).toBe(localOf(c));
    });

    peerIt(PEERS.turnutils)(`HLB-${m.mode === "snat" ? "6" : "2"}: turnutils_stunclient through the ${m.mode} VIP sees ${m.mode === "snat" ? "the VIP" : "itself"} as reflexive address`, async () => {
      await startBoth();
      const { stdout } = await run("turnutils_stunclient", ["-L", CLIENT, "-p", "3478", m.address], { timeout: 10_000 });
      expect(stdout).toMatch(new RegExp(`UDP reflexive addr: ${m.mapped().replace(/\./g, "\\.")}:\\d+`));
    });

    peerIt(PEERS.turnutils)(`HLB-3: turnutils_uclient allocates and relays through the ${m.mode} VIP with no loss (relays on the edges' own IPs)`, async () => {
      await startBoth();
      const { stdout } = await run("turnutils_uclient", ["-u", "alice", "-w", "secret", "-y", "-n", "50", "-m", "4", "-l", "170", "-L", CLIENT, "-p", "3478", m.address], { timeout: 30_000 });
      expect(stdout).toMatch(/tot_send_msgs=200, tot_recv_msgs=200/);
      expect(stdout).toMatch(/Total lost packets 0 \(/);
    }, 40_000);

    peerIt(PEERS.stun)(`HLB-${m.mode === "snat" ? "6" : "2"}: stun-client's \`stun\` through the ${m.mode} VIP gets ${m.mode === "snat" ? "the VIP" : "its own address"} mapped`, async () => {
      await startBoth();
      const out = await run(systemProgram("stun"), [m.address, "1", "-v", "-i", CLIENT], { timeout: 10_000 }).catch((e: { stdout: string; stderr: string }) => e);
      expect(`${out.stdout}${out.stderr}`).toMatch(new RegExp(`MappedAddress = ${m.mapped().replace(/\./g, "\\.")}:\\d+`));
    });
  }
});
