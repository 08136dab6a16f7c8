import { describe, expect, it } from "vitest";
import { buildStreamError, parseStreamError, STREAM_ERROR_CONDITIONS, isStreamErrorCondition } from "../../../edge/wire/xmpp/stream-error.ts";
import { buildStanzaError, buildStanzaErrorReply, STANZA_ERROR_CONDITIONS } from "../../../edge/wire/xmpp/stanza-error.ts";
import { serialize } from "../../../edge/wire/xmpp/xml-serialize.ts";
import { xml } from "../../../edge/wire/xmpp/xml-element.ts";
import type { XmlElement } from "../../../edge/wire/xmpp/xml-element.ts";
import { XmppStreamParser } from "../../../edge/wire/xmpp/stream-parser.ts";
import { NS } from "../../../edge/wire/xmpp/namespaces.ts";
import { S2S_HEADER } from "./helpers.ts";

function received(text: string): XmlElement {
  const parser = new XmppStreamParser();
  const got: XmlElement[] = [];
  parser.on("stanza", (el) => got.push(el));
  parser.on("error", (err) => {
    throw err;
  });
  parser.push(`${S2S_HEADER}${text}`);
  return got[0] as XmlElement;
}

describe("stream errors (RFC 6120 4.9)", () => {
  it("lists the 25 defined conditions of RFC 6120 4.9.3", () => {
    expect(STREAM_ERROR_CONDITIONS).toHaveLength(25);
    expect(isStreamErrorCondition("restricted-xml")).toBe(true);
    expect(isStreamErrorCondition("jid-malformed")).toBe(false);
  });

  const cases = [
    {
      name: "condition only",
      el: buildStreamError("not-well-formed"),
      xml: "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
      parsed: { condition: "not-well-formed" },
    },
    {
      name: "with text",
      el: buildStreamError("restricted-xml", { text: "comments <!-- are & not allowed", lang: "en" }),
      xml: "<stream:error><restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>comments &lt;!-- are &amp; not allowed</text></stream:error>",
      parsed: { condition: "restricted-xml", text: "comments <!-- are & not allowed" },
    },
    {
      name: "see-other-host",
      el: buildStreamError("see-other-host", { seeOtherHost: "[2001:db8::9]:5269" }),
      xml: "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::9]:5269</see-other-host></stream:error>",
      parsed: { condition: "see-other-host", seeOtherHost: "[2001:db8::9]:5269" },
    },
    {
      name: "application-specific condition",
      el: buildStreamError("policy-violation", { applicationCondition: xml("stanza-too-big", { xmlns: "urn:xmpp:errors" }) }),
      xml: "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><stanza-too-big xmlns='urn:xmpp:errors'/></stream:error>",
      parsed: { condition: "policy-violation" },
    },
  ];
  it.each(cases)("builds and reads back: $name", ({ el, xml: text, parsed }) => {
    expect(serialize(el)).toBe(text);
    expect(parseStreamError(received(text))).toEqual(parsed);
  });

  it("reads an unknown condition as undefined-condition", () => {
    expect(parseStreamError(received("<stream:error><bogus xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"))).toEqual({ condition: "undefined-condition" });
  });
});

describe("stanza errors (RFC 6120 8.3)", () => {
  it("lists the 22 defined conditions of RFC 6120 8.3.3", () => {
    expect(STANZA_ERROR_CONDITIONS).toHaveLength(22);
  });

  const original = received("<message from='juliet@fabrikam.com/balcony' to='romeo@contoso.com' id='m1' type='chat'><body>hi</body></message>");
  const cases = [
    {
      name: "default type of the condition",
      el: buildStanzaErrorReply(original, "service-unavailable"),
      xml: "<message xmlns='jabber:server' from='romeo@contoso.com' to='juliet@fabrikam.com/balcony' id='m1' type='error'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    },
    {
      name: "explicit type, text, by and the original payload",
      el: buildStanzaErrorReply(original, "policy-violation", { type: "modify", text: "federation with fabrikam.com is blocked", by: "contoso.com", includeOriginal: true }),
      xml: "<message xmlns='jabber:server' from='romeo@contoso.com' to='juliet@fabrikam.com/balcony' id='m1' type='error'><body>hi</body><error type='modify' by='contoso.com'><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>federation with fabrikam.com is blocked</text></error></message>",
    },
    {
      name: "redirect carries the alternate address",
      el: buildStanzaError("redirect", { uri: "xmpp:romeo@example.net" }),
      xml: "<error type='modify'><redirect xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>xmpp:romeo@example.net</redirect></error>",
    },
    { name: "auth-type condition", el: buildStanzaError("forbidden"), xml: "<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>" },
    { name: "wait-type condition", el: buildStanzaError("remote-server-timeout"), xml: "<error type='wait'><remote-server-timeout xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>" },
  ];
  it.each(cases)("$name", ({ el, xml: text }) => {
    expect(el).toBeDefined();
    expect(serialize(el as XmlElement)).toBe(text);
    // What we send must be acceptable to our own parser (a bare <error/> inside an iq).
    const wire = text.startsWith("<error") ? `<iq type='error' id='e1'>${text}</iq>` : text;
    expect(serialize(received(wire))).toContain(NS.stanzas);
  });

  it("never answers an error with an error (RFC 6120 8.3.1)", () => {
    const error = received("<message from='a@fabrikam.com' to='b@contoso.com' type='error'><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
    expect(buildStanzaErrorReply(error, "service-unavailable")).toBeUndefined();
  });
});
