/**
 * The trace as a pcap file: balancer legs with their bytes, read back by tshark (a
 * decoder nobody here wrote). HLB-1: the SNAT inside leg carries the VIP as its
 * source; HLB-2: the no-NAT inside leg keeps the client's address.
 */
import { afterAll, describe, expect, it } from "vitest";
import net from "node:net";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EventBus } from "../../harness/events/bus.ts";
import { PcapEncoder, PcapWriter, pcapGlobalHeader } from "../../harness/trace/pcap.ts";
import { NoNatStrategy, SnatStrategy, Vip } from "../../edge/lb/index.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { EchoSink, binding, edgeUdpListener, localOf, udpClient } from "./kit.ts";

const Z = ZONE_BASE.lbPcap;
const VIP_SIP = `127.${Z + 2}.0.10`;
const VIP_AV = `127.${Z + 2}.0.12`;
const EDGE = `127.${Z + 2}.1.12`;
const EDGE_SIP = `127.${Z + 2}.1.10`;
const CLIENT = `127.${Z + 3}.1.1`;
const stops: (() => Promise<void> | void)[] = [];
afterAll(async () => { for (const s of stops.reverse()) await s(); });
const run = promisify(execFile);

const OPTIONS = "OPTIONS sip:edge1.contoso.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nFrom: <sip:alice@contoso.test>;tag=1\r\nTo: <sip:edge1.contoso.test>\r\nCall-ID: pcap-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

describe("pcap", () => {
  it("a record is the 16-byte header, a 20-byte IPv4 header with a valid checksum, and the UDP header", () => {
    const [rec] = new PcapEncoder().encode({ transport: "udp", srcAddress: "127.1.2.3", srcPort: 1000, dstAddress: "127.4.5.6", dstPort: 3478 }, Buffer.from("abcd"), 1_700_000_000_123);
    expect(pcapGlobalHeader().readUInt32LE(20)).toBe(228);
    expect(rec!.readUInt32LE(8)).toBe(20 + 8 + 4);
    const ip = rec!.subarray(16, 36);
    expect([...ip.subarray(12, 20)]).toEqual([127, 1, 2, 3, 127, 4, 5, 6]);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect(rec!.readUInt32LE(4)).toBe(123_000);
  });

  peerIt(PEERS.tshark)("HLB-1/HLB-2: tshark decodes SIP and STUN from our pcap, and shows the SNAT inside leg from the VIP", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "edgesim-pcap-")), "lb.pcap");
    const bus = new EventBus();
    const pcap = PcapWriter.attach(bus, file);
    stops.push(() => pcap.close());
    const sipServer = net.createServer((s) => s.on("data", () => s.write("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:alice@contoso.test>;tag=1\r\nTo: <sip:edge1.contoso.test>;tag=2\r\nCall-ID: pcap-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")));
    await new Promise<void>((r) => sipServer.listen(5060, EDGE_SIP, () => r()));
    stops.push(() => new Promise<void>((r) => sipServer.close(() => r())));
    const sipVip = await Vip.start({ name: "vip-access", address: VIP_SIP, servers: ["edge1"], listeners: [{ port: 5060, transport: "tcp", backends: [{ server: "edge1", target: { address: EDGE_SIP, port: 5060 } }] }], strategy: new SnatStrategy(), events: bus.emit, capture: true });
    stops.push(() => sipVip.stop());
    const sink = new EchoSink("edge1");
    const edgeSock = await edgeUdpListener(sink, EDGE, 3478);
    stops.push(() => void edgeSock.close());
    const avSnat = await Vip.start({ name: "vip-av", address: VIP_AV, servers: ["edge1"], listeners: [{ port: 3478, transport: "udp", backends: [{ server: "edge1", target: { address: EDGE, port: 3478 }, sink }] }], strategy: new SnatStrategy({}, ["HLB-6"]), events: bus.emit, capture: true });
    const c = await udpClient(CLIENT, { address: VIP_AV, port: 3478 });
    stops.push(() => void c.close());
    expect((await binding(c))?.mapped.split(":")[0]).toBe(VIP_AV);
    await avSnat.stop();
    const avNoNat = await Vip.start({ name: "vip-av", address: VIP_AV, servers: ["edge1"], listeners: [{ port: 3478, transport: "udp", backends: [{ server: "edge1", target: { address: EDGE, port: 3478 }, sink }] }], strategy: new NoNatStrategy(), events: bus.emit, capture: true });
    stops.push(() => avNoNat.stop());
    expect((await binding(c))?.mapped).toBe(localOf(c));
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: VIP_SIP, port: 5060, localAddress: CLIENT }, () => s.write(OPTIONS));
      s.once("data", (d) => { resolve(d.toString()); s.destroy(); });
      s.once("error", reject);
    });
    expect(answer).toMatch(/^SIP\/2\.0 200 OK/);
    pcap.close();
    expect(readFileSync(file).length).toBeGreaterThan(24);
    const { stdout } = await run("tshark", ["-r", file, "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"], { timeout: 30_000 });
    const rows = stdout.trim().split("\n").map((l) => l.split("|"));
    const stun = rows.filter((r) => r[2] === "STUN");
    const sip = rows.filter((r) => r[2] === "SIP");
    expect(stun.length).toBe(8);
    expect(sip.length).toBe(4);
    // SNAT on A/V (first binding): the inside leg leaves from the VIP; no-NAT (second): from the client.
    expect(stun.filter((r) => r[1] === EDGE).map((r) => r[0])).toEqual([VIP_AV, CLIENT]);
    // SIP through the SNAT Access VIP: client -> VIP, then VIP -> edge (the rewrite), and back.
    expect(sip.map((r) => `${r[0]}>${r[1]}`)).toEqual([`${CLIENT}>${VIP_SIP}`, `${VIP_SIP}>${EDGE_SIP}`, `${EDGE_SIP}>${VIP_SIP}`, `${VIP_SIP}>${CLIENT}`]);
    expect(sip[0]![3]).toMatch(/Request: OPTIONS sip:edge1\.contoso\.test/);
    expect(stun[0]![3]).toMatch(/Binding Request/);
  }, 40_000);
});
