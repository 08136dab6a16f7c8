// ChannelData (RFC 5766 11.4) and STUN-over-TCP framing (RFC 5389 7.2.2, RFC 5766 11.5):
// encode/decode, demultiplexing, and a stream split at every byte offset.
import { describe, expect, it } from "vitest";
import { WireDecodeError } from "../../../edge/wire/decode-error.ts";
import {
  classifyPacket,
  decodeChannelData,
  decodeStun,
  encodeChannelData,
  getSoftware,
  StunTcpFramer,
  type TcpFrame,
} from "../../../edge/wire/stun/index.ts";
import { bytesOf } from "./vectors.ts";

describe("ChannelData", () => {
  it.each([
    { name: "UDP, 5 bytes, no padding", transport: "udp" as const, channel: 0x4000, data: "hello", size: 9 },
    { name: "TCP, 5 bytes, padded to 12", transport: "tcp" as const, channel: 0x7fff, data: "hello", size: 12 },
    { name: "TCP, empty", transport: "tcp" as const, channel: 0x4abc, data: "", size: 4 },
    { name: "TCP, 8 bytes, no padding needed", transport: "tcp" as const, channel: 0x4001, data: "12345678", size: 12 },
  ])("$name", ({ transport, channel, data, size }) => {
    const wire = encodeChannelData(channel, Buffer.from(data), transport);
    expect(wire.length).toBe(size);
    expect(classifyPacket(wire)).toBe("channel-data");
    const back = decodeChannelData(wire, transport);
    expect(back.channel).toBe(channel);
    expect(back.data.toString()).toBe(data);
  });

  it("accepts padding on UDP (RFC 5766 11.5: MAY pad)", () => {
    const padded = encodeChannelData(0x4000, Buffer.from("abc"), "tcp");
    expect(decodeChannelData(padded, "udp").data.toString()).toBe("abc");
  });

  it.each([
    { name: "truncated header", buf: Buffer.from([0x40, 0x00]), transport: "udp" as const, where: "channel-data byte 2" },
    { name: "channel 0x3fff", buf: Buffer.from([0x3f, 0xff, 0, 0]), transport: "udp" as const, where: "channel-data byte 0" },
    { name: "channel 0x8000", buf: Buffer.from([0x80, 0x00, 0, 0]), transport: "udp" as const, where: "channel-data byte 0" },
    { name: "length past the buffer", buf: Buffer.from([0x40, 0x00, 0, 9, 1, 2]), transport: "udp" as const, where: "channel-data byte 2" },
    { name: "TCP without padding", buf: Buffer.from([0x40, 0x00, 0, 1, 1]), transport: "tcp" as const, where: "channel-data byte 5" },
    { name: "UDP with 4 trailing bytes", buf: Buffer.from([0x40, 0x00, 0, 1, 1, 0, 0, 0, 0]), transport: "udp" as const, where: "channel-data byte 5" },
  ])("refuses $name", ({ buf, transport, where }) => {
    let caught: unknown;
    try {
      decodeChannelData(buf, transport);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WireDecodeError);
    expect((caught as WireDecodeError).where).toBe(where);
    expect((caught as WireDecodeError).wireCode).toBeUndefined();
  });
});

describe("demultiplexing", () => {
  it.each([
    { name: "RFC 5769 2.1 request", buf: bytesOf("request_short_term"), kind: "stun" },
    { name: "RFC 5769 2.4 request", buf: bytesOf("request_long_term"), kind: "stun" },
    { name: "RTP (version 2)", buf: Buffer.from("80e0000100000000000000000000000000000000", "hex"), kind: "other" },
    { name: "DTLS handshake", buf: Buffer.from("16fefd0000000000000000", "hex"), kind: "other" },
    { name: "STUN header without cookie", buf: Buffer.alloc(20), kind: "other" },
    { name: "ChannelData", buf: Buffer.from([0x40, 0x01, 0x00, 0x00]), kind: "channel-data" },
  ])("$name -> $kind", ({ buf, kind }) => {
    expect(classifyPacket(buf)).toBe(kind);
  });
});

describe("STUN over TCP framer", () => {
  const stream = Buffer.concat([
    bytesOf("request_short_term"),
    encodeChannelData(0x4001, Buffer.from("odd"), "tcp"),
    bytesOf("response_ipv4"),
    encodeChannelData(0x7fff, Buffer.alloc(0), "tcp"),
    bytesOf("request_long_term"),
    encodeChannelData(0x4002, Buffer.alloc(100, 0xab), "tcp"),
  ]);
  const summary = (frames: TcpFrame[]) =>
    frames.map((f) => (f.kind === "stun" ? `stun:${f.bytes.toString("hex")}` : `cd:${f.channel}:${f.data.toString("hex")}`));
  const expected = [
    `stun:${bytesOf("request_short_term").toString("hex")}`,
    `cd:${0x4001}:${Buffer.from("odd").toString("hex")}`,
    `stun:${bytesOf("response_ipv4").toString("hex")}`,
    `cd:${0x7fff}:`,
    `stun:${bytesOf("request_long_term").toString("hex")}`,
    `cd:${0x4002}:${"ab".repeat(100)}`,
  ];

  it("cuts the whole stream in one push", () => {
    const framer = new StunTcpFramer();
    expect(summary(framer.push(stream))).toEqual(expected);
    expect(framer.pending).toBe(0);
  });

  it("gives the same frames when the stream is split at every byte offset", () => {
    const wrong: number[] = [];
    for (let cut = 0; cut <= stream.length; cut++) {
      const framer = new StunTcpFramer();
      const frames = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))];
      if (JSON.stringify(summary(frames)) !== JSON.stringify(expected) || framer.pending !== 0) wrong.push(cut);
    }
    expect(wrong).toEqual([]);
  });

  it("gives the same frames fed one byte at a time, and each STUN frame decodes", () => {
    const framer = new StunTcpFramer();
    const frames: TcpFrame[] = [];
    for (const byte of stream) frames.push(...framer.push(Buffer.from([byte])));
    expect(summary(frames)).toEqual(expected);
    const stun = frames.filter((f) => f.kind === "stun").map((f) => decodeStun(f.bytes));
    expect(getSoftware(stun[1]!)).toBe("test vector");
  });

  it("frames do not alias the framer's buffer", () => {
    const framer = new StunTcpFramer();
    const [first] = framer.push(Buffer.concat([bytesOf("response_ipv4"), Buffer.from([0x00])]));
    framer.push(bytesOf("response_ipv4").subarray(1));
    expect(first?.bytes.equals(bytesOf("response_ipv4"))).toBe(true);
  });

  it.each([
    { name: "frame over the size limit", max: 64, input: bytesOf("response_ipv4"), where: "stream byte 0", reason: /exceeds the 64-byte limit/ },
    { name: "first bits 10", max: undefined, input: Buffer.from([0x80, 0, 0, 0]), where: "stream byte 0", reason: /neither STUN/ },
    { name: "STUN length not a multiple of 4", max: undefined, input: Buffer.from([0x00, 0x01, 0x00, 0x05]), where: "stream byte 2", reason: /multiple of 4/ },
    {
      name: "bad frame after a good one",
      max: undefined,
      input: Buffer.concat([bytesOf("response_ipv4"), Buffer.from([0xc0, 0, 0, 0])]),
      where: "stream byte 80",
      reason: /neither STUN/,
    },
  ])("refuses $name and stays failed", ({ max, input, where, reason }) => {
    const framer = new StunTcpFramer(max === undefined ? {} : { maxFrameSize: max });
    let caught: unknown;
    try {
      framer.push(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WireDecodeError);
    expect((caught as WireDecodeError).where).toBe(where);
    expect((caught as WireDecodeError).reason).toMatch(reason);
    expect((caught as WireDecodeError).wireCode).toBeUndefined();
    expect(framer.failed).toBe(caught);
    expect(() => framer.push(bytesOf("response_ipv4"))).toThrow(caught as Error);
  });
});
