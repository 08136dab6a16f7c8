/**
 * RFC 4475 SIP torture messages (test/fixtures/rfc4475): every valid message parses
 * and reads the fields its section names; every malformed one is refused with a SIP
 * WireDecodeError (400 for requests, 505 for badvers, no code for responses: discard);
 * the application/transaction/compat ones behave as index.json and the RFC text say.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WireDecodeError } from "../../../edge/wire/decode-error.ts";
import {
  checkResponseForForwarding,
  isRfc3261Branch,
  parseSipDatagram,
  SipStreamFramer,
  validateProxyRequest,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type SipUri,
} from "../../../edge/wire/sip/index.ts";
import { fixturePath } from "../../kit/fixtures.ts";

const DIR = fixturePath("rfc4475");
interface IndexEntry { section: string; class: "valid" | "malformed" | "transaction" | "application" | "compat"; expect?: number; note?: string }
const INDEX = JSON.parse(readFileSync(`${DIR}/index.json`, "utf8")) as { messages: Record<string, IndexEntry> };
const dat = (name: string): Buffer => readFileSync(`${DIR}/${name}.dat`);
const req = (name: string): SipRequest => {
  const m = parseSipDatagram(dat(name));
  if (m.kind !== "request") throw new TypeError(`${name} is not a request`);
  return m;
};
const res = (name: string): SipResponse => {
  const m = parseSipDatagram(dat(name));
  if (m.kind !== "response") throw new TypeError(`${name} is not a response`);
  return m;
};
const sipUri = (u: unknown): SipUri => {
  const x = u as SipUri;
  if (x?.kind !== "sip") throw new TypeError("not a sip URI");
  return x;
};
/** What an element answers: the decode error's code, else the proxy validation verdict. */
function proxyAnswer(name: string): number | "forward" | "answer-locally" | "discard" {
  let msg: SipMessage;
  try {
    msg = parseSipDatagram(dat(name));
  } catch (err) {
    if (!(err instanceof WireDecodeError)) throw err;
    return typeof err.wireCode === "number" ? err.wireCode : "discard";
  }
  if (msg.kind === "response") return "forward";
  const v = validateProxyRequest(msg);
  return v.action === "reject" ? v.status : v.action;
}

describe("RFC 4475 corpus", () => {
  it("index lists 49 messages and every file exists", () => {
    const names = Object.keys(INDEX.messages);
    expect(names).toHaveLength(49);
    for (const n of names) expect(dat(n).length).toBeGreaterThan(0);
  });
});

describe("3.1.1 valid messages parse and read right", () => {
  const cases: Array<[string, (m: SipMessage) => void]> = [
    ["3.1.1.1 wsinv: folded headers, odd whitespace, compact forms, multi-Via line", (m) => {
      const r = m as SipRequest;
      expect(r.method).toBe("INVITE");
      expect(sipUri(r.requestUri()).params.has("unknownparam")).toBe(true);
      expect(r.to()?.params.get("tag")).toBe("1918181833n");
      expect(r.from()?.displayName).toBe('J Rosenberg \\"');
      expect(r.from()?.params.get("tag")).toBe("98asjd8");
      expect(r.maxForwards()).toBe(68);
      expect(r.callId()).toBe("wsinv.ndaksdj@192.0.2.1");
      expect(r.cseq()).toEqual({ seq: 9, method: "INVITE" });
      expect(r.vias().map((v) => [v.transport, v.host, v.branch])).toEqual([
        ["UDP", "192.0.2.2", "390skdjuw"],
        ["TCP", "spindle.example.com", "z9hG4bK9ikj8"],
        ["UDP", "192.168.255.111", "z9hG4bK30239"],
      ]);
      expect(r.headers.get("Subject")).toBe("");
      expect(r.headers.get("NewFangledHeader")).toBe("newfangled value continued newfangled value");
      expect(r.headers.values("UnknownHeaderWithUnusualValue")).toEqual([";;,,;;,;"]);
      expect(sipUri(r.routes()[0]?.uri).params.get("unknownwith")).toBe("value");
      const c = r.contacts()[0];
      expect(c?.displayName).toBe('Quoted string ""');
      expect([...(c?.params ?? [])]).toEqual([["newparam", "newvalue"], ["secondparam", null], ["q", "0.33"]]);
      expect(r.body.length).toBe(150);
    }],
    ["3.1.1.2 intmeth: unknown method token, unusual URI, escaped controls in quoted string", (m) => {
      const r = m as SipRequest;
      expect(r.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
      const u = sipUri(r.requestUri());
      expect(u.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      expect(u.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      expect(u.host).toBe("example.com");
      expect(r.topVia()?.branch).toBe("z9hG4bK-.!%66*_+`'~");
      expect(r.to()?.displayName).toBe("BEL:\x07 NUL:\x00 DEL:\x7f");
      expect(r.from()?.displayName).toBe("token1~` token2'+_ token3*%!.-");
      expect(r.from()?.params.get("fromparam''~+*_!.-%")).toBe("работающий");
      expect(r.from()?.params.get("tag")).toBe("_token~1'+`*%!-.");
      expect(r.callId()).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
      expect(r.cseq()).toEqual({ seq: 139122385, method: r.method });
      expect(r.maxForwards()).toBe(255);
      expect(r.headers.get("extensionHeader-!.%*+_`'~")).toBe("\uFEFF大停電");
    }],
    ["3.1.1.3 esc01: escaped user parts and URI parameters", (m) => {
      const r = m as SipRequest;
      const u = sipUri(r.requestUri());
      expect([u.user, u.host]).toEqual(["sips:user@example.com", "example.net"]);
      expect(sipUri(r.to()?.uri).user).toBe("user");
      expect(sipUri(r.from()?.uri).user).toBe("I have spaces");
      const c = sipUri(r.contacts()[0]?.uri);
      expect(c.user).toBe("caller");
      expect(c.params.has("lr")).toBe(true);
      expect(c.params.get("name")).toBe("value%41");
      expect(r.headers.get("Content-Type")).toBe("application/sdp");
    }],
    ["3.1.1.4 escnull: escaped NUL in user parts", (m) => {
      const r = m as SipRequest;
      expect(sipUri(r.to()?.uri).user).toBe("null-\0-null");
      expect(r.contacts().map((c) => sipUri(c.uri).user)).toEqual(["\0", "\0\0"]);
      expect(r.contentLength()).toBe(0);
    }],
    ["3.1.1.5 esc02: % in method, display name and branch is literal; C%6Fntact is not Contact", (m) => {
      const r = m as SipRequest;
      expect(r.method).toBe("RE%47IST%45R");
      expect(r.cseq()?.method).toBe("RE%47IST%45R");
      expect(r.to()?.displayName).toBe("%Z%45");
      expect(r.topVia()?.branch).toBe("z9hG4bK209%fzsnel234");
      expect(r.contacts().map((c) => sipUri(c.uri).host)).toEqual(["host1.example.com", "host3.example.com"]);
      expect(r.headers.get("C%6Fntact")).toBe("<sip:alias2@host2.example.com>");
    }],
    ["3.1.1.6 lwsdisp: no LWS between display name and <", (m) => {
      expect((m as SipRequest).from()?.displayName).toBe("caller");
      expect(sipUri((m as SipRequest).from()?.uri).user).toBe("caller");
    }],
    ["3.1.1.7 longreq: long values and 34 Via values in many spellings", (m) => {
      const r = m as SipRequest;
      const vias = r.vias();
      expect(vias).toHaveLength(34);
      expect(vias[0]?.host).toBe("sip33.example.com");
      expect(vias[33]?.received).toBe("192.0.2.5");
      expect(vias[33]?.branch?.length).toBeGreaterThan(100);
      expect(r.to()?.displayName).toMatch(/^I have a user name of (extreme)+ proportion$/);
      expect(r.from()?.params.get("tag")?.length).toBeGreaterThan(100);
      expect(r.callId()).toMatch(/^longreq\.one(really)+longcallid$/);
      expect(r.body.length).toBe(150);
    }],
    ["3.1.1.8 dblreq: only the first request of the datagram is the message", (m) => {
      const r = m as SipRequest;
      expect(r.method).toBe("REGISTER");
      expect(r.body.length).toBe(0);
      expect(r.callId()).toBe("dblreq.0ha0isndaksdj99sdfafnl3lk233412");
    }],
    ["3.1.1.9 semiuri: ';' in the user part is not a URI parameter", (m) => {
      const u = sipUri((m as SipRequest).requestUri());
      expect([u.user, u.host, u.params.size]).toEqual(["user;par=u@example.net", "example.com", 0]);
      expect((m as SipRequest).headers.values("Accept")).toHaveLength(6);
    }],
    ["3.1.1.10 transports: five Via transports", (m) => {
      expect(m.vias().map((v) => v.transport)).toEqual(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
    }],
    ["3.1.1.11 mpart01: binary multipart body, byte-exact", (m) => {
      expect(m.body.length).toBe(553);
      expect(m.body.subarray(0, 18).toString("latin1")).toBe("--7a9cbec02ceef655");
      expect(m.topVia()?.rport).toBeNull();
      expect(m.headers.get("y")).toMatch(/^r5mwreLuyDRYBi/);
    }],
    ["3.1.1.12 unreason: UTF-8 reason phrase", (m) => {
      const r = m as SipResponse;
      expect(r.status).toBe(200);
      expect(r.reason).toBe("= 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e \u0434\u0435\u0432\u044f\u0442\u044c - \u043f\u0440\u043e\u0441\u0442\u043e\u0435");
    }],
    ["3.1.1.13 noreason: empty reason phrase", (m) => {
      expect([(m as SipResponse).status, (m as SipResponse).reason]).toEqual([100, ""]);
    }],
  ];
  const byName = new Map(cases.map(([title, check]) => [title.split(" ")[1]?.replace(":", "") ?? "", { title, check }]));
  it("every 'valid' message of the index has a case here", () => {
    const valid = Object.entries(INDEX.messages).filter(([, e]) => e.class === "valid").map(([n]) => n);
    expect(valid.sort()).toEqual([...byName.keys()].sort());
  });
  for (const [title, check] of cases) {
    it(title, () => check(parseSipDatagram(dat(title.split(" ")[1]?.replace(":", "") ?? ""))));
  }
});

describe("3.1.2 malformed messages are refused", () => {
  const malformed = Object.entries(INDEX.messages).filter(([, e]) => e.class === "malformed");
  for (const [name, entry] of malformed) {
    const isResponse = dat(name).subarray(0, 4).toString("latin1") === "SIP/";
    const want = isResponse ? undefined : (entry.expect ?? 400);
    it(`${entry.section} ${name}: refused with WireDecodeError, wireCode ${want ?? "none (discard the response)"}`, () => {
      let caught: unknown;
      try {
        parseSipDatagram(dat(name));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(WireDecodeError);
      expect((caught as WireDecodeError).protocol).toBe("sip");
      expect((caught as WireDecodeError).wireCode).toBe(want);
      expect((caught as WireDecodeError).where).not.toBe("");
    });
    it(`${entry.section} ${name}: on a stream it is reported, never thrown, and the stream does not hang`, () => {
      const framer = new SipStreamFramer();
      const events = framer.push(dat(name));
      const bad = events.filter((e) => e.type === "malformed" || e.type === "fatal");
      // clerr declares 9999 bytes: on a stream the framer waits for them (bounded by maxBodyBytes).
      if (name === "clerr") expect(framer.buffered).toBe(dat(name).length);
      else expect(bad.length).toBeGreaterThan(0);
      expect(events.some((e) => e.type === "message")).toBe(false);
    });
  }
});

describe("3.2 / 3.3 / 3.4 transaction, application and compat messages", () => {
  it("3.2.1 badbranch: parses; a bare magic cookie is not an RFC 3261 branch", () => {
    const r = req("badbranch");
    expect(r.topVia()?.branch).toBe("z9hG4bK");
    expect(isRfc3261Branch(r.topVia()?.branch)).toBe(false);
    expect(isRfc3261Branch("z9hG4bKkdjuw")).toBe(true);
  });
  const expected = Object.entries(INDEX.messages).filter(([, e]) => e.class === "application" && e.expect !== undefined && ![415, 406].includes(e.expect));
  for (const [name, entry] of expected) {
    it(`${entry.section} ${name}: a proxy answers ${entry.expect}`, () => {
      expect(proxyAnswer(name)).toBe(entry.expect);
    });
  }
  it("3.3.1 insuf: parses, but To, From, Call-ID and Max-Forwards are missing", () => {
    const r = req("insuf");
    expect(["To", "From", "Call-ID", "Max-Forwards"].map((h) => r.headers.has(h))).toEqual([false, false, false, false]);
  });
  it("3.3.2 unkscm: unknown Request-URI scheme parses opaque, 416", () => {
    expect(req("unkscm").requestUri()).toEqual({ kind: "other", scheme: "nobodyKnowsThisScheme", opaque: "totallyopaquecontent" });
  });
  it("3.3.3 novelsc: atypical Request-URI scheme parses; a sip-only proxy answers 416", () => {
    expect(req("novelsc").requestUri()).toMatchObject({ kind: "other", scheme: "soap.beep" });
    expect(proxyAnswer("novelsc")).toBe(416);
    expect(validateProxyRequest(req("novelsc"), { supportedSchemes: ["sip", "soap.beep"] }).action).toBe("forward");
  });
  it("3.3.4 unksm2: unknown schemes in To/From/Contact parse; a proxy forwards", () => {
    const r = req("unksm2");
    expect([r.to()?.uri.scheme, r.from()?.uri.scheme, r.contacts()[0]?.uri.scheme]).toEqual(["isbn", "http", "name"]);
    expect(proxyAnswer("unksm2")).toBe("forward");
  });
  it("3.3.5 bext01: 420 lists the unknown Proxy-Require tags in Unsupported", () => {
    const v = validateProxyRequest(req("bext01"));
    expect(v).toMatchObject({ action: "reject", status: 420, headers: [["Unsupported", "noProxiesSupportThis, norDoAnyProxiesSupportThis"]] });
    expect(validateProxyRequest(req("bext01"), { supportedExtensions: ["noproxiessupportthis", "nordoanyproxiessupportthis"] }).action).toBe("forward");
  });
  it("3.3.6 invut / 3.3.15 sdp01: UAS-level codes (415, 406); a proxy forwards them", () => {
    expect(req("invut").headers.get("c")).toBe("application/unknownformat");
    expect(req("sdp01").headers.get("Accept")).toBe("text/nobodyKnowsThis");
    expect([proxyAnswer("invut"), proxyAnswer("sdp01")]).toEqual(["forward", "forward"]);
  });
  it("3.3.7 regaut01: unknown Authorization scheme is forwarded untouched", () => {
    expect(req("regaut01").headers.get("Authorization")).toBe("NoOneKnowsThisScheme opaque-data=here");
    expect(proxyAnswer("regaut01")).toBe("forward");
  });
  it("3.3.9 mcl01: on a stream, two Content-Lengths lose the framing (fatal 400)", () => {
    const events = new SipStreamFramer().push(dat("mcl01"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "fatal", error: { wireCode: 400 } });
  });
  it("3.3.10 bcast: parses; the broadcast next-hop Via makes the proxy discard it", () => {
    const r = res("bcast");
    expect(r.vias()[1]?.host).toBe("255.255.255.255");
    expect(checkResponseForForwarding(r).action).toBe("discard");
  });
  it("3.3.11 zeromf: Max-Forwards 0 is never forwarded (OPTIONS answered locally, else 483)", () => {
    const r = req("zeromf");
    expect(r.maxForwards()).toBe(0);
    expect(validateProxyRequest(r).action).toBe("answer-locally");
    expect(validateProxyRequest(r, { answerOptionsLocally: false })).toMatchObject({ action: "reject", status: 483 });
    const inv = parseSipDatagram(Buffer.from(dat("zeromf").toString("latin1").replaceAll("OPTIONS", "INVITE"), "latin1")) as SipRequest;
    expect(validateProxyRequest(inv)).toMatchObject({ action: "reject", status: 483 });
  });
  it("3.3.12 cparam01: unknownparam outside <> is a contact parameter", () => {
    const c = req("cparam01").contacts()[0];
    expect(c?.params.has("unknownparam")).toBe(true);
    expect(sipUri(c?.uri).params.has("unknownparam")).toBe(false);
  });
  it("3.3.13 cparam02: unknownparam inside <> is a URI parameter", () => {
    const c = req("cparam02").contacts()[0];
    expect(c?.params.has("unknownparam")).toBe(false);
    expect(sipUri(c?.uri).params.has("unknownparam")).toBe(true);
  });
  it("3.3.14 regescrt: escaped header in the Contact URI unescapes", () => {
    expect(sipUri(req("regescrt").contacts()[0]?.uri).headers).toEqual([["Route", "<sip:sip.example.com>"]]);
  });
  it("3.4.1 inv2543: RFC 2543 syntax accepted on a datagram (no Content-Length, no branch, no Max-Forwards)", () => {
    const r = req("inv2543");
    expect(r.contentLength()).toBeUndefined();
    expect(r.body.length).toBe(105);
    expect(r.topVia()?.branch).toBeUndefined();
    expect(r.recordRoutes()[0]?.uri).toMatchObject({ kind: "sip", params: new Map([["maddr", "ss1.example.com"]]) });
    expect(proxyAnswer("inv2543")).toBe("forward");
  });
  it("3.4.1 inv2543: on a stream the missing Content-Length is reported for that message", () => {
    const events = new SipStreamFramer().push(dat("inv2543"));
    expect(events[0]).toMatchObject({ type: "malformed", error: { wireCode: 400 } });
  });
});
