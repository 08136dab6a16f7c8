/**
 * The balancer alone (no world): VIPs on this file's own addresses in front of two
 * edges, with real sockets. Rule IDs: docs/rules.md HLB-1, -2, -6.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import net from "node:net";
import type dgram from "node:dgram";
import { EventBus } from "../../harness/events/bus.ts";
import { NoNatStrategy, SnatStrategy, Vip, sinkBindingProbe, tcpConnectProbe, type BackendTarget } from "../../edge/lb/index.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { EchoSink, binding, edgeUdpListener, localOf, udpClient } from "./kit.ts";

const Z = ZONE_BASE.lbUnit;
const VIP = `127.${Z + 2}.0.12`;
const EDGE = (n: number) => `127.${Z + 2}.${n}.12`;
const CLIENT = `127.${Z + 3}.1.1`;
const bus = new EventBus();
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });
afterAll(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

async function tcpEchoServer(address: string, name: string): Promise<{ server: net.Server; port: number; peers: string[] }> {
  const peers: string[] = [];
  const server = net.createServer((s) => {
    peers.push(`${s.remoteAddress}`);
    s.on("data", () => s.write(`${name} sees ${s.remoteAddress}\n`));
    s.on("error", () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, address, () => r()));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { server, port: (server.address() as net.AddressInfo).port, peers };
}

function ask(host: string, port: number, localAddress: string): Promise<{ line: string; remote: string }> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ host, port, localAddress });
    c.once("connect", () => c.write("hello\n"));
    c.once("data", (d) => { resolve({ line: d.toString().trim(), remote: `${c.remoteAddress}` }); c.destroy(); });
    c.once("error", reject);
  });
}

async function startVip(o: Partial<Parameters<typeof Vip.start>[0]> & Pick<Parameters<typeof Vip.start>[0], "listeners" | "strategy">): Promise<Vip> {
  const vip = await Vip.start({ name: "vip-test", address: VIP, servers: ["edge1", "edge2"], events: bus.emit, ...o });
  cleanup.push(() => vip.stop());
  return vip;
}

async function noNatAv(sinks: EchoSink[], strategy = new NoNatStrategy(), affinity: "source" | "none" = "source"): Promise<{ vip: Vip; port: number }> {
  const backends: BackendTarget[] = sinks.map((s, i) => ({ server: s.edge, target: { address: EDGE(i + 1), port: 3478 }, sink: s }));
  const vip = await startVip({ listeners: [{ port: 0, transport: "udp", backends }], strategy, affinity, fall: 1, probe: sinkBindingProbe((srv) => sinks.find((s) => s.edge === srv), { address: VIP, port: 1 }, { address: EDGE(1), port: 3478 }, 500), healthIntervalMs: 60_000 });
  return { vip, port: vip.endpoints[0]!.port };
}

function client(s: dgram.Socket): dgram.Socket {
  cleanup.push(() => void s.close());
  return s;
}

describe("SNAT (HLB-1)", () => {
  it("HLB-1: with SNAT the edge's socket sees the VIP as its peer, and the client sees the VIP", async () => {
    const e1 = await tcpEchoServer(EDGE(1), "edge1");
    const vip = await startVip({
      listeners: [{ port: 0, transport: "tcp", backends: [{ server: "edge1", target: { address: EDGE(1), port: e1.port } }, { server: "edge2", target: { address: EDGE(2), port: e1.port } }] }],
      strategy: new SnatStrategy(), servers: ["edge1"],
    });
    const rec = bus.record(["lb.forward"]);
    const answer = await ask(VIP, vip.endpoints[0]!.port, CLIENT);
    rec.stop();
    expect(answer).toEqual({ line: `edge1 sees ${VIP}`, remote: VIP });
    expect(e1.peers).toEqual([VIP]);
    expect(rec.events[0]).toMatchObject({ rules: ["HLB-1"], backend: "edge1", tuple: { srcAddress: VIP, dstAddress: EDGE(1) } });
  });

  it("HLB-1: a UDP client behind SNAT is answered from the VIP; the edge saw the VIP's own address (HLB-6 on A/V)", async () => {
    const sink = new EchoSink("edge1");
    const edge = client(await edgeUdpListener(sink, EDGE(1)));
    const vip = await startVip({ listeners: [{ port: 0, transport: "udp", backends: [{ server: "edge1", target: { address: EDGE(1), port: edge.address().port } }] }], strategy: new SnatStrategy({}, ["HLB-6"]), servers: ["edge1"] });
    const to = { address: VIP, port: vip.endpoints[0]!.port };
    const c = client(await udpClient(CLIENT, to));
    const got = await binding(c);
    expect(got?.from).toBe(`${VIP}:${to.port}`);
    expect(got?.mapped.split(":")[0]).toBe(VIP);
    expect(got?.mapped).not.toBe(localOf(c));
    expect(sink.seen[0]?.client.split(":")[0]).toBe(VIP);
  });

  it("HLB-1: when the server refuses, the connection is retried on the other server, and two refusals take the first out of rotation", async () => {
    const e2 = await tcpEchoServer(EDGE(2), "edge2");
    const vip = await startVip({
      listeners: [{ port: 0, transport: "tcp", backends: [{ server: "edge1", target: { address: EDGE(1), port: e2.port } }, { server: "edge2", target: { address: EDGE(2), port: e2.port } }] }],
      strategy: new SnatStrategy(), affinity: "none",
    });
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push((await ask(VIP, vip.endpoints[0]!.port, CLIENT)).line);
    expect(answers).toEqual(Array(4).fill(`edge2 sees ${VIP}`));
    expect(vip.pool.healthy()).toEqual(["edge2"]);
  });
});

describe("no NAT (HLB-2)", () => {
  const cases = [
    { name: "a client that sent to the VIP is answered from the VIP", viaVip: true },
    { name: "a client that sent to an edge's own IP is answered from that edge IP", viaVip: false },
  ];
  for (const c of cases)
    it(`HLB-2: ${c.name}; the edge sees the real client address`, async () => {
      const sinks = [new EchoSink("edge1"), new EchoSink("edge2")];
      const { port } = await noNatAv(sinks);
      const own = client(await edgeUdpListener(sinks[1]!, EDGE(2)));
      const to = c.viaVip ? { address: VIP, port } : { address: EDGE(2), port: own.address().port };
      const cl = client(await udpClient(CLIENT, to));
      const rec = bus.record(["lb.forward"]);
      const got = await binding(cl);
      rec.stop();
      // Through the VIP the answer goes back through the balancer, the edge's default gateway (HLB-5); direct, the balancer sees nothing.
      expect(rec.events.map((e) => e.rules.join(","))).toEqual(c.viaVip ? ["HLB-2,HLB-5"] : []);
      expect(got?.from).toBe(`${to.address}:${to.port}`);
      expect(got?.mapped).toBe(localOf(cl));
      const seen = sinks.flatMap((s) => s.seen);
      expect(seen.map((s) => s.client)).toEqual([localOf(cl)]);
      expect(seen[0]?.local).toBe(`${to.address}:${to.port}`);
    });

  it("HLB-2: TCP through the VIP is handed over: the edge reads the client's own connection", async () => {
    const sinks = [new EchoSink("edge1")];
    const vip = await startVip({ listeners: [{ port: 0, transport: "tcp", backends: [{ server: "edge1", target: { address: EDGE(1), port: 443 }, sink: sinks[0] }] }], strategy: new NoNatStrategy(), servers: ["edge1"] });
    const port = vip.endpoints[0]!.port;
    const answer = await ask(VIP, port, CLIENT);
    expect(answer.remote).toBe(VIP);
    expect(answer.line).toMatch(new RegExp(`^edge1 sees ${CLIENT.replace(/\./g, "\\.")}:\\d+ targeting ${VIP.replace(/\./g, "\\.")}:${port}$`));
  });
});

describe("misconfigurations and failover (HLB-6)", () => {
  it("HLB-6: an edge answering from its physical IP when the client targeted the VIP: a connected client never receives it", async () => {
    const sinks = [new EchoSink("edge1")];
    const { port } = await noNatAv(sinks, new NoNatStrategy("physical"));
    const connected = client(await udpClient(CLIENT, { address: VIP, port }));
    expect(await binding(connected, undefined, 400)).toBeUndefined();
    const open = client(await udpClient(CLIENT));
    const got = await binding(open, { address: VIP, port });
    expect(got?.from.split(":")[0]).toBe(EDGE(1));
    expect(sinks[0]!.seen).toHaveLength(2);
  });

  it("HLB-6: round-robin without affinity sends one client's datagrams to both edges (an allocation lives on one)", async () => {
    const sinks = [new EchoSink("edge1"), new EchoSink("edge2")];
    const { port } = await noNatAv(sinks, new NoNatStrategy(), "none");
    const c = client(await udpClient(CLIENT, { address: VIP, port }));
    const edges: string[] = [];
    for (let i = 0; i < 4; i++) edges.push((await binding(c))!.software);
    expect(new Set(edges)).toEqual(new Set(["edge1", "edge2"]));
    const pinned = [new EchoSink("edge1"), new EchoSink("edge2")];
    const { port: p2 } = await noNatAv(pinned, new NoNatStrategy(), "source");
    const c2 = client(await udpClient(CLIENT, { address: VIP, port: p2 }));
    const sticky: string[] = [];
    for (let i = 0; i < 4; i++) sticky.push((await binding(c2))!.software);
    expect(new Set(sticky).size).toBe(1);
  });

  it("failover: stop an edge; new flows go to the survivor and the trace says the dead edge's allocations are lost", async () => {
    const sinks = [new EchoSink("edge1"), new EchoSink("edge2")];
    const { vip, port } = await noNatAv(sinks);
    const c = client(await udpClient(CLIENT, { address: VIP, port }));
    const first = (await binding(c))!.software;
    const dead = sinks.find((s) => s.edge === first)!;
    const survivor = sinks.find((s) => s.edge !== first)!;
    dead.stopped = true;
    const rec = bus.record(["lb.failover"]);
    await vip.checkHealth();
    rec.stop();
    expect(rec.events).toHaveLength(1);
    expect(rec.events[0]).toMatchObject({ backend: first });
    expect((rec.events[0] as { detail: string }).detail).toMatch(new RegExp(`new flows go to ${survivor.edge}.*allocations on ${first} are lost`));
    expect((await binding(c))!.software).toBe(survivor.edge);
    expect(vip.pool.pinnedTo(CLIENT)).toBe(survivor.edge);
  });

  it("failover: a TCP health check takes a closed edge out of rotation and brings it back", async () => {
    const e1 = await tcpEchoServer(EDGE(1), "edge1");
    const e2 = await tcpEchoServer(EDGE(2), "edge2");
    const targets: Record<string, { address: string; port: number }> = { edge1: { address: EDGE(1), port: e1.port }, edge2: { address: EDGE(2), port: e2.port } };
    const vip = await startVip({
      listeners: [{ port: 0, transport: "tcp", backends: Object.entries(targets).map(([server, target]) => ({ server, target })) }],
      strategy: new SnatStrategy(), fall: 1, probe: tcpConnectProbe((s) => targets[s]!, VIP, 500), healthIntervalMs: 60_000,
    });
    await vip.checkHealth();
    expect(vip.pool.healthy()).toEqual(["edge1", "edge2"]);
    await new Promise<void>((r) => e1.server.close(() => r()));
    await vip.checkHealth();
    expect(vip.pool.healthy()).toEqual(["edge2"]);
    expect((await ask(VIP, vip.endpoints[0]!.port, CLIENT)).line).toBe(`edge2 sees ${VIP}`);
  });
});
