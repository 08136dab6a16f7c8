// RFC 5769 test vectors: decode, MESSAGE-INTEGRITY (short- and long-term), FINGERPRINT,
// XOR-MAPPED-ADDRESS, and tamper detection at every byte.
import { describe, expect, it } from "vitest";
import { WireDecodeError } from "../../../edge/wire/decode-error.ts";
import {
  decodeStun,
  formatTransportAddress,
  getNonce,
  getRealm,
  getSoftware,
  getUsername,
  getXorMappedAddress,
  longTermKey,
  saslprep,
  shortTermKey,
  StunClass,
  StunMethod,
  unknownComprehensionRequired,
  verifyFingerprint,
  verifyIntegrity,
  type StunMessage,
} from "../../../edge/wire/stun/index.ts";
import { bytesOf, RFC5769_LONG_TERM_RAW_PASSWORD, vector } from "./vectors.ts";

interface Case {
  name: string;
  vector: string;
  cls: number;
  key: () => Buffer;
  fingerprint: boolean;
}

const ltv = vector("request_long_term");
const cases: Case[] = [
  { name: "2.1 request, short-term", vector: "request_short_term", cls: StunClass.Request, key: () => shortTermKey(vector("request_short_term").password), fingerprint: true },
  { name: "2.2 IPv4 response, short-term", vector: "response_ipv4", cls: StunClass.SuccessResponse, key: () => shortTermKey(vector("response_ipv4").password), fingerprint: true },
  { name: "2.3 IPv6 response, short-term", vector: "response_ipv6", cls: StunClass.SuccessResponse, key: () => shortTermKey(vector("response_ipv6").password), fingerprint: true },
  {
    name: "2.4 request, long-term (SASLprep'd password)",
    vector: "request_long_term",
    cls: StunClass.Request,
    key: () => longTermKey(ltv.username ?? "", ltv.realm ?? "", RFC5769_LONG_TERM_RAW_PASSWORD),
    fingerprint: false,
  },
];

function tryDecode(buf: Buffer): StunMessage | WireDecodeError {
  try {
    return decodeStun(buf);
  } catch (e) {
    if (e instanceof WireDecodeError) return e;
    throw e;
  }
}

describe("RFC 5769 vectors", () => {
  describe.each(cases)("$name", (c) => {
    const raw = bytesOf(c.vector);

    it("decodes as an RFC 5389 Binding message with no unknown required attributes", () => {
      const msg = decodeStun(raw);
      expect(msg.method).toBe(StunMethod.Binding);
      expect(msg.cls).toBe(c.cls);
      expect(msg.dialect).toBe("rfc5389");
      expect(msg.length).toBe(raw.length - 20);
      expect(unknownComprehensionRequired(msg)).toEqual([]);
    });

    it("verifies MESSAGE-INTEGRITY with the given password and refuses another", () => {
      const msg = decodeStun(raw);
      expect(verifyIntegrity(msg, c.key())).toBe(true);
      expect(verifyIntegrity(msg, shortTermKey("not the password"))).toBe(false);
    });

    it(c.fingerprint ? "verifies FINGERPRINT" : "has no FINGERPRINT to verify", () => {
      expect(verifyFingerprint(decodeStun(raw))).toBe(c.fingerprint);
    });

    it("detects a flip of any single byte (decode error, integrity or fingerprint)", () => {
      const key = c.key();
      const undetected: number[] = [];
      for (let i = 0; i < raw.length; i++) {
        for (const mask of [0x01, 0x80]) {
          const bad = Buffer.from(raw);
          bad[i] = bad[i]! ^ mask;
          const r = tryDecode(bad);
          if (r instanceof WireDecodeError) continue;
          const integrityOk = verifyIntegrity(r, key);
          const fingerprintOk = !c.fingerprint || verifyFingerprint(r);
          if (integrityOk && fingerprintOk) undetected.push(i);
        }
      }
      expect(undetected).toEqual([]);
    });
  });

  it("2.1 carries SOFTWARE and USERNAME, read through the 0x20 padding", () => {
    const msg = decodeStun(bytesOf("request_short_term"));
    expect(getSoftware(msg)).toBe(vector("request_short_term").software);
    expect(getUsername(msg)).toBe("evtj:h6vY");
  });

  it.each([
    ["2.2", "response_ipv4"],
    ["2.3", "response_ipv6"],
  ])("%s XOR-MAPPED-ADDRESS and SOFTWARE read as published", (_section, name) => {
    const msg = decodeStun(bytesOf(name));
    const addr = getXorMappedAddress(msg);
    expect(addr && formatTransportAddress(addr)).toBe(vector(name).xor_mapped_address);
    expect(getSoftware(msg)).toBe(vector(name).software);
  });

  it("2.2/2.3 decode to 192.0.2.1:32853 and 2001:db8:1234:5678:11:2233:4455:6677 port 32853", () => {
    expect(getXorMappedAddress(decodeStun(bytesOf("response_ipv4")))).toEqual({ family: "IPv4", address: "192.0.2.1", port: 32853 });
    expect(getXorMappedAddress(decodeStun(bytesOf("response_ipv6")))).toEqual({
      family: "IPv6",
      address: "2001:db8:1234:5678:11:2233:4455:6677",
      port: 32853,
    });
  });

  it("2.4 carries the non-ASCII USERNAME, REALM and NONCE; SASLprep maps the password", () => {
    const msg = decodeStun(bytesOf("request_long_term"));
    expect(getUsername(msg)).toBe(ltv.username);
    expect(Buffer.from(getUsername(msg) ?? "", "utf8").toString("hex")).toBe("e3839ee38388e383aae38383e382afe382b9");
    expect(getRealm(msg)).toBe(ltv.realm);
    expect(getNonce(msg)).toBe(ltv.nonce);
    expect(saslprep(RFC5769_LONG_TERM_RAW_PASSWORD)).toBe(ltv.password);
    expect(verifyIntegrity(msg, longTermKey(ltv.username ?? "", ltv.realm ?? "", ltv.password))).toBe(true);
  });
});
