/** ICE priorities and pairs (RFC 8445), SDP with candidates (RFC 8839), RTP counting: no world. */
import { describe, expect, it } from "vitest";
import { buildSdp, candidatePriority, encodeRtp, formPairs, makeCandidate, MediaCounter, pairPriority, parseSdp, SdpError } from "../../harness/clients/av-call/index.ts";

describe("RFC 8445 priorities", () => {
  it.each([
    { name: "host", type: "host" as const, want: 126 * 2 ** 24 + 65535 * 256 + 255 },
    { name: "srflx", type: "srflx" as const, want: 100 * 2 ** 24 + 65535 * 256 + 255 },
    { name: "relay", type: "relay" as const, want: 65535 * 256 + 255 },
  ])("RFC 8445 5.1.2.1: a $name candidate's priority", ({ type, want }) => {
    expect(candidatePriority(type)).toBe(want);
  });

  it("RFC 8445 6.1.2.3: pair priority 2^32*MIN + 2*MAX + (G>D), the same pair ranked alike by both agents", () => {
    expect(pairPriority(10, 3)).toBe((1n << 32n) * 3n + 20n + 1n);
    expect(pairPriority(3, 10)).toBe((1n << 32n) * 3n + 20n);
  });

  it("RFC 8445 6.1.2.4: pairs sorted by priority; a local srflx forms no pairs (replaced by its base)", () => {
    const a = { address: "127.0.0.1", port: 1000 };
    const local = [makeCandidate("host", a), makeCandidate("srflx", a, a), makeCandidate("relay", { address: "127.0.0.2", port: 50000 }, a)];
    const remote = [makeCandidate("host", { address: "127.0.0.3", port: 2 }), makeCandidate("relay", { address: "127.0.0.4", port: 50001 })];
    const pairs = formPairs(local, remote, true);
    expect(pairs.map((p) => `${p.local.type}->${p.remote.type}`)).toEqual(["host->host", "host->relay", "relay->host", "relay->relay"]);
  });
});

describe("RFC 8839 SDP with candidates", () => {
  const cands = [makeCandidate("host", { address: "127.1.1.1", port: 4000 }), makeCandidate("relay", { address: "127.2.1.12", port: 50010 }, { address: "127.1.1.1", port: 4000 })];

  it("RFC 8839 5.1: candidates, ufrag and pwd survive a round trip; c=/m= carry the default (relay) candidate", () => {
    const sdp = buildSdp({ user: "alice", defaultAddress: "127.2.1.12", defaultPort: 50010, ufrag: "abc", pwd: "0123456789abcdefghijkl", candidates: cands });
    expect(sdp).toContain("a=candidate:3 1 UDP 16777215 127.2.1.12 50010 typ relay raddr 127.1.1.1 rport 4000\r\n");
    const back = parseSdp(sdp);
    expect(back).toMatchObject({ defaultAddress: "127.2.1.12", defaultPort: 50010, ufrag: "abc", pwd: "0123456789abcdefghijkl" });
    expect(back.candidates).toEqual(cands);
  });

  it.each([
    { name: "a candidate line with a bad type", text: "v=0\r\nm=audio 1 RTP/AVP 0\r\na=ice-ufrag:a\r\na=ice-pwd:b\r\na=candidate:1 1 UDP 1 127.0.0.1 5 typ bogus\r\n", where: "line 5" },
    { name: "no ICE credentials", text: "v=0\r\nm=audio 1 RTP/AVP 0\r\n", where: "ice-ufrag" },
    { name: "a line that is not type=value", text: "v=0\r\nhello\r\n", where: "line 2" },
  ])("RFC 4566 5: $name is an SdpError that says where", ({ text, where }) => {
    expect(() => parseSdp(text)).toThrow(SdpError);
    expect(() => parseSdp(text)).toThrow(where);
  });
});

describe("RFC 3550 RTP-like media", () => {
  it("RFC 3550 5.1: sequence numbers counted, missing and duplicate packets reported", () => {
    const c = new MediaCounter();
    for (const seq of [0, 1, 1, 3]) c.record(encodeRtp(seq, 7), "127.0.0.1:1 (direct)");
    expect(c.received).toBe(3);
    expect(c.duplicates).toBe(1);
    expect(c.missing(5)).toEqual([2, 4]);
  });
});
