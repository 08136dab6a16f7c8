/**
 * RFC 5766 over real sockets against the world's A/V Edge (service "av-edge"), with
 * credentials from the A/V authentication service (MRAS, PORT-3, CERT-3), and the A/V
 * rows of PORT-1/PORT-3 and HLB-2/HLB-3 when talking to an edge's own addresses. The
 * front end asks MRAS as seed 002 says: from its own address through the internal VIP
 * (002-int-vip-avauth-5062; the "hlb" service runs for it), never a node's 5062 directly.
 */
import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestAvCredentials, type GrantedAvCredentials } from "../../edge/roles/av-edge/index.ts";
import {
  ChannelNumber, Data, decodeStun, encodeChannelData, getData, getErrorCode, getLifetime, getXorMappedAddress, getXorPeerAddress,
  getXorRelayedAddress, Lifetime, RequestedTransport, StunClass, StunMessageBuilder, StunMethod, newTransactionId, XorPeerAddress,
} from "../../edge/wire/stun/index.ts";
import type { RunningAvEdge } from "../../harness/world/av-edge-service.ts";
import type { World } from "../../harness/world/world.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { TurnTestClient } from "./turn-client.ts";

let world: World;
let av: RunningAvEdge;
let creds: GrantedAvCredentials;
/** The edge the internal VIP handed the first credential request to. */
let issuer: string;
const opened: { close(): void }[] = [];
const tcpPort = 10443;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.avEdgeFlows), { services: ["dns", "av-edge", "hlb"] });
  av = world.service("av-edge") as RunningAvEdge;
  const before = new Map([...av.edges].map(([h, e]) => [h, e.mras.issued]));
  creds = await askCredentials("sip:alice@contoso.test");
  issuer = [...av.edges].find(([h, e]) => e.mras.issued > before.get(h)!)![0];
}, 60_000);
afterAll(async () => {
  for (const o of opened) o.close();
  await world?.stop();
});

const addr = (host: string, iface?: string) => world.plan.byHost(host, iface).address;
/** As the front end: from fe01's address, through the internal VIP, gated (PORT-3, PORT-5). */
function askCredentials(user: string, identity = "frontend") {
  return requestAvCredentials({
    address: addr("vip-internal"), port: 5062, servername: "edgepool.contoso.test", identity: world.pki.identity(identity), user,
    localAddress: addr("fe01"), host: "fe01", gate: worldFirewall(world.context).gate, events: world.context.events,
  });
}
/** From alice (the internet) by default; the edge's internal interface is reached from the front end (PORT-3: the firewall drops anyone else). */
async function client(transport: "udp" | "tcp", target: { address: string; port: number }, from = addr("client-alice")) {
  const c = transport === "udp" ? await TurnTestClient.udp(from, target) : await TurnTestClient.tcp(from, target);
  opened.push(c);
  return c;
}
async function peerSocket() {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind({ address: addr("fabrikam-clients"), port: 0 }, () => r()));
  opened.push(s);
  const got: { data: Buffer; from: string }[] = [];
  s.on("message", (m, r) => got.push({ data: m, from: `${r.address}:${r.port}` }));
  return { s, got, address: { family: "IPv4" as const, address: addr("fabrikam-clients"), port: s.address().port } };
}

describe("A/V authentication service (MRAS) on the internal interface, TCP 5062 over mutual TLS", () => {
  it("PORT-3: the front end gets TURN credentials for a user, with the realm and the A/V servers", async () => {
    expect(creds.username).toMatch(/^\d+:sip:alice@contoso\.test$/);
    expect(creds.realm).toBe("contoso.test");
    expect(creds.lifetimeSec).toBe(480 * 60);
    expect(creds.servers).toContainEqual({ host: "av.contoso.test", transport: "udp", port: 3478 });
  });

  it("CERT-3: a credential issued by one edge (the one the internal VIP picked) allocates on the other (the av-auth key, hence the secret, is pool-wide)", async () => {
    const other = issuer === "edge1" ? "edge2" : "edge1";
    const c = await client("udp", { address: addr(other, "external-av"), port: 3478 });
    const { answer } = await c.login(creds.username, creds.password, StunMethod.Allocate, [RequestedTransport(17)]);
    expect(getErrorCode(answer)).toBeUndefined();
    expect(getXorRelayedAddress(answer)?.address).toBe(addr(other, "external-av"));
  });

  it.each([
    { name: "a trusted client certificate that does not name the front end (edge-external) gets 403", identity: "edge-external", code: 403 },
    { name: "a certificate without the clientAuth EKU (reverse-proxy) fails the mutual TLS handshake", identity: "reverse-proxy", code: 502 },
  ])("PORT-3: $name", async ({ identity, code }) => {
    await expect(askCredentials("sip:alice@contoso.test", identity)).rejects.toMatchObject({ code });
  });
});

describe.each(["udp", "tcp"] as const)("RFC 5766 over %s to edge1's own external A/V address", (transport) => {
  it("RFC 5766 6: Allocate gets 401 with REALM and NONCE, then a relay on the edge's own external A/V IP in 50000-59999 (HLB-3, PORT-1)", async () => {
    const c = await client(transport, { address: addr("edge1", "external-av"), port: transport === "udp" ? 3478 : tcpPort });
    const { challenge, answer } = await c.login(creds.username, creds.password, StunMethod.Allocate, [RequestedTransport(17)]);
    expect(getErrorCode(challenge)?.code).toBe(401);
    expect(answer.cls).toBe(StunClass.SuccessResponse);
    const relayed = getXorRelayedAddress(answer)!;
    expect(relayed.address).toBe(addr("edge1", "external-av"));
    expect(relayed.port).toBeGreaterThanOrEqual(50000);
    expect(relayed.port).toBeLessThanOrEqual(59999);
    expect(getXorMappedAddress(answer)).toEqual({ family: "IPv4", address: c.local.address, port: c.local.port });
    expect(getLifetime(answer)).toBe(600);
    expect(av.edges.get("edge1")!.server.allocations().some((a) => a.relayed.port === relayed.port)).toBe(true);
  });

  it("RFC 5766 7-11: refresh, permission, Send/Data indications and ChannelData relay both ways through the relay port; LIFETIME 0 deletes", async () => {
    const c = await client(transport, { address: addr("edge1", "external-av"), port: transport === "udp" ? 3478 : tcpPort });
    const { answer } = await c.login(creds.username, creds.password, StunMethod.Allocate, [RequestedTransport(17)]);
    const relayed = getXorRelayedAddress(answer)!;
    const peer = await peerSocket();

    const refreshed = await c.request(StunMethod.Refresh, [Lifetime(1200)], { signed: true });
    expect(getLifetime(refreshed)).toBe(1200);

    // Without a permission the peer's packet is dropped (RFC 5766 10.3).
    const drops = world.bus.record(["turn.relay"]);
    peer.s.send(Buffer.from("too early"), relayed.port, relayed.address);
    await c.until(() => drops.events.some((e) => "detail" in e && e.detail.includes("discarded: no permission")), "the edge to drop the early peer packet");
    drops.stop();
    expect((await c.request(StunMethod.CreatePermission, [XorPeerAddress(peer.address)], { signed: true })).cls).toBe(StunClass.SuccessResponse);

    const send = new StunMessageBuilder(StunMethod.Send, StunClass.Indication, newTransactionId()).set(XorPeerAddress(peer.address)).set(Data(Buffer.from("hello peer"))).encode();
    c.send(send);
    await c.until(() => peer.got.length > 0, "the Send indication's data at the peer");
    expect(peer.got[0]).toEqual({ data: Buffer.from("hello peer"), from: `${relayed.address}:${relayed.port}` });

    peer.s.send(Buffer.from("hello client"), relayed.port, relayed.address);
    await c.until(() => c.indications.length > 0, "a Data indication");
    const ind = c.indications[0]!;
    expect(ind.method).toBe(StunMethod.Data);
    expect(getXorPeerAddress(ind)).toEqual(peer.address);
    expect(getData(ind)?.toString()).toBe("hello client");

    const bound = await c.request(StunMethod.ChannelBind, [ChannelNumber(0x4001), XorPeerAddress(peer.address)], { signed: true });
    expect(bound.cls).toBe(StunClass.SuccessResponse);
    c.send(encodeChannelData(0x4001, Buffer.from("over channel"), transport));
    await c.until(() => peer.got.length > 1, "ChannelData at the peer");
    expect(peer.got[1]!.data.toString()).toBe("over channel");
    peer.s.send(Buffer.from("channel back"), relayed.port, relayed.address);
    await c.until(() => c.channelData.length > 0, "ChannelData from the peer");
    expect(c.channelData[0]).toEqual({ kind: "channel", channel: 0x4001, data: Buffer.from("channel back") });
    expect(c.indications.map((m) => getData(m)?.toString())).not.toContain("too early");

    const gone = await c.request(StunMethod.Refresh, [Lifetime(0)], { signed: true });
    expect(getLifetime(gone)).toBe(0);
    expect(av.edges.get("edge1")!.server.allocations().some((a) => a.relayed.port === relayed.port)).toBe(false);
    const after = await c.request(StunMethod.Refresh, [Lifetime(600)], { signed: true });
    expect(getErrorCode(after)?.code).toBe(437);
  });
});

describe("PORT-1 / PORT-3: where the A/V Edge answers Binding requests", () => {
  const rows = [
    { name: "PORT-1: external A/V address, UDP 3478", iface: "external-av", transport: "udp" as const, port: 3478 },
    { name: "PORT-1: external A/V address, TCP 443 (10443 unprivileged)", iface: "external-av", transport: "tcp" as const, port: tcpPort },
    { name: "PORT-3: internal address, UDP 3478", iface: "internal", transport: "udp" as const, port: 3478 },
    { name: "PORT-3: internal address, TCP 443 (10443 unprivileged)", iface: "internal", transport: "tcp" as const, port: tcpPort },
  ];
  for (const edge of ["edge1", "edge2"]) {
    it.each(rows)(`${edge}: $name answers Binding, from the address the client targeted (HLB-2)`, async (row) => {
      const target = { address: addr(edge, row.iface), port: row.port };
      const c = await client(row.transport, target, row.iface === "internal" ? addr("fe01") : addr("client-alice"));
      const res = await c.request(StunMethod.Binding, []);
      expect(res.cls).toBe(StunClass.SuccessResponse);
      expect(getXorMappedAddress(res)).toEqual({ family: "IPv4", address: c.local.address, port: c.local.port });
      expect(c.responsesFrom.at(-1)).toEqual(target);
    });
  }

  it("HLB-3: relay sockets are never on the VIP nor the internal address, even for an internal client", async () => {
    const c = await client("udp", { address: addr("edge1", "internal"), port: 3478 }, addr("fe01"));
    const { answer } = await c.login(creds.username, creds.password, StunMethod.Allocate, [RequestedTransport(17)]);
    const relayed = getXorRelayedAddress(answer)!;
    expect(relayed.address).toBe(addr("edge1", "external-av"));
    expect(relayed.address).not.toBe(addr("vip-av"));
    expect(decodeStun(answer.raw).cls).toBe(StunClass.SuccessResponse);
  });
});
