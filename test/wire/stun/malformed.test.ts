// Malformed input: every case raises a WireDecodeError naming where it failed and the
// STUN code a server would answer, never any other exception (RFC 5389 7.3, 15).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WireDecodeError } from "../../../edge/wire/decode-error.ts";
import {
  assertComprehended,
  checkFingerprint,
  checkIntegrity,
  decodeStun,
  ErrorCode,
  getErrorCode,
  getSoftware,
  getXorMappedAddress,
  RawAttribute,
  shortTermKey,
  Software,
  StunClass,
  StunMessageBuilder,
  StunMethod,
  StunUnknownAttributesError,
  unknownComprehensionRequired,
  getLifetime,
  getUnknownAttributes,
  getRealm,
  getNonce,
  getUsername,
  getMappedAddress,
  getXorPeerAddresses,
  getXorRelayedAddress,
  getChannelNumber,
  getEvenPort,
  getRequestedTransport,
  getReservationToken,
  hasDontFragment,
  getAlternateServer,
  verifyFingerprint,
  verifyIntegrity,
} from "../../../edge/wire/stun/index.ts";
import { bytesOf, vector } from "./vectors.ts";

const TX = Buffer.from("b7e7a701bc34d686fa87dfae", "hex");
const ipv4 = bytesOf("response_ipv4"); // SOFTWARE@20 (11+1 pad), XOR-MAPPED-ADDRESS@36, MESSAGE-INTEGRITY@48, FINGERPRINT@72
const goodKey = shortTermKey(vector("response_ipv4").password);

function patched(base: Buffer, at: number, bytes: number[]): Buffer {
  const b = Buffer.from(base);
  bytes.forEach((v, i) => (b[at + i] = v));
  return b;
}

function build(...attrs: Parameters<StunMessageBuilder["set"]>[0][]): Buffer {
  const b = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, TX);
  for (const a of attrs) b.set(a);
  return b.encode();
}

interface BadCase {
  name: string;
  run: () => unknown;
  wireCode: number | undefined;
  where: string;
}

const cases: BadCase[] = [
  { name: "empty buffer", run: () => decodeStun(Buffer.alloc(0)), wireCode: 400, where: "header byte 0" },
  { name: "truncated header (10 of 20 bytes)", run: () => decodeStun(ipv4.subarray(0, 10)), wireCode: 400, where: "header byte 10" },
  { name: "first two bits set", run: () => decodeStun(patched(ipv4, 0, [0x81])), wireCode: 400, where: "header byte 0" },
  { name: "length not a multiple of 4", run: () => decodeStun(patched(ipv4, 2, [0x00, 0x3d])), wireCode: 400, where: "header byte 2" },
  { name: "length past the buffer", run: () => decodeStun(ipv4.subarray(0, 60)), wireCode: 400, where: "header byte 2" },
  { name: "bytes after the message", run: () => decodeStun(Buffer.concat([ipv4, Buffer.alloc(4)])), wireCode: 400, where: "byte 80" },
  { name: "attribute length past the end", run: () => decodeStun(patched(ipv4, 22, [0x01, 0x00])), wireCode: 400, where: "attribute 0x8022 at byte 20" },
  { name: "bad magic cookie", run: () => decodeStun(patched(ipv4, 4, [0x21, 0x12, 0xa4, 0x43])), wireCode: 400, where: "header byte 4" },
  {
    name: "attribute after FINGERPRINT",
    run: () => decodeStun(Buffer.concat([patched(ipv4, 2, [0x00, 0x40]), Buffer.from("80220000", "hex")])),
    wireCode: 400,
    where: "attribute 0x8022 at byte 80",
  },
  {
    name: "unknown comprehension-required attribute",
    run: () => assertComprehended(decodeStun(build(Software("x"), RawAttribute(0x7777, Buffer.from([1, 2, 3, 4]))))),
    wireCode: 420,
    where: "attribute 0x7777 at byte 28",
  },
  { name: "wrong MESSAGE-INTEGRITY", run: () => checkIntegrity(decodeStun(ipv4), shortTermKey("wrong")), wireCode: 401, where: "attribute 0x0008 at byte 48" },
  { name: "MESSAGE-INTEGRITY missing", run: () => checkIntegrity(decodeStun(build(Software("x"))), goodKey), wireCode: 400, where: "attribute 0x0008 (absent)" },
  {
    name: "MESSAGE-INTEGRITY of 16 bytes",
    run: () => checkIntegrity(decodeStun(build(RawAttribute(0x0008, Buffer.alloc(16)))), goodKey),
    wireCode: 400,
    where: "attribute 0x0008 at byte 20",
  },
  { name: "wrong FINGERPRINT", run: () => checkFingerprint(decodeStun(patched(ipv4, 79, [0x97]))), wireCode: 400, where: "attribute 0x8028 at byte 72" },
  { name: "FINGERPRINT missing", run: () => checkFingerprint(decodeStun(bytesOf("request_long_term"))), wireCode: 400, where: "attribute 0x8028 (absent)" },
  { name: "XOR-MAPPED-ADDRESS family 0x03", run: () => getXorMappedAddress(decodeStun(patched(ipv4, 41, [0x03]))), wireCode: 400, where: "attribute 0x0020 at byte 36" },
  {
    name: "XOR-MAPPED-ADDRESS IPv6 family in 8 bytes",
    run: () => getXorMappedAddress(decodeStun(patched(ipv4, 41, [0x02]))),
    wireCode: 400,
    where: "attribute 0x0020 at byte 36",
  },
  { name: "SOFTWARE not UTF-8", run: () => getSoftware(decodeStun(build(RawAttribute(0x8022, Buffer.from([0xc3, 0x28]))))), wireCode: 400, where: "attribute 0x8022 at byte 20" },
  {
    name: "ERROR-CODE class 7",
    run: () => getErrorCode(decodeStun(build(RawAttribute(0x0009, Buffer.from([0, 0, 7, 0]))))),
    wireCode: 400,
    where: "attribute 0x0009 at byte 20",
  },
  {
    name: "ERROR-CODE number 120",
    run: () => getErrorCode(decodeStun(build(RawAttribute(0x0009, Buffer.from([0, 0, 4, 120]))))),
    wireCode: 400,
    where: "attribute 0x0009 at byte 20",
  },
  { name: "LIFETIME of 2 bytes", run: () => getLifetime(decodeStun(build(RawAttribute(0x000d, Buffer.alloc(2))))), wireCode: 400, where: "attribute 0x000d at byte 20" },
  {
    name: "UNKNOWN-ATTRIBUTES of odd length",
    run: () => getUnknownAttributes(decodeStun(build(RawAttribute(0x000a, Buffer.alloc(3))))),
    wireCode: 400,
    where: "attribute 0x000a at byte 20",
  },
  {
    name: "USERNAME of 513 bytes",
    run: () => getUsername(decodeStun(build(RawAttribute(0x0006, Buffer.alloc(513, 0x61))))),
    wireCode: 400,
    where: "attribute 0x0006 at byte 20",
  },
];

describe("malformed STUN input", () => {
  it.each(cases)("$name -> WireDecodeError $wireCode at $where", ({ run, wireCode, where }) => {
    let caught: unknown;
    try {
      run();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WireDecodeError);
    const err = caught as WireDecodeError;
    expect(err.protocol).toBe("stun");
    expect(err.wireCode).toBe(wireCode);
    expect(err.where).toBe(where);
  });

  it("returns the unknown comprehension-required types (deduplicated, optional ones left out) for a 420", () => {
    const msg = decodeStun(
      build(
        RawAttribute(0x7777, Buffer.alloc(4)),
        RawAttribute(0x8777, Buffer.alloc(4)),
        RawAttribute(0x0030, Buffer.alloc(0)),
        RawAttribute(0x7777, Buffer.alloc(4)),
      ),
    );
    expect(unknownComprehensionRequired(msg)).toEqual([0x7777, 0x0030]);
    try {
      assertComprehended(msg);
      expect.unreachable("assertComprehended accepted unknown required attributes");
    } catch (e) {
      expect(e).toBeInstanceOf(StunUnknownAttributesError);
      expect((e as StunUnknownAttributesError).unknown).toEqual([0x7777, 0x0030]);
    }
  });

  it("ignores attributes after MESSAGE-INTEGRITY other than FINGERPRINT (RFC 5389 15.4)", () => {
    // Splice an unknown required attribute between MESSAGE-INTEGRITY and FINGERPRINT of a message we sign.
    const signed = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, TX).set(Software("a")).addIntegrity(goodKey).encode();
    const extra = Buffer.from("7777000401020304", "hex");
    const withExtra = Buffer.concat([signed, extra]);
    withExtra.writeUInt16BE(withExtra.length - 20, 2);
    const msg = decodeStun(withExtra);
    expect(msg.ignored.map((a) => a.type)).toEqual([0x7777]);
    expect(unknownComprehensionRequired(msg)).toEqual([]);
    expect(verifyIntegrity(msg, goodKey)).toBe(true);
    expect(verifyFingerprint(msg)).toBe(false);
  });

  it("error-code round-trip guard: a valid ERROR-CODE does not throw", () => {
    expect(getErrorCode(decodeStun(build(ErrorCode(438))))).toEqual({ code: 438, reason: "Stale Nonce" });
  });

  it("never throws anything but WireDecodeError on arbitrary bytes, truncations or mutations", () => {
    const getters = [
      getSoftware, getXorMappedAddress, getMappedAddress, getErrorCode, getLifetime, getUnknownAttributes, getRealm, getNonce, getUsername,
      getXorPeerAddresses, getXorRelayedAddress, getChannelNumber, getEvenPort, getRequestedTransport, getReservationToken, hasDontFragment,
      getAlternateServer, verifyFingerprint, unknownComprehensionRequired,
    ];
    const seeds = ["request_short_term", "response_ipv4", "response_ipv6", "request_long_term"].map(bytesOf);
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
      fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(255)).map(([s, i, v]) => patched(s, i % s.length, [v])),
      fc.tuple(fc.constantFrom(...seeds), fc.nat()).map(([s, n]) => s.subarray(0, n % (s.length + 1))),
    );
    fc.assert(
      fc.property(input, (buf) => {
        try {
          const msg = decodeStun(buf);
          for (const g of getters) {
            try {
              g(msg);
            } catch (e) {
              if (!(e instanceof WireDecodeError)) throw e;
            }
          }
          verifyIntegrity(msg, goodKey);
        } catch (e) {
          if (!(e instanceof WireDecodeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
