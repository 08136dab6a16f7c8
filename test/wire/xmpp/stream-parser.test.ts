import { describe, expect, it } from "vitest";
import { XmppStreamParser } from "../../../edge/wire/xmpp/stream-parser.ts";
import type { XmppStreamParserOptions } from "../../../edge/wire/xmpp/stream-parser.ts";
import { NS } from "../../../edge/wire/xmpp/namespaces.ts";
import { parseChunks, record, splits, S2S_HEADER } from "./helpers.ts";
import type { RecordedEvent } from "./helpers.ts";

/** A recorded-style s2s stream from fabrikam.com's Edge to contoso.com (RFC 6120 9.2, XEP-0220). */
const RECORDED_S2S = [
  "<?xml version='1.0'?>",
  S2S_HEADER,
  "<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>",
  "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>\n",
  "<db:result from='fabrikam.com' to='contoso.com'>b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3</db:result>\n",
  "<message from='juliet@fabrikam.com/balcony' to='romeo@contoso.com' type='chat' id='m1' xml:lang='ko'>",
  "<body>안녕하세요, 로미오 😀👋🏽</body><thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread></message>\n",
  "<message from='juliet@fabrikam.com/balcony' to='romeo@contoso.com' type='chat' id='m2'>",
  "<body>Ça va? Ελληνικά — 𝄞 &amp; &lt;tags&gt; &#x1F600; &apos;q&apos; &quot;dq&quot;</body>",
  "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>Ça <b>va</b></p></body></html></message>\n",
  "<message from='juliet@fabrikam.com/balcony' to='romeo@contoso.com' id='m3'><body><![CDATA[<not-a-tag/> & <!-- not a comment -->]]></body></message>",
  "<presence from='juliet@fabrikam.com/balcony' to='romeo@contoso.com'><show>away</show><status>Ausgegangen 🌙</status><priority>5</priority></presence>\r\n",
  "<iq from='fabrikam.com' to='contoso.com' type='get' id='ping-1'><ping xmlns='urn:xmpp:ping'/></iq>",
  " \n\t ",
  "<iq from='fabrikam.com' to='contoso.com' type='result' id='disco-1'><query xmlns='http://jabber.org/protocol/disco#info'>",
  "<identity category='server' type='im' name='Fabrikam Edge'/><feature var='urn:xmpp:ping'/></query></iq>",
  "</stream:stream>",
].join("");

describe("XmppStreamParser on a recorded s2s stream", () => {
  const bytes = Buffer.from(RECORDED_S2S, "utf8");
  const whole = parseChunks([bytes]);

  it("emits the header, every first-level element and the end, and no error", () => {
    expect(whole[0]).toEqual({
      kind: "streamStart",
      attrs: {
        xmlns: NS.server,
        "xmlns:stream": NS.streams,
        "xmlns:db": NS.dialback,
        from: "fabrikam.com",
        to: "contoso.com",
        version: "1.0",
      },
    });
    expect(whole.map((e) => e.kind)).toEqual(["streamStart", ...Array<string>(8).fill("stanza"), "streamEnd"]);
    expect(whole.filter((e) => e.kind === "error")).toEqual([]);
  });

  it("keeps non-ASCII text, entities and CDATA exactly", () => {
    const parser = new XmppStreamParser();
    const stanzas: string[] = [];
    parser.on("stanza", (el) => stanzas.push(el.getChildText("body", NS.server) ?? ""));
    parser.push(bytes);
    expect(stanzas.slice(2, 5)).toEqual([
      "안녕하세요, 로미오 😀👋🏽",
      "Ça va? Ελληνικά — 𝄞 & <tags> 😀 'q' \"dq\"",
      "<not-a-tag/> & <!-- not a comment -->",
    ]);
  });

  it("makes each stanza carry the namespaces it inherited from the stream header", () => {
    const stanzas = whole.filter((e): e is Extract<RecordedEvent, { kind: "stanza" }> => e.kind === "stanza").map((e) => e.xml);
    expect(stanzas[0]?.startsWith("<stream:features xmlns:stream='http://etherx.jabber.org/streams'>")).toBe(true);
    expect(stanzas[1]?.startsWith("<db:result xmlns:db='jabber:server:dialback' from='fabrikam.com'")).toBe(true);
    expect(stanzas[2]?.startsWith("<message xmlns='jabber:server' from='juliet@fabrikam.com/balcony'")).toBe(true);
  });

  it("emits the same events for every split into two chunks and for one byte at a time", () => {
    let checked = 0;
    for (const { label, chunks } of splits(bytes)) {
      expect(parseChunks(chunks), label).toEqual(whole);
      checked++;
    }
    expect(checked).toBe(bytes.length + 2);
  }, 60_000);
});

interface HostileCase {
  name: string;
  input: string | Buffer;
  condition: string;
  /** First-level elements emitted before the error. */
  stanzasBefore: number;
  options?: XmppStreamParserOptions;
}

const OPEN = `<?xml version='1.0'?>${S2S_HEADER}`;
const OK_MESSAGE = "<message from='a@fabrikam.com' to='b@contoso.com'><body>ok</body></message>";
const AFTER = `${OK_MESSAGE}</stream:stream>`; // appended to each case: nothing of it may be emitted

const BILLION_LAUGHS =
  "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>" +
  Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 1} '${`&lol${i === 0 ? "" : i};`.repeat(10)}'>`).join("") +
  `]>${S2S_HEADER}<message><body>&lol8;</body></message>`;

const HOSTILE: HostileCase[] = [
  { name: "DOCTYPE with a billion-laughs internal subset", input: BILLION_LAUGHS, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "DOCTYPE inside the stream", input: `${OPEN}${OK_MESSAGE}<!DOCTYPE x>`, condition: "restricted-xml", stanzasBefore: 1 },
  { name: "internal entity declaration", input: `${OPEN}<!ENTITY x 'y'>`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "reference to an undeclared entity", input: `${OPEN}<message><body>&lol;</body></message>`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "processing instruction between stanzas", input: `${OPEN}${OK_MESSAGE}<?evil payload?>`, condition: "restricted-xml", stanzasBefore: 1 },
  { name: "processing instruction inside a stanza", input: `${OPEN}<message><?php x ?></message>`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "XML declaration after leading whitespace", input: ` <?xml version='1.0'?>${S2S_HEADER}`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "second XML declaration", input: `${OPEN}<?xml version='1.0'?>`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "comment between stanzas", input: `${OPEN}${OK_MESSAGE}${OK_MESSAGE}<!-- hi -->`, condition: "restricted-xml", stanzasBefore: 2 },
  { name: "comment before the stream header", input: `<!-- hi -->${S2S_HEADER}`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "unterminated comment inside a stanza", input: `${OPEN}<message><body>x<!-- never ends`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "mismatched end tag", input: `${OPEN}<message><body>hi</message>`, condition: "not-well-formed", stanzasBefore: 0 },
  { name: "end tag without a start tag", input: `${OPEN}${OK_MESSAGE}</body>`, condition: "not-well-formed", stanzasBefore: 1 },
  { name: "unquoted attribute", input: `${OPEN}<message to=romeo@contoso.com/>`, condition: "not-well-formed", stanzasBefore: 0 },
  { name: "duplicate attribute", input: `${OPEN}<message to='a' to='b'/>`, condition: "not-well-formed", stanzasBefore: 0 },
  { name: "unbound namespace prefix", input: `${OPEN}<foo:message/>`, condition: "not-well-formed", stanzasBefore: 0 },
  { name: "'<' in an attribute value", input: `${OPEN}<message to='<!--'/>`, condition: "not-well-formed", stanzasBefore: 0 },
  { name: "NUL character reference", input: `${OPEN}<message><body>&#0;</body></message>`, condition: "not-well-formed", stanzasBefore: 0 },
  { name: "garbage bytes (binary, NUL)", input: Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00]), condition: "not-well-formed", stanzasBefore: 0 },
  { name: "garbage text (HTTP request)", input: "GET / HTTP/1.1\r\nHost: contoso.com\r\n\r\n", condition: "not-well-formed", stanzasBefore: 0 },
  { name: "root in the wrong namespace", input: "<stream:stream xmlns='jabber:server' xmlns:stream='urn:example:wrong'>", condition: "invalid-namespace", stanzasBefore: 0 },
  { name: "root is not <stream>", input: "<html xmlns='jabber:server'>", condition: "invalid-namespace", stanzasBefore: 0 },
  { name: "jabber:client content namespace on an s2s stream", input: S2S_HEADER.replace("jabber:server", "jabber:client"), condition: "invalid-namespace", stanzasBefore: 0 },
  { name: "no content namespace", input: "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>", condition: "invalid-namespace", stanzasBefore: 0 },
  { name: "stanza qualified by jabber:client", input: `${OPEN}<message xmlns='jabber:client'/>`, condition: "invalid-namespace", stanzasBefore: 0 },
  { name: "unknown first-level element", input: `${OPEN}${OK_MESSAGE}<evil xmlns='urn:example:evil'/>`, condition: "unsupported-stanza-type", stanzasBefore: 1 },
  { name: "unknown element of the content namespace", input: `${OPEN}<body>x</body>`, condition: "unsupported-stanza-type", stanzasBefore: 0 },
  { name: "character data between stanzas", input: `${OPEN}${OK_MESSAGE}hello`, condition: "bad-format", stanzasBefore: 1 },
  { name: "stream version 2.0", input: S2S_HEADER.replace("'1.0'", "'2.0'"), condition: "unsupported-version", stanzasBefore: 0 },
  { name: "stream version not major.minor", input: S2S_HEADER.replace("'1.0'", "'1.x'"), condition: "bad-format", stanzasBefore: 0 },
  { name: "XML 1.1 declaration", input: `<?xml version='1.1'?>${S2S_HEADER}`, condition: "bad-format", stanzasBefore: 0 },
  { name: "XML declaration after a byte order mark", input: `\ufeff<?xml version='1.0'?>${S2S_HEADER}`, condition: "restricted-xml", stanzasBefore: 0 },
  { name: "XML declaration naming another encoding", input: `<?xml version='1.0' encoding='ISO-8859-1'?>${S2S_HEADER}`, condition: "unsupported-encoding", stanzasBefore: 0 },
  {
    name: "oversized stanza",
    input: `${OPEN}${OK_MESSAGE}<message><body>${"x".repeat(2000)}</body></message>`,
    condition: "policy-violation",
    stanzasBefore: 1,
    options: { maxStanzaBytes: 1024 },
  },
  {
    name: "oversized attribute in a tag that never ends",
    input: `${OPEN}<message to='${"y".repeat(3000)}`,
    condition: "policy-violation",
    stanzasBefore: 0,
    options: { maxStanzaBytes: 1024 },
  },
  { name: "whitespace flood between stanzas", input: `${OPEN}${OK_MESSAGE}${" ".repeat(2000)}`, condition: "policy-violation", stanzasBefore: 1, options: { maxStanzaBytes: 1024 } },
  { name: "stream longer than its limit", input: `${OPEN}${OK_MESSAGE.repeat(20)}`, condition: "policy-violation", stanzasBefore: 6, options: { maxStreamBytes: 700 } },
  { name: "too deep", input: `${OPEN}<message>${"<x>".repeat(40)}`, condition: "policy-violation", stanzasBefore: 0 },
  { name: "invalid UTF-8: lone continuation byte", input: Buffer.concat([Buffer.from(`${OPEN}${OK_MESSAGE}<message><body>`), Buffer.from([0x80])]), condition: "unsupported-encoding", stanzasBefore: 1 },
  { name: "invalid UTF-8: overlong '/'", input: Buffer.concat([Buffer.from(`${OPEN}<message><body>`), Buffer.from([0xc0, 0xaf])]), condition: "unsupported-encoding", stanzasBefore: 0 },
  { name: "invalid UTF-8: encoded surrogate", input: Buffer.concat([Buffer.from(`${OPEN}<message><body>`), Buffer.from([0xed, 0xa0, 0x80])]), condition: "unsupported-encoding", stanzasBefore: 0 },
  { name: "invalid UTF-8: above U+10FFFF", input: Buffer.concat([Buffer.from(`${OPEN}<message><body>`), Buffer.from([0xf4, 0x90, 0x80, 0x80])]), condition: "unsupported-encoding", stanzasBefore: 0 },
  { name: "invalid UTF-8: 0xFF", input: Buffer.concat([Buffer.from(OPEN), Buffer.from([0xff])]), condition: "unsupported-encoding", stanzasBefore: 0 },
];

function withTail(input: string | Buffer): Buffer {
  return Buffer.concat([typeof input === "string" ? Buffer.from(input, "utf8") : input, Buffer.from(AFTER, "utf8")]);
}

describe("XmppStreamParser refuses hostile input", () => {
  it.each(HOSTILE)("$name -> $condition", ({ input, condition, stanzasBefore, options }) => {
    const events = parseChunks([withTail(input)], options);
    const errorAt = events.findIndex((e) => e.kind === "error");
    expect(events[errorAt]).toMatchObject({ kind: "error", condition });
    expect(events.filter((e) => e.kind === "error")).toHaveLength(1);
    expect(errorAt).toBe(events.length - 1); // nothing after the error
    expect(events.filter((e) => e.kind === "stanza")).toHaveLength(stanzasBefore);
  });

  // saxes notices some malformations (text before the root) only at a chunk's end, so
  // the position in `where` may move with the boundaries; the events may not.
  const withoutWhere = (events: RecordedEvent[]) => events.map((e) => (e.kind === "error" ? { ...e, where: "" } : e));
  it.each(HOSTILE)("$name: same events whatever the chunk boundaries", ({ input, options }) => {
    const bytes = withTail(input);
    const whole = withoutWhere(parseChunks([bytes], options));
    for (const { label, chunks } of splits(bytes)) expect(withoutWhere(parseChunks(chunks, options)), label).toEqual(whole);
  }, 60_000);

  it("says where it failed, in bytes of the stream", () => {
    const events = parseChunks([`${OPEN}${OK_MESSAGE}<!-- x -->`]);
    expect(events.at(-1)).toEqual({ kind: "error", condition: "restricted-xml", where: `byte ${Buffer.byteLength(OPEN + OK_MESSAGE)} of the stream` });
    const utf8 = parseChunks([Buffer.concat([Buffer.from(`${OPEN}<message><body>é`), Buffer.from([0xff])])]);
    expect(utf8.at(-1)).toMatchObject({ condition: "unsupported-encoding", where: `byte ${Buffer.byteLength(`${OPEN}<message><body>é`)} of the stream` });
  });

  it("throws from push() when nobody listens for errors", () => {
    const parser = new XmppStreamParser();
    expect(() => parser.push(`${OPEN}<!-- x -->`)).toThrow(/restricted|comment/);
    expect(parser.error?.wireCode).toBe("restricted-xml");
  });

  it("ignores pushes after an error", () => {
    const parser = new XmppStreamParser();
    const events = record(parser);
    parser.push(`${OPEN}<!-- x -->`);
    parser.push(OK_MESSAGE);
    expect(events.map((e) => e.kind)).toEqual(["streamStart", "error"]);
    expect(parser.error?.wireCode).toBe("restricted-xml");
  });
});

function stanzaOfBytes(size: number): string {
  const frame = "<message><body></body></message>";
  return `<message><body>${"z".repeat(size - frame.length)}</body></message>`;
}

describe("XmppStreamParser accepts", () => {
  const cases: { name: string; input: string; options?: XmppStreamParserOptions; kinds: string[] }[] = [
    { name: "a stream without XML declaration", input: `${S2S_HEADER}${OK_MESSAGE}`, kinds: ["streamStart", "stanza"] },
    { name: "a header without version (dialback-only peer)", input: S2S_HEADER.replace(" version='1.0'", ""), kinds: ["streamStart"] },
    { name: "a stream prefix other than 'stream'", input: "<s:stream xmlns='jabber:server' xmlns:s='http://etherx.jabber.org/streams'><s:features/></s:stream>", kinds: ["streamStart", "stanza", "streamEnd"] },
    { name: "a client stream when jabber:client is configured", input: `${S2S_HEADER.replace("jabber:server", "jabber:client")}<iq type='get' id='1'/>`, options: { contentNamespaces: [NS.client, NS.server] }, kinds: ["streamStart", "stanza"] },
    { name: "a configured extension namespace", input: `${S2S_HEADER}<enable xmlns='urn:xmpp:sm:3'/>`, options: { extraNamespaces: ["urn:xmpp:sm:3"] }, kinds: ["streamStart", "stanza"] },
    { name: "a self-closing stream", input: "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'/>", kinds: ["streamStart", "streamEnd"] },
    { name: "a stanza of exactly the limit", input: `${S2S_HEADER}\n${stanzaOfBytes(1024)}`, options: { maxStanzaBytes: 1024 }, kinds: ["streamStart", "stanza"] },
    { name: "nesting at exactly the limit", input: `${S2S_HEADER}<message>${"<x>".repeat(3)}${"</x>".repeat(3)}</message>`, options: { maxDepth: 4 }, kinds: ["streamStart", "stanza"] },
  ];
  it.each(cases)("$name", ({ input, options, kinds }) => {
    expect(parseChunks([input], options).map((e) => e.kind)).toEqual(kinds);
  });

  it("a stanza one byte over the limit is refused", () => {
    const input = `${S2S_HEADER}\n${stanzaOfBytes(1025)}`;
    expect(parseChunks([input], { maxStanzaBytes: 1024 }).at(-1)).toMatchObject({ kind: "error", condition: "policy-violation" });
  });

  it("ignores what follows </stream:stream>", () => {
    expect(parseChunks([`${S2S_HEADER}</stream:stream>garbage<<<`, OK_MESSAGE]).map((e) => e.kind)).toEqual(["streamStart", "streamEnd"]);
  });
});

describe("XmppStreamParser.restart (RFC 6120 4.3.3)", () => {
  it("expects a new header after <proceed/> and discards bytes injected after it", () => {
    const parser = new XmppStreamParser();
    const events = record(parser);
    parser.on("stanza", (el) => {
      if (el.localName === "proceed") parser.restart();
    });
    const injected = "<message to='victim@contoso.com'><body>injected before TLS</body></message>";
    parser.push(`${OPEN}<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>${injected}`);
    expect(parser.discardedOnRestart).toBe(Buffer.byteLength(injected));
    parser.push(`<?xml version='1.0'?>${S2S_HEADER}${OK_MESSAGE}`);
    expect(events.map((e) => e.kind)).toEqual(["streamStart", "stanza", "streamStart", "stanza"]);
    expect(events.some((e) => e.kind === "stanza" && e.xml.includes("injected"))).toBe(false);
  });

  it("refuses a stanza where the restarted stream's header is due", () => {
    const parser = new XmppStreamParser();
    const events = record(parser);
    parser.push(`${OPEN}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
    parser.restart();
    parser.push(OK_MESSAGE);
    expect(events.at(-1)).toMatchObject({ kind: "error", condition: "invalid-namespace" });
  });
});
