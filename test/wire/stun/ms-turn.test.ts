// [MS-TURN] dialect: a message marked by the MAGIC-COOKIE attribute (0x000F) decodes
// without 420 for the MS attribute numbers, Realm/Nonce follow the MS numbering, and
// XOR Mapped Address uses 0x8020 XORed with the 128-bit transaction ID.
import { describe, expect, it } from "vitest";
import {
  classifyPacket,
  decodeStun,
  getMsTurnMagicCookie,
  getMsVersion,
  getNonce,
  getRealm,
  getXorMappedAddress,
  isMsTurn,
  isStun,
  MS_TURN_MAGIC_COOKIE,
  MsTurnAttrType,
  MsTurnMagicCookie,
  MsVersion,
  Nonce,
  RawAttribute,
  Realm,
  StunClass,
  StunMessageBuilder,
  StunMethod,
  unknownComprehensionRequired,
  XorMappedAddress,
} from "../../../edge/wire/stun/index.ts";

const TX16 = Buffer.from("00112233445566778899aabbccddeeff", "hex");
const addr = { family: "IPv4" as const, address: "192.0.2.1", port: 32853 };

function msAllocate(): Buffer {
  return new StunMessageBuilder(StunMethod.Allocate, StunClass.Request, TX16)
    .set(MsTurnMagicCookie())
    .set(MsVersion(2))
    .set(Realm("lync.example.com"))
    .set(Nonce("abc123"))
    .set(RawAttribute(MsTurnAttrType.Bandwidth, Buffer.from([0, 0, 0, 200])))
    .set(RawAttribute(MsTurnAttrType.DestinationAddress, Buffer.from("0001d43101020304", "hex")))
    .set(RawAttribute(MsTurnAttrType.MsSequenceNumber, Buffer.alloc(24)))
    .set(XorMappedAddress(addr))
    .encode();
}

describe("MS-TURN dialect", () => {
  it("is recognised by its MAGIC-COOKIE attribute, not by the RFC 5389 header cookie", () => {
    const wire = msAllocate();
    expect(isMsTurn(wire)).toBe(true);
    expect(isStun(wire)).toBe(false);
    expect(classifyPacket(wire)).toBe("ms-turn");
    const msg = decodeStun(wire);
    expect(msg.dialect).toBe("ms-turn");
    expect(msg.xorKey.equals(TX16)).toBe(true);
    expect(getMsTurnMagicCookie(msg)).toBe(MS_TURN_MAGIC_COOKIE);
    expect(getMsVersion(msg)).toBe(2);
  });

  it("raises no 420 for the MS-TURN mandatory types when marked MS-TURN", () => {
    expect(unknownComprehensionRequired(decodeStun(msAllocate()))).toEqual([]);
  });

  it("reads Realm at 0x0015 and Nonce at 0x0014 ([MS-TURN] 2.2.2.13-14)", () => {
    const msg = decodeStun(msAllocate());
    expect(msg.attributes.find((a) => a.type === 0x0015)?.value.toString()).toBe("lync.example.com");
    expect(getRealm(msg)).toBe("lync.example.com");
    expect(getNonce(msg)).toBe("abc123");
  });

  it("reads XOR Mapped Address at 0x8020 XORed with the 128-bit transaction ID", () => {
    const msg = decodeStun(msAllocate());
    const view = msg.attributes.find((a) => a.type === 0x8020);
    expect(view?.value.readUInt16BE(2)).toBe(addr.port ^ 0x0011);
    expect(getXorMappedAddress(msg)).toEqual(addr);
  });

  it("forced rfc5389 refuses the missing header cookie at header byte 4", () => {
    expect(() => decodeStun(msAllocate(), { dialect: "rfc5389" })).toThrowError(expect.objectContaining({ where: "header byte 4", wireCode: 400 }));
  });

  it("the same MS attributes in an RFC 5389 message are unknown comprehension-required (420)", () => {
    const wire = new StunMessageBuilder(StunMethod.Allocate, StunClass.Request, Buffer.alloc(12, 7))
      .set(MsVersion(2))
      .set(RawAttribute(MsTurnAttrType.Bandwidth, Buffer.alloc(4)))
      .set(RawAttribute(MsTurnAttrType.MagicCookie, Buffer.from([0x72, 0xc6, 0x4b, 0xc6])))
      .encode();
    const msg = decodeStun(wire);
    expect(msg.dialect).toBe("rfc5389");
    expect(unknownComprehensionRequired(msg)).toEqual([MsTurnAttrType.Bandwidth, MsTurnAttrType.MagicCookie]);
  });

  it("an MS-TURN message still gets 420 for RFC 5766-only types ([MS-TURN] 2.2.2)", () => {
    const wire = new StunMessageBuilder(StunMethod.Allocate, StunClass.Request, TX16)
      .set(MsTurnMagicCookie())
      .set(RawAttribute(0x0019, Buffer.from([17, 0, 0, 0])))
      .encode();
    expect(unknownComprehensionRequired(decodeStun(wire))).toEqual([0x0019]);
  });
});
