/** Proxy edits + serialiser round trips (RFC 3261 16.6, 16.7, 8.2.6) and the helpers. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WireDecodeError } from "../../../edge/wire/decode-error.ts";
import {
  addHeader, addRecordRoute, addVia, createResponse, decrementMaxForwards, generateBranch, generateTag,
  parseSipDatagram, removeTopVia, serializeSipMessage, setRequestUri, type SipRequest, type SipResponse,
} from "../../../edge/wire/sip/index.ts";
import { fixturePath } from "../../kit/fixtures.ts";

const dat = (n: string): Buffer => readFileSync(fixturePath("rfc4475", `${n}.dat`));
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, "\r\n"), "utf8");
const parseReq = (b: Buffer): SipRequest => parseSipDatagram(b) as SipRequest;

const INVITE = crlf(
  "INVITE sip:bob@fabrikam.example SIP/2.0\nv: SIP/2.0/TLS 127.77.1.1:5061;branch=z9hG4bKa1, SIP/2.0/TCP 127.77.1.9;branch=z9hG4bKa0\nMax-Forwards: 0070\nf: \"Alice\" <sip:alice@contoso.example>;tag=1\nt: <sip:bob@fabrikam.example>\ni: call-1@127.77.1.1\nCSeq: 2 INVITE\nX-Keep:   odd   spacing  \nContent-Length: 999\n\nhéllo",
);

describe("serialiser round trips after proxy edits", () => {
  it("every RFC 4475 message that parses re-serialises to its exact bytes when unchanged", () => {
    for (const n of ["wsinv", "intmeth", "esc01", "escnull", "esc02", "longreq", "semiuri", "transports", "mpart01", "unreason", "noreason", "bcast"]) {
      expect(serializeSipMessage(parseSipDatagram(dat(n))).equals(dat(n)), n).toBe(true);
    }
  });

  it("forwarding a request: Via on top, Max-Forwards-1, Record-Route, new Request-URI, ms-diagnostics, byte Content-Length", () => {
    const r = parseReq(Buffer.from(INVITE.toString("utf8").replace("Content-Length: 999", "Content-Length: 6")));
    addVia(r, { transport: "TLS", host: "edge.contoso.example", port: 5061, branch: "z9hG4bKedge1" });
    expect(decrementMaxForwards(r)).toBe(69);
    addRecordRoute(r, "sip:edge.contoso.example:5061;transport=tls");
    setRequestUri(r, "sip:bob@127.77.1.2:5061;transport=tls");
    addHeader(r, "ms-diagnostics", '1000;reason="test";source="edge"');
    r.body = Buffer.from("grüße ✓", "utf8");
    const out = serializeSipMessage(r);
    const again = parseReq(out);
    expect(again.uri).toBe("sip:bob@127.77.1.2:5061;transport=tls");
    expect(again.vias().map((v) => v.branch)).toEqual(["z9hG4bKedge1", "z9hG4bKa1", "z9hG4bKa0"]);
    expect(again.maxForwards()).toBe(69);
    expect(again.recordRoutes()[0]?.uriText).toBe("sip:edge.contoso.example:5061;transport=tls;lr");
    expect(again.headers.get("ms-diagnostics")).toBe('1000;reason="test";source="edge"');
    expect(again.contentLength()).toBe(Buffer.byteLength("grüße ✓"));
    expect(again.body.toString("utf8")).toBe("grüße ✓");
    // untouched fields keep their bytes (compact names, odd spacing)
    const text = out.toString("utf8");
    expect(text).toContain("\r\nX-Keep:   odd   spacing  \r\n");
    expect(text).toContain("\r\nf: \"Alice\" <sip:alice@contoso.example>;tag=1\r\n");
    const top = "INVITE sip:bob@127.77.1.2:5061;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS edge.contoso.example:5061;branch=z9hG4bKedge1\r\nv: SIP/2.0/TLS 127.77.1.1:5061;branch=z9hG4bKa1, S";
    expect(text.slice(0, top.length)).toBe(top);
  });

  it("a wrong Content-Length is rewritten in bytes; a missing one is added", () => {
    const r = parseSipDatagram(Buffer.from(INVITE.toString("utf8").replace("Content-Length: 999", "Content-Length: 6"))) as SipRequest;
    r.headers.set("Content-Length", "1");
    expect(parseReq(serializeSipMessage(r)).contentLength()).toBe(6);
    const noCl = parseReq(dat("inv2543"));
    const out = parseReq(serializeSipMessage(noCl));
    expect(out.contentLength()).toBe(105);
  });

  const viaCases: Array<[string, string, string[], string[]]> = [
    ["two values in one line", "Via: SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/UDP b.example;branch=z9hG4bK2\n", ["a.example", "b.example"], ["b.example"]],
    ["one value per line", "Via: SIP/2.0/UDP a.example;branch=z9hG4bK1\nv: SIP/2.0/UDP b.example;branch=z9hG4bK2\n", ["a.example", "b.example"], ["b.example"]],
    ["three values across two lines", "Via: SIP/2.0/UDP a.example;branch=z9hG4bK1,SIP/2.0/UDP b.example;branch=z9hG4bK2\nVia: SIP/2.0/UDP c.example;branch=z9hG4bK3\n", ["a.example", "b.example", "c.example"], ["b.example", "c.example"]],
  ];
  for (const [name, vias, before, after] of viaCases) {
    it(`removing the top Via of a response: ${name}`, () => {
      const res = parseSipDatagram(crlf(`SIP/2.0 200 OK\n${vias}From: <sip:a@x>;tag=1\nTo: <sip:b@x>;tag=2\nCall-ID: c1\nCSeq: 1 INVITE\nContent-Length: 0\n\n`)) as SipResponse;
      expect(res.vias().map((v) => v.host)).toEqual(before);
      expect(removeTopVia(res)?.host).toBe(before[0]);
      const again = parseSipDatagram(serializeSipMessage(res));
      expect(again.vias().map((v) => v.host)).toEqual(after);
    });
  }

  it("Max-Forwards: absent is added as 70; 0 refuses with 483", () => {
    const noMf = parseReq(dat("inv2543"));
    expect(decrementMaxForwards(noMf)).toBe(70);
    const zero = parseReq(dat("zeromf"));
    expect(() => decrementMaxForwards(zero)).toThrow(WireDecodeError);
  });
});

describe("createResponse (RFC 3261 8.2.6)", () => {
  const cases: Array<[string, number, boolean]> = [
    ["100 Trying adds no To tag", 100, false],
    ["486 adds a To tag", 486, true],
    ["200 adds a To tag", 200, true],
  ];
  for (const [name, status, tagged] of cases) {
    it(name, () => {
      const r = parseReq(Buffer.from(INVITE.toString("utf8").replace("Content-Length: 999", "Content-Length: 6")));
      const res = createResponse(r, status, undefined, [["ms-diagnostics", "1000"]], { toTag: "t9" });
      const again = parseSipDatagram(serializeSipMessage(res)) as SipResponse;
      expect(again.status).toBe(status);
      expect(again.vias().map((v) => v.branch)).toEqual(["z9hG4bKa1", "z9hG4bKa0"]);
      expect(again.callId()).toBe("call-1@127.77.1.1");
      expect(again.cseq()).toEqual({ seq: 2, method: "INVITE" });
      expect(again.from()?.params.get("tag")).toBe("1");
      expect(again.to()?.params.get("tag")).toBe(tagged ? "t9" : undefined);
      expect(again.headers.get("ms-diagnostics")).toBe("1000");
      expect(again.contentLength()).toBe(0);
    });
  }
  it("keeps an existing To tag", () => {
    const r = parseReq(dat("wsinv"));
    expect(createResponse(r, 200).to()?.params.get("tag")).toBe("1918181833n");
  });
  it("reason defaults to the RFC phrase", () => {
    expect(createResponse(parseReq(dat("zeromf")), 483).reason).toBe("Too Many Hops");
  });
});

describe("ids", () => {
  it("generateBranch starts with the magic cookie and is unique", () => {
    const set = new Set(Array.from({ length: 100 }, () => generateBranch()));
    expect(set.size).toBe(100);
    for (const b of set) expect(b).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
  });
  it("generateTag has at least 32 random bits and is unique", () => {
    const set = new Set(Array.from({ length: 100 }, () => generateTag()));
    expect(set.size).toBe(100);
    for (const t of set) expect(t).toMatch(/^[0-9a-f]{16}$/);
  });
});
