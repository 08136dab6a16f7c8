import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { XmlElement, xml } from "../../../edge/wire/xmpp/xml-element.ts";
import { escapeAttr, escapeText, serialize, streamHeader, STREAM_CLOSE, XML_DECLARATION } from "../../../edge/wire/xmpp/xml-serialize.ts";
import { XmppStreamParser } from "../../../edge/wire/xmpp/stream-parser.ts";
import { NS } from "../../../edge/wire/xmpp/namespaces.ts";
import { parseChunks, S2S_HEADER } from "./helpers.ts";

/** Sends `element` inside an s2s stream and returns what the parser emits for it. */
function roundTrip(element: XmlElement): XmlElement {
  const parser = new XmppStreamParser();
  const got: XmlElement[] = [];
  parser.on("stanza", (el) => got.push(el));
  parser.on("error", (err) => {
    throw err;
  });
  parser.push(`${S2S_HEADER}${serialize(element)}`);
  expect(got).toHaveLength(1);
  return got[0] as XmlElement;
}

describe("escaping", () => {
  const cases = [
    { name: "text: & < >", run: () => escapeText("a & b < c > d"), want: "a &amp; b &lt; c &gt; d" },
    { name: "text: ]]> cannot appear", run: () => escapeText("]]>"), want: "]]&gt;" },
    { name: "text: quotes stay", run: () => escapeText(`'"`), want: `'"` },
    { name: "text: CR survives end-of-line handling", run: () => escapeText("a\r\nb"), want: "a&#13;\nb" },
    { name: "attribute: all five", run: () => escapeAttr(`&<>"'`), want: "&amp;&lt;&gt;&quot;&apos;" },
    { name: "attribute: whitespace survives normalisation", run: () => escapeAttr("a\tb\nc\rd"), want: "a&#9;b&#10;c&#13;d" },
    { name: "element without children", run: () => serialize(xml("presence", { to: "a@b", type: undefined })), want: "<presence to='a@b'/>" },
    {
      name: "nested element",
      run: () => serialize(xml("message", { to: "r@contoso.com", type: "chat" }, xml("body", {}, "hi & bye"))),
      want: "<message to='r@contoso.com' type='chat'><body>hi &amp; bye</body></message>",
    },
  ];
  it.each(cases)("$name", ({ run, want }) => {
    expect(run()).toBe(want);
  });

  it.each([
    { name: "NUL in text", run: () => escapeText("a\u0000b") },
    { name: "ESC in attribute", run: () => escapeAttr("\u001b[31m") },
    { name: "lone surrogate", run: () => escapeText("\ud800") },
    { name: "U+FFFE", run: () => serialize(xml("body", {}, "\ufffe")) },
  ])("refuses a character XML cannot carry: $name", ({ run }) => {
    expect(run).toThrow(RangeError);
  });
});

describe("stream header", () => {
  it("opens an s2s stream with dialback the parser accepts", () => {
    const header = streamHeader({ from: "contoso.com", to: "fabrikam.com", id: "a'b", dialback: true });
    expect(header).toBe(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='contoso.com' to='fabrikam.com' id='a&apos;b' version='1.0'>",
    );
    const events = parseChunks([XML_DECLARATION, header, STREAM_CLOSE]);
    expect(events).toEqual([
      { kind: "streamStart", attrs: { xmlns: NS.server, "xmlns:stream": NS.streams, "xmlns:db": NS.dialback, from: "contoso.com", to: "fabrikam.com", id: "a'b", version: "1.0" } },
      { kind: "streamEnd" },
    ]);
  });

  it("omits the version for legacy peers and can use jabber:client", () => {
    expect(streamHeader({ version: null, contentNamespace: NS.client, lang: "en" })).toBe(
      "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' xml:lang='en'>",
    );
  });
});

describe("serialise then parse", () => {
  it("round-trips every special character in text and attributes", () => {
    const tricky = `&amp; <b> "q" 'a' ]]> \t\r\n\r 안녕하세요 😀 &#x41;`;
    const sent = xml("message", { xmlns: NS.server, to: tricky, id: tricky }, xml("body", {}, tricky));
    const got = roundTrip(sent);
    expect(got.attr("to")).toBe(tricky);
    expect(got.attr("id")).toBe(tricky);
    expect(got.getChildText("body", NS.server)).toBe(tricky);
    expect(serialize(got)).toBe(serialize(sent));
  });

  it("round-trips any XML-legal string (property)", () => {
    // eslint-disable-next-line no-control-regex -- XML 1.0 2.2 excludes these controls
    const legal = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/u.test(s));
    fc.assert(
      fc.property(legal, legal, (text, value) => {
        const got = roundTrip(xml("message", { xmlns: NS.server, id: value }, xml("body", {}, text)));
        expect(got.attr("id")).toBe(value);
        expect(got.getChild("body")?.getText() ?? "").toBe(text);
      }),
      { numRuns: 100 },
    );
  });
});

describe("XmlElement", () => {
  const message = new XmlElement("message", { xmlns: NS.server, to: "r@contoso.com" }, [
    xml("body", {}, "one", "two"),
    xml("body", { "xml:lang": "ko" }, "하나"),
    xml("x", { xmlns: "jabber:x:oob" }, xml("url", {}, "https://contoso.com/")),
    xml("db:result", { "xmlns:db": NS.dialback }),
  ]);
  const cases = [
    { name: "attr()", run: () => message.attr("to"), want: "r@contoso.com" },
    { name: "getText() joins direct text", run: () => message.getChild("body")?.getText(), want: "onetwo" },
    { name: "getChild() with the inherited namespace", run: () => message.getChild("body", NS.server)?.getText(), want: "onetwo" },
    { name: "getChild() in another namespace", run: () => message.getChild("body", "urn:example")?.getText(), want: undefined },
    { name: "getChildren()", run: () => message.getChildren("body").length, want: 2 },
    { name: "getChild() by declared namespace", run: () => message.getChild("x", "jabber:x:oob")?.getChildText("url", "jabber:x:oob"), want: "https://contoso.com/" },
    { name: "prefixed child by local name and namespace", run: () => message.getChild("result", NS.dialback)?.name, want: "db:result" },
    { name: "localName and prefix", run: () => [message.getChild("db:result")?.localName, message.getChild("db:result")?.prefix], want: ["result", "db"] },
    { name: "withAttrs() copies", run: () => [message.withAttrs({ to: undefined, from: "x" }).attrs, message.attr("to")], want: [{ xmlns: NS.server, from: "x" }, "r@contoso.com"] },
    { name: "frozen", run: () => [Object.isFrozen(message), Object.isFrozen(message.attrs), Object.isFrozen(message.children)], want: [true, true, true] },
  ];
  it.each(cases)("$name", ({ run, want }) => {
    expect(run()).toEqual(want);
  });
});
