/** SipStreamFramer (RFC 3261 18.3 stream framing, 7.5 leading CRLF, RFC 5626 3.5.1 keep-alives). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SipStreamFramer, serializeSipMessage, type SipFrameEvent, type SipMessage } from "../../../edge/wire/sip/index.ts";
import { fixturePath } from "../../kit/fixtures.ts";

const DIR = fixturePath("rfc4475");
const dat = (n: string): Buffer => readFileSync(`${DIR}/${n}.dat`);
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, "\r\n"), "utf8");

function request(method: string, callId: string, body = ""): Buffer {
  const b = Buffer.from(body, "utf8");
  return Buffer.concat([
    crlf(`${method} sip:bob@127.77.0.2 SIP/2.0\nVia: SIP/2.0/TCP 127.77.0.1:5061;branch=z9hG4bK${callId}\nMax-Forwards: 70\nFrom: <sip:alice@example.com>;tag=1\nTo: <sip:bob@example.com>\nCall-ID: ${callId}\nCSeq: 1 ${method}\nContent-Length: ${b.length}\n\n`),
    b,
  ]);
}

const summary = (evs: SipFrameEvent[]): string[] =>
  evs.map((e) => (e.type === "message" ? `message ${(e.message as SipMessage).callId()} ${e.message.body.length}` : e.type === "malformed" || e.type === "fatal" ? `${e.type} ${e.error.wireCode}` : e.type));

describe("SipStreamFramer", () => {
  const pairs: Array<[string, Buffer, Buffer]> = [
    ["two bodyless requests", request("OPTIONS", "a1"), request("OPTIONS", "b2")],
    ["request with UTF-8 body, then bodyless", request("MESSAGE", "u1", "héllo ✓ wörld"), request("OPTIONS", "u2")],
    ["esc01 (150-byte body) then wsinv", dat("esc01"), dat("wsinv")],
  ];
  for (const [name, first, second] of pairs) {
    it(`every chunk split point of a two-message stream yields the same two messages: ${name}`, () => {
      const stream = Buffer.concat([first, second]);
      const whole = summary(new SipStreamFramer().push(stream));
      expect(whole).toHaveLength(2);
      expect(whole.every((s) => s.startsWith("message"))).toBe(true);
      for (let cut = 1; cut < stream.length; cut++) {
        const f = new SipStreamFramer();
        const evs = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
        expect(summary(evs), `cut at ${cut}`).toEqual(whole);
        expect(f.buffered).toBe(0);
      }
    });
  }

  it("byte-by-byte feeding of a UTF-8 body frames by bytes, not characters", () => {
    const body = "Grüße aus Köln — ✓ 😀";
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length);
    const msg = request("MESSAGE", "utf8", body);
    const f = new SipStreamFramer();
    const evs: SipFrameEvent[] = [];
    for (const byte of msg) evs.push(...f.push(Buffer.from([byte])));
    expect(evs).toHaveLength(1);
    const ev = evs[0];
    if (ev?.type !== "message") throw new TypeError("expected a message");
    expect(ev.message.body.toString("utf8")).toBe(body);
    expect(ev.message.contentLength()).toBe(Buffer.byteLength(body));
  });

  it("a malformed-but-framed message (bad CSeq) is reported and the next message still comes out", () => {
    const bad = Buffer.from(request("OPTIONS", "bad1").toString("utf8").replace("CSeq: 1 OPTIONS", "CSeq: x OPTIONS"));
    const evs = new SipStreamFramer().push(Buffer.concat([bad, request("OPTIONS", "good2")]));
    expect(summary(evs)).toEqual(["malformed 400", "message good2 0"]);
    const m = evs[0];
    if (m?.type !== "malformed") throw new TypeError("expected malformed");
    expect(m.error.where).toBe("header 'CSeq' (line 7)");
    expect(m.head?.fields.find((f) => f.key === "call-id")?.value).toBe("bad1");
  });

  it("a malformed-but-framed message with a body (bad Via) does not eat the next message", () => {
    const bad = Buffer.from(request("MESSAGE", "bv", "body!").toString("utf8").replace("SIP/2.0/TCP 127.77.0.1:5061", "SIP/2.0/TCP ;;"));
    const evs = new SipStreamFramer().push(Buffer.concat([bad, request("OPTIONS", "next")]));
    expect(summary(evs)).toEqual(["malformed 400", "message next 0"]);
  });

  const fatal: Array<[string, Buffer, Partial<{ maxHeaderBytes: number; maxBodyBytes: number; maxHeaders: number }>, number]> = [
    ["unparsable Content-Length (ncl, -999)", dat("ncl"), {}, 400],
    ["two Content-Length values (mcl01)", dat("mcl01"), {}, 400],
    ["oversize header section without end", Buffer.concat([crlf("OPTIONS sip:a@b SIP/2.0\nX-Pad: "), Buffer.alloc(20_000, 0x61)]), {}, 513],
    ["oversize complete header section", request("OPTIONS", "big"), { maxHeaderBytes: 100 }, 513],
    ["Content-Length above maxBodyBytes", request("MESSAGE", "bb", "x".repeat(50)), { maxBodyBytes: 10 }, 513],
  ];
  for (const [name, bytes, limits, code] of fatal) {
    it(`fatal framing error: ${name} -> ${code}, then the framer ignores input`, () => {
      const f = new SipStreamFramer(limits);
      const evs = f.push(bytes);
      expect(summary(evs)).toEqual([`fatal ${code}`]);
      expect(f.closed).toBe(true);
      expect(f.push(request("OPTIONS", "after"))).toEqual([]);
    });
  }

  it("too many header fields is a per-message error (framing intact)", () => {
    const many = Buffer.from(request("OPTIONS", "many").toString("utf8").replace("Max-Forwards", "X-A: 1\r\nX-B: 2\r\nMax-Forwards"));
    const evs = new SipStreamFramer({ maxHeaders: 7 }).push(Buffer.concat([many, request("OPTIONS", "ok")]));
    expect(summary(evs)).toEqual(["malformed 513", "message ok 0"]);
  });

  it("a message without Content-Length on a stream is an error for that message", () => {
    const noCl = Buffer.from(request("OPTIONS", "nocl").toString("utf8").replace("Content-Length: 0\r\n", ""));
    expect(summary(new SipStreamFramer().push(Buffer.concat([noCl, request("OPTIONS", "ok")])))).toEqual(["malformed 400", "message ok 0"]);
  });

  const keepalives: Array<[string, string[], string[]]> = [
    ["double-CRLF ping", ["\r\n\r\n"], ["keepalive"]],
    ["ping split over chunks", ["\r\n", "\r", "\n"], ["keepalive"]],
    ["two pings then a message", ["\r\n\r\n\r\n\r\n", "MSG"], ["keepalive", "keepalive", "message k1 0"]],
    ["single CRLF (pong / 7.5 leading CRLF) before a message", ["\r\n", "MSG"], ["pong", "message k1 0"]],
    ["ping between two messages", ["MSG", "\r\n\r\n", "MSG"], ["message k1 0", "keepalive", "message k1 0"]],
  ];
  for (const [name, chunks, want] of keepalives) {
    it(`keep-alive: ${name}`, () => {
      const f = new SipStreamFramer();
      const evs = chunks.flatMap((c) => f.push(c === "MSG" ? request("OPTIONS", "k1") : Buffer.from(c, "latin1")));
      expect(summary(evs)).toEqual(want);
    });
  }

  it("a framed message re-serialises to the same bytes", () => {
    for (const n of ["wsinv", "esc01", "longreq", "mpart01", "unreason"]) {
      const evs = new SipStreamFramer().push(dat(n));
      const ev = evs[0];
      if (ev?.type !== "message") throw new TypeError(`${n} did not frame`);
      expect(serializeSipMessage(ev.message).equals(dat(n)), n).toBe(true);
    }
  });
});
