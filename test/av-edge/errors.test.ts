/**
 * Error codes (RFC 5389 15.6, RFC 5766 15), malformed input, quota and lifetimes,
 * against an A/V Edge built directly with short settings, on addresses from the
 * address plan of its own zones (no world: nothing here needs DNS or the PKI).
 */
import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AvEdgeServer, listenUdp, type Listener } from "../../edge/roles/av-edge/index.ts";
import {
  ChannelNumber, EvenPort, getErrorCode, getLifetime, getNonce, getRealm, getReservationToken, getUnknownAttributes, getXorRelayedAddress,
  Lifetime, MsTurnMagicCookie, RawAttribute, RequestedTransport, ReservationToken, StunClass, StunMessageBuilder, StunMethod, getXorMappedAddress,
  getMappedAddress, newTransactionId, XorPeerAddress, decodeStun,
} from "../../edge/wire/stun/index.ts";
import { buildAddressPlan } from "../../harness/world/address-plan.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { topologyAt } from "../kit/world.ts";
import { TurnTestClient } from "./turn-client.ts";

const plan = buildAddressPlan(topologyAt(ZONE_BASE.avEdgeErrors));
const edgeIp = plan.byHost("edge1", "external-av").address;
const tinyIp = plan.byHost("edge2", "external-av").address;
const clientIp = plan.byHost("client-alice").address;
const peerIp = plan.byHost("fabrikam-clients").address;
const USERS: Record<string, string> = { alice: "alice-pw", bob: "bob-pw", quota: "q", ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`u${i}`, `pw${i}`])) };
let nextUser = 0;

let server: AvEdgeServer;
let tiny: AvEdgeServer;
const listeners: Listener[] = [];
const clients: TurnTestClient[] = [];
let blocker: dgram.Socket;
const target = () => ({ address: edgeIp, port: 3478 });

beforeAll(async () => {
  server = new AvEdgeServer({ host: "edge1", relayAddress: edgeIp, realm: "contoso.test", staticUsers: USERS, maxAllocationsPerUser: 2, defaultLifetimeSec: 1, maxLifetimeSec: 2, events: () => undefined });
  listeners.push(await listenUdp(server, edgeIp, 3478));
  // An edge whose relay range is one port, held by someone else: 508 (RFC 5766 6.2).
  blocker = dgram.createSocket("udp4");
  await new Promise<void>((r) => blocker.bind({ address: tinyIp, port: 50000 }, () => r()));
  tiny = new AvEdgeServer({ host: "edge2", relayAddress: tinyIp, realm: "contoso.test", staticUsers: USERS, relayPortMin: 50000, relayPortMax: 50000, events: () => undefined });
  listeners.push(await listenUdp(tiny, tinyIp, 3478));
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const l of listeners) await l.close();
  await server?.stop();
  await tiny?.stop();
  blocker?.close();
});

async function client(to = target()) {
  const c = await TurnTestClient.udp(clientIp, to);
  clients.push(c);
  return c;
}
/** An allocation by `user`, by default a user of its own (the per-user quota is 2 here). */
async function allocated(user = `u${nextUser++}`) {
  const c = await client();
  const { answer } = await c.login(user, USERS[user]!, StunMethod.Allocate, [RequestedTransport(17)]);
  expect(getErrorCode(answer)).toBeUndefined();
  return { c, answer };
}
const peer = { family: "IPv4" as const, address: peerIp, port: 40000 };

describe("RFC 5766 15 / RFC 5389 15.6 error codes", () => {
  const cases: { name: string; run: () => Promise<{ code?: number; msg: ReturnType<typeof decodeStun> }>; code: number }[] = [
    { name: "400: Allocate without REQUESTED-TRANSPORT", code: 400, run: async () => { const c = await client(); const r = await c.login("alice", USERS.alice!, StunMethod.Allocate, []); return { msg: r.answer }; } },
    { name: "401: Allocate without MESSAGE-INTEGRITY (with REALM and NONCE)", code: 401, run: async () => ({ msg: await (await client()).request(StunMethod.Allocate, [RequestedTransport(17)]) }) },
    { name: "401: wrong password", code: 401, run: async () => { const c = await client(); const r = await c.login("alice", "not-her-password", StunMethod.Allocate, [RequestedTransport(17)]); return { msg: r.answer }; } },
    { name: "401: unknown user", code: 401, run: async () => { const c = await client(); const r = await c.login("mallory", "x", StunMethod.Allocate, [RequestedTransport(17)]); return { msg: r.answer }; } },
    { name: "420: unknown comprehension-required attribute in a signed Allocate (UNKNOWN-ATTRIBUTES)", code: 420, run: async () => { const c = await client(); const r = await c.login("alice", USERS.alice!, StunMethod.Allocate, [RequestedTransport(17), RawAttribute(0x7777, Buffer.from([1, 2, 3, 4]))]); return { msg: r.answer }; } },
    { name: "437: a second Allocate on the same 5-tuple", code: 437, run: async () => { const { c } = await allocated(); return { msg: await c.request(StunMethod.Allocate, [RequestedTransport(17)], { signed: true }) }; } },
    { name: "437: Refresh with no allocation", code: 437, run: async () => { const c = await client(); const r = await c.login("alice", USERS.alice!, StunMethod.Refresh, []); return { msg: r.answer }; } },
    { name: "437: CreatePermission with no allocation", code: 437, run: async () => { const c = await client(); const r = await c.login("alice", USERS.alice!, StunMethod.CreatePermission, [XorPeerAddress(peer)]); return { msg: r.answer }; } },
    { name: "438: a NONCE the edge never issued", code: 438, run: async () => { const { c } = await allocated(); c.setNonce("0123456789abcdef0123456789"); return { msg: await c.request(StunMethod.Refresh, [], { signed: true }) }; } },
    { name: "441: Refresh signed by another user than the allocation's", code: 441, run: async () => { const { c } = await allocated(); c.signAs("bob", USERS.bob!); return { msg: await c.request(StunMethod.Refresh, [], { signed: true }) }; } },
    { name: "442: REQUESTED-TRANSPORT TCP", code: 442, run: async () => { const c = await client(); const r = await c.login("alice", USERS.alice!, StunMethod.Allocate, [RequestedTransport(6)]); return { msg: r.answer }; } },
    { name: "400: ChannelBind with a channel number outside 0x4000-0x7fff", code: 400, run: async () => { const { c } = await allocated(); return { msg: await c.request(StunMethod.ChannelBind, [ChannelNumber(0x3fff), XorPeerAddress(peer)], { signed: true }) }; } },
    { name: "400: EVEN-PORT together with RESERVATION-TOKEN", code: 400, run: async () => { const c = await client(); const r = await c.login("alice", USERS.alice!, StunMethod.Allocate, [RequestedTransport(17), EvenPort(false), ReservationToken(Buffer.alloc(8))]); return { msg: r.answer }; } },
    { name: "403: a peer outside 127.0.0.0/8 (the sandbox never relays off this machine)", code: 403, run: async () => { const { c } = await allocated(); return { msg: await c.request(StunMethod.CreatePermission, [XorPeerAddress({ family: "IPv4", address: "192.0.2.1", port: 9 })], { signed: true }) }; } },
    { name: "508: no free relay port in the range", code: 508, run: async () => { const c = await client({ address: tinyIp, port: 3478 }); const r = await c.login("alice", USERS.alice!, StunMethod.Allocate, [RequestedTransport(17)]); return { msg: r.answer }; } },
  ];
  it.each(cases)("$name", async ({ run, code }) => {
    const { msg } = await run();
    expect(msg.cls).toBe(StunClass.ErrorResponse);
    expect(getErrorCode(msg)?.code).toBe(code);
    if (code === 401 || code === 438) {
      expect(getRealm(msg)).toBe("contoso.test");
      expect(getNonce(msg)).toMatch(/^[0-9a-f]{26}$/);
    }
    if (code === 420) expect(getUnknownAttributes(msg)).toEqual([0x7777]);
  });

  it("486: the per-user allocation quota (2 here) refuses the third allocation, and frees a slot on delete", async () => {
    const a = await allocated("quota");
    await allocated("quota");
    const c = await client();
    const third = await c.login("quota", USERS.quota!, StunMethod.Allocate, [RequestedTransport(17)]);
    expect(getErrorCode(third.answer)?.code).toBe(486);
    await a.c.request(StunMethod.Refresh, [Lifetime(0)], { signed: true });
    const again = await c.request(StunMethod.Allocate, [RequestedTransport(17)], { signed: true });
    expect(getErrorCode(again)).toBeUndefined();
  });
});

describe("malformed input never crashes the edge: a well-framed request with a bad body gets 400/420, a bad header is discarded, and the edge still answers", () => {
  const binding = () => new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId());
  const good = binding().encode();
  const withLength = (b: Buffer, len: number) => { const x = Buffer.from(b); x.writeUInt16BE(len, 2); return x; };
  const cases: { name: string; bytes: () => Buffer; answer: number | "none" }[] = [
    { name: "truncated below the 20-byte header", bytes: () => good.subarray(0, 12), answer: "none" },
    // RFC 5389 7.3: a header that fails the basic checks is not a STUN message: discarded, never a 400 (an answer to garbage reflects it).
    { name: "header length past the datagram's end: discarded (RFC 5389 7.3)", bytes: () => withLength(good, 64), answer: "none" },
    { name: "length not a multiple of 4: discarded (RFC 5389 7.3)", bytes: () => withLength(Buffer.concat([good, Buffer.alloc(4)]), 3), answer: "none" },
    { name: "length shorter than the datagram: discarded (RFC 5389 7.3)", bytes: () => Buffer.concat([good, Buffer.alloc(8)]), answer: "none" },
    { name: "attribute length running past the message", bytes: () => { const b = binding().set(RawAttribute(0x8022, Buffer.from("abcd"))).encode(); b.writeUInt16BE(200, 22); return b; }, answer: 400 },
    { name: "unknown comprehension-required attribute: 420", bytes: () => binding().set(RawAttribute(0x0abc, Buffer.alloc(4))).encode(), answer: 420 },
    { name: "wrong FINGERPRINT: discarded (RFC 5389 7.3)", bytes: () => { const b = binding().addFingerprint().encode(); b[b.length - 1]! ^= 0xff; return b; }, answer: "none" },
    { name: "random bytes starting 0b10 (neither STUN nor ChannelData)", bytes: () => Buffer.from([0x80, 1, 2, 3, 4, 5, 6, 7]), answer: "none" },
    { name: "a success response sent to the server", bytes: () => new StunMessageBuilder(StunMethod.Binding, StunClass.SuccessResponse, newTransactionId()).encode(), answer: "none" },
    { name: "ChannelData with no allocation", bytes: () => Buffer.from([0x40, 0x01, 0x00, 0x02, 9, 9]), answer: "none" },
  ];
  it.each(cases)("$name", async ({ bytes, answer }) => {
    const c = await client();
    const before = server.stats.discarded;
    const b = bytes();
    if (answer === "none") {
      c.send(b);
      await c.until(() => server.stats.discarded > before, "the edge to count the discarded packet");
    } else {
      const res = await c.sendAndWait(b, b.subarray(8, 20).toString("hex"));
      expect(getErrorCode(res)?.code).toBe(answer);
    }
    const ok = await c.request(StunMethod.Binding, []);
    expect(getXorMappedAddress(ok)?.port).toBe(c.local.port);
  });

  it("[MS-TURN] Binding (MAGIC-COOKIE first, 128-bit ID) is answered in the MS-TURN dialect with MAPPED-ADDRESS", async () => {
    const c = await client();
    const tx = newTransactionId().subarray(0, 12);
    const id16 = Buffer.concat([tx, Buffer.from([1, 2, 3, 4])]);
    const req = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, id16).set(MsTurnMagicCookie()).encode();
    const res = await c.sendAndWait(req, id16.toString("hex"));
    expect(res.dialect).toBe("ms-turn");
    expect(res.attributes[0]?.type).toBe(0x000f);
    expect(getMappedAddress(res)).toEqual({ family: "IPv4", address: clientIp, port: c.local.port });
  });
});

describe("lifetimes (RFC 5766 5, 7, 14.6): short settings instead of long sleeps", () => {
  it("RFC 5766 6.2: the lifetime is min(requested, max) but never below the default; an unrefreshed allocation expires and its relay port closes", async () => {
    const { c, answer } = await allocated("bob");
    expect(getLifetime(answer)).toBe(1);
    const relayed = getXorRelayedAddress(answer)!;
    expect(getLifetime(await c.request(StunMethod.Refresh, [Lifetime(3600)], { signed: true }))).toBe(2);
    await c.until(() => !server.allocations().some((a) => a.relayed.port === relayed.port), "the allocation to expire", 5000);
    expect(getErrorCode(await c.request(StunMethod.Refresh, [], { signed: true }))?.code).toBe(437);
  });

  it("RFC 5766 14.6: EVEN-PORT with R gives an even relay port and a RESERVATION-TOKEN that allocates the next port", async () => {
    const { c, answer } = await (async () => { const c = await client(); const r = await c.login("alice", USERS.alice!, StunMethod.Allocate, [RequestedTransport(17), EvenPort(true)]); return { c, answer: r.answer }; })();
    const port = getXorRelayedAddress(answer)!.port;
    expect(port % 2).toBe(0);
    const token = getReservationToken(answer)!;
    expect(token).toHaveLength(8);
    const d = await client();
    const second = await d.login("alice", USERS.alice!, StunMethod.Allocate, [RequestedTransport(17), ReservationToken(token)]);
    expect(getXorRelayedAddress(second.answer)!.port).toBe(port + 1);
    expect(c.local.port).not.toBe(d.local.port);
  });
});

describe("the Binding fast path answers byte for byte as the general path does", () => {
  it("RFC 5389 15.2: an attribute-less Binding gets the same bytes as a Binding whose FINGERPRINT forces the general path, minus the FINGERPRINT", async () => {
    const c = await client();
    const fast = await c.request(StunMethod.Binding, []);
    const general = await c.request(StunMethod.Binding, [], { fingerprint: true });
    const strip = (m: ReturnType<typeof decodeStun>) => { const b = Buffer.from(m.raw.subarray(0, m.raw.length - 8)); b.writeUInt16BE(b.length - 20, 2); b.fill(0, 8, 20); return b; };
    const plain = Buffer.from(fast.raw);
    plain.fill(0, 8, 20);
    expect(plain).toEqual(strip(general));
    expect(getXorMappedAddress(fast)).toEqual({ family: "IPv4", address: clientIp, port: c.local.port });
  });
});
