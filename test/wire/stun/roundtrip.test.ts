// Encoder round-trips: every attribute setter decodes back to what was set, message
// types survive, and messages we sign (short- and long-term) verify.
import { describe, expect, it } from "vitest";
import {
  AlternateServer,
  ChannelNumber,
  Data,
  decodeMessageType,
  decodeStun,
  DontFragment,
  encodeMessageType,
  ErrorCode,
  EvenPort,
  getAlternateServer,
  getChannelNumber,
  getData,
  getErrorCode,
  getEvenPort,
  getLifetime,
  getMappedAddress,
  getNonce,
  getRealm,
  getRequestedTransport,
  getReservationToken,
  getSoftware,
  getUnknownAttributes,
  getUsername,
  getXorMappedAddress,
  getXorPeerAddress,
  getXorPeerAddresses,
  getXorRelayedAddress,
  hasDontFragment,
  Lifetime,
  longTermKey,
  MappedAddress,
  newTransactionId,
  Nonce,
  Realm,
  RequestedTransport,
  ReservationToken,
  shortTermKey,
  Software,
  StunClass,
  StunMessageBuilder,
  StunMethod,
  UnknownAttributes,
  Username,
  verifyFingerprint,
  verifyIntegrity,
  XorMappedAddress,
  XorPeerAddress,
  XorRelayedAddress,
  type StunAttributeSetter,
  type StunMessage,
  type TransportAddress,
} from "../../../edge/wire/stun/index.ts";

const v4: TransportAddress = { family: "IPv4", address: "127.0.0.1", port: 3478 };
const v6: TransportAddress = { family: "IPv6", address: "2001:db8::7", port: 50000 };
const v6b: TransportAddress = { family: "IPv6", address: "::ffff:1.2.3.4", port: 1 };

interface RoundTrip {
  name: string;
  set: StunAttributeSetter[];
  get: (m: StunMessage) => unknown;
  want: unknown;
}

const cases: RoundTrip[] = [
  { name: "MAPPED-ADDRESS IPv4", set: [MappedAddress(v4)], get: getMappedAddress, want: v4 },
  { name: "MAPPED-ADDRESS IPv6", set: [MappedAddress(v6)], get: getMappedAddress, want: v6 },
  { name: "XOR-MAPPED-ADDRESS IPv4", set: [XorMappedAddress(v4)], get: getXorMappedAddress, want: v4 },
  { name: "XOR-MAPPED-ADDRESS IPv6", set: [XorMappedAddress(v6)], get: getXorMappedAddress, want: v6 },
  { name: "XOR-MAPPED-ADDRESS IPv4-mapped IPv6", set: [XorMappedAddress(v6b)], get: getXorMappedAddress, want: { ...v6b, address: "::ffff:102:304" } },
  { name: "USERNAME (non-ASCII)", set: [Username("マトリックス:user")], get: getUsername, want: "マトリックス:user" },
  { name: "REALM", set: [Realm("edge.example.org")], get: getRealm, want: "edge.example.org" },
  { name: "NONCE", set: [Nonce("f//499k954d6OL34oL9FSTvy64sA")], get: getNonce, want: "f//499k954d6OL34oL9FSTvy64sA" },
  { name: "SOFTWARE", set: [Software("edgesim A/V Edge")], get: getSoftware, want: "edgesim A/V Edge" },
  { name: "ERROR-CODE default reason", set: [ErrorCode(401)], get: getErrorCode, want: { code: 401, reason: "Unauthorized" } },
  { name: "ERROR-CODE custom reason", set: [ErrorCode(599, "Ωmega")], get: getErrorCode, want: { code: 599, reason: "Ωmega" } },
  { name: "UNKNOWN-ATTRIBUTES odd count", set: [UnknownAttributes([0x7777, 0x0030, 0x0031])], get: getUnknownAttributes, want: [0x7777, 0x0030, 0x0031] },
  { name: "ALTERNATE-SERVER", set: [AlternateServer(v6)], get: getAlternateServer, want: v6 },
  { name: "LIFETIME", set: [Lifetime(600)], get: getLifetime, want: 600 },
  { name: "LIFETIME max", set: [Lifetime(0xffffffff)], get: getLifetime, want: 0xffffffff },
  { name: "REQUESTED-TRANSPORT", set: [RequestedTransport()], get: getRequestedTransport, want: 17 },
  { name: "XOR-RELAYED-ADDRESS", set: [XorRelayedAddress(v4)], get: getXorRelayedAddress, want: v4 },
  { name: "XOR-PEER-ADDRESS", set: [XorPeerAddress(v6)], get: getXorPeerAddress, want: v6 },
  { name: "XOR-PEER-ADDRESS repeated", set: [XorPeerAddress(v4), XorPeerAddress(v6)], get: getXorPeerAddresses, want: [v4, v6] },
  { name: "CHANNEL-NUMBER", set: [ChannelNumber(0x4001)], get: getChannelNumber, want: 0x4001 },
  { name: "DATA (5 bytes, padded)", set: [Data(Buffer.from("hello"))], get: (m) => getData(m)?.toString(), want: "hello" },
  { name: "DATA empty", set: [Data(Buffer.alloc(0))], get: (m) => getData(m)?.length, want: 0 },
  { name: "EVEN-PORT R=1", set: [EvenPort(true)], get: getEvenPort, want: { reserveNext: true } },
  { name: "EVEN-PORT R=0", set: [EvenPort(false)], get: getEvenPort, want: { reserveNext: false } },
  { name: "DONT-FRAGMENT", set: [DontFragment()], get: hasDontFragment, want: true },
  { name: "RESERVATION-TOKEN", set: [ReservationToken(Buffer.from("0102030405060708", "hex"))], get: (m) => getReservationToken(m)?.toString("hex"), want: "0102030405060708" },
];

describe("attribute round-trips", () => {
  it.each(cases)("$name", ({ set, get, want }) => {
    const b = new StunMessageBuilder(StunMethod.Allocate, StunClass.SuccessResponse, newTransactionId());
    for (const s of set) b.set(s);
    const wire = b.encode();
    expect(wire.length % 4).toBe(0);
    expect(get(decodeStun(wire))).toEqual(want);
  });

  it("getters answer undefined/false/[] when the attribute is absent", () => {
    const msg = decodeStun(new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId()).encode());
    expect([getMappedAddress(msg), getXorMappedAddress(msg), getUsername(msg), getLifetime(msg), getErrorCode(msg), getData(msg)]).toEqual(
      new Array(6).fill(undefined),
    );
    expect(hasDontFragment(msg)).toBe(false);
    expect(getXorPeerAddresses(msg)).toEqual([]);
  });
});

describe("message type (RFC 5389 6)", () => {
  const methods = Object.entries(StunMethod);
  const classes = Object.entries(StunClass);
  it.each(methods.flatMap(([m, mv]) => classes.map(([c, cv]) => ({ name: `${m} ${c}`, method: mv, cls: cv }))))("$name", ({ method, cls }) => {
    const type = encodeMessageType(method, cls);
    expect(type & 0xc000).toBe(0);
    expect(decodeMessageType(type)).toEqual({ method, cls });
  });

  it.each([
    { name: "Binding request", method: StunMethod.Binding, cls: StunClass.Request, type: 0x0001 },
    { name: "Binding success", method: StunMethod.Binding, cls: StunClass.SuccessResponse, type: 0x0101 },
    { name: "Allocate error", method: StunMethod.Allocate, cls: StunClass.ErrorResponse, type: 0x0113 },
    { name: "Send indication", method: StunMethod.Send, cls: StunClass.Indication, type: 0x0016 },
    { name: "Data indication", method: StunMethod.Data, cls: StunClass.Indication, type: 0x0017 },
    { name: "max method", method: 0xfff, cls: StunClass.ErrorResponse, type: 0x3fff },
  ])("$name is 0x$type on the wire", ({ method, cls, type }) => {
    expect(encodeMessageType(method, cls)).toBe(type);
  });
});

describe("messages we sign verify", () => {
  const attrs = [Software("edgesim"), Username("alice"), XorMappedAddress(v4), Data(Buffer.from("abc"))];
  it.each([
    { name: "short-term + fingerprint", key: shortTermKey("VOkJxbRl1RmTxUk/WvJxBt"), fingerprint: true },
    { name: "long-term + fingerprint", key: longTermKey("alice", "edge.example.org", "The\u00adM\u00aatr\u2168"), fingerprint: true },
    { name: "integrity only", key: shortTermKey("pw"), fingerprint: false },
  ])("$name", ({ key, fingerprint }) => {
    const b = new StunMessageBuilder(StunMethod.Allocate, StunClass.Request, newTransactionId());
    attrs.forEach((a) => b.set(a));
    b.addIntegrity(key);
    if (fingerprint) b.addFingerprint();
    const msg = decodeStun(b.encode());
    expect(verifyIntegrity(msg, key)).toBe(true);
    expect(verifyIntegrity(msg, shortTermKey("other"))).toBe(false);
    expect(verifyFingerprint(msg)).toBe(fingerprint);
    expect(msg.attributes.at(-1)?.type).toBe(fingerprint ? 0x8028 : 0x0008);
  });

  it("fingerprint without integrity verifies", () => {
    const msg = decodeStun(new StunMessageBuilder(StunMethod.Binding, StunClass.Indication, newTransactionId()).addFingerprint().encode());
    expect(verifyFingerprint(msg)).toBe(true);
  });

  it("keeps the transaction ID", () => {
    const tx = newTransactionId();
    expect(decodeStun(new StunMessageBuilder(StunMethod.Binding, StunClass.Request, tx).encode()).transactionId.equals(tx)).toBe(true);
  });

  it.each([
    { name: "11-byte transaction ID", run: () => new StunMessageBuilder(1, 0, Buffer.alloc(11)) },
    { name: "13-bit method", run: () => new StunMessageBuilder(0x1000, 0, Buffer.alloc(12)) },
    { name: "error code 200", run: () => ErrorCode(200) },
    { name: "IPv6 text with IPv4 family", run: () => XorMappedAddress({ family: "IPv4", address: "::1", port: 1 }).encode({ xorKey: Buffer.alloc(16), dialect: "rfc5389" }) },
    { name: "port 65536", run: () => MappedAddress({ family: "IPv4", address: "127.0.0.1", port: 65536 }).encode({ xorKey: Buffer.alloc(16), dialect: "rfc5389" }) },
    { name: "SOFTWARE of 128 characters", run: () => Software("x".repeat(128)) },
    { name: "7-byte RESERVATION-TOKEN", run: () => ReservationToken(Buffer.alloc(7)) },
  ])("encoder refuses $name with a RangeError", ({ run }) => {
    expect(run).toThrow(RangeError);
  });
});
