/**
 * The userland balancer's bounded resources (issue 15 item 4, docs/load-balancer.md
 * "Connections at scale"): past a VIP listener's TCP cap a new connection is not served
 * while the held ones keep working; past the SNAT session cap a new UDP client's datagram
 * is dropped and traced (HLB-1). Small caps, so the behaviour is checked, not the default.
 */
import { afterAll, describe, expect, it } from "vitest";
import dgram from "node:dgram";
import net from "node:net";
import { SnatStrategy, Vip } from "../../edge/lb/index.ts";
import type { LbEvent } from "../../edge/events/types.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { nextDatagram, udpClient } from "./kit.ts";

const Z = ZONE_BASE.lbUnit;
const VIP = `127.${Z + 2}.70.10`;
const SERVER = `127.${Z + 2}.71.10`;
const CLIENT = (n: number) => `127.${Z + 3}.70.${n}`;
const events: LbEvent[] = [];
const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

function echoServer(): Promise<number> {
  const server = net.createServer((s) => {
    s.on("error", () => s.destroy());
    s.pipe(s);
  });
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return new Promise((r) => server.listen(0, SERVER, () => r((server.address() as net.AddressInfo).port)));
}

/** Connects, writes a byte and resolves with whether it came back within 1 s. */
function echoes(port: number, from: string, keep: net.Socket[]): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: VIP, port, localAddress: from });
    keep.push(s);
    const timer = setTimeout(() => resolve(false), 1000);
    s.on("error", () => resolve(false));
    s.once("close", () => resolve(false));
    s.once("data", () => {
      clearTimeout(timer);
      resolve(true);
    });
    s.write("x");
  });
}

describe("userland balancer caps (issue 15 item 4)", () => {
  it("HLB-1: past maxConnections a new TCP connection is not served, the held ones still are", async () => {
    const target = await echoServer();
    const vip = await Vip.start({ name: "vip-access", address: VIP, servers: ["edge1"], listeners: [{ port: 0, transport: "tcp", backends: [{ server: "edge1", target: { address: SERVER, port: target } }] }], strategy: new SnatStrategy(), events: (e) => void events.push(e as LbEvent), maxConnections: 2 });
    closers.push(() => vip.stop());
    const port = vip.endpoints[0]!.port;
    const held: net.Socket[] = [];
    closers.push(() => held.forEach((s) => s.destroy()));
    expect(await echoes(port, CLIENT(1), held)).toBe(true);
    expect(await echoes(port, CLIENT(2), held)).toBe(true);
    expect(await echoes(port, CLIENT(3), held)).toBe(false);
    held[0]!.write("y");
    expect(await new Promise((r) => held[0]!.once("data", (d: Buffer) => r(d.toString())))).toBe("y");
  });

  it("HLB-1: past maxUdpSessions a new client's datagram is dropped and traced; a client with a session is still relayed", async () => {
    const echo = dgram.createSocket("udp4");
    echo.on("message", (m, r) => echo.send(m, r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, SERVER, () => r()));
    closers.push(() => void echo.close());
    const vip = await Vip.start({ name: "vip-webconf", address: VIP, servers: ["edge1"], listeners: [{ port: 0, transport: "udp", backends: [{ server: "edge1", target: { address: SERVER, port: echo.address().port } }] }], strategy: new SnatStrategy({ maxUdpSessions: 1 }), events: (e) => void events.push(e as LbEvent) });
    closers.push(() => vip.stop());
    const to = { address: VIP, port: vip.endpoints[0]!.port };
    const first = await udpClient(CLIENT(4), to);
    const second = await udpClient(CLIENT(5), to);
    closers.push(() => void first.close(), () => void second.close());
    first.send("a");
    expect((await nextDatagram(first))?.data.toString()).toBe("a");
    second.send("b");
    expect(await nextDatagram(second, 500)).toBeUndefined();
    // Traced (HLB-1): the refused client's flow is in the trace, though nothing reached the server.
    expect(events.some((e) => e.kind === "lb.forward" && e.tuple?.srcAddress === CLIENT(5))).toBe(true);
    first.send("c");
    expect((await nextDatagram(first))?.data.toString()).toBe("c");
  });
});
