import { describe, expect, it } from "vitest";
import { Jid } from "../../../edge/wire/xmpp/jid.ts";
import { WireDecodeError } from "../../../edge/wire/decode-error.ts";

interface ValidCase {
  name: string;
  input: string;
  local: string | undefined;
  domain: string;
  resource: string | undefined;
  text: string;
}

// RFC 7622 3.5 "Examples" (valid), plus the normalisations the parts undergo.
const VALID: ValidCase[] = [
  { name: "bare JID", input: "juliet@example.com", local: "juliet", domain: "example.com", resource: undefined, text: "juliet@example.com" },
  { name: "full JID", input: "juliet@example.com/foo", local: "juliet", domain: "example.com", resource: "foo", text: "juliet@example.com/foo" },
  { name: "space in resourcepart", input: "juliet@example.com/foo bar", local: "juliet", domain: "example.com", resource: "foo bar", text: "juliet@example.com/foo bar" },
  { name: "'@' in resourcepart", input: "juliet@example.com/foo@bar", local: "juliet", domain: "example.com", resource: "foo@bar", text: "juliet@example.com/foo@bar" },
  { name: "'/' in resourcepart", input: "juliet@example.com/a/b", local: "juliet", domain: "example.com", resource: "a/b", text: "juliet@example.com/a/b" },
  { name: "escaped space (XEP-0106) in localpart", input: "foo\\20bar@example.com", local: "foo\\20bar", domain: "example.com", resource: undefined, text: "foo\\20bar@example.com" },
  { name: "non-ASCII localpart", input: "fußball@example.com", local: "fußball", domain: "example.com", resource: undefined, text: "fußball@example.com" },
  { name: "Greek localpart", input: "π@example.com", local: "π", domain: "example.com", resource: undefined, text: "π@example.com" },
  { name: "upper-case localpart is case-mapped", input: "Σ@example.com/foo", local: "σ", domain: "example.com", resource: "foo", text: "σ@example.com/foo" },
  { name: "resourcepart keeps its case", input: "ROMEO@Example.COM/Orchard", local: "romeo", domain: "example.com", resource: "Orchard", text: "romeo@example.com/Orchard" },
  { name: "domain only", input: "example.com", local: undefined, domain: "example.com", resource: undefined, text: "example.com" },
  { name: "domain and resource", input: "example.com/foobar", local: undefined, domain: "example.com", resource: "foobar", text: "example.com/foobar" },
  { name: "domain/resource with '@' in resource", input: "a.example.com/b@example.net", local: undefined, domain: "a.example.com", resource: "b@example.net", text: "a.example.com/b@example.net" },
  { name: "trailing dot of the domain is stripped", input: "juliet@example.com.", local: "juliet", domain: "example.com", resource: undefined, text: "juliet@example.com" },
  { name: "IPv6 literal domain", input: "juliet@[2001:db8::1]/x", local: "juliet", domain: "[2001:db8::1]", resource: "x", text: "juliet@[2001:db8::1]/x" },
  { name: "IPv4 domain", input: "edge@192.0.2.10", local: "edge", domain: "192.0.2.10", resource: undefined, text: "edge@192.0.2.10" },
  { name: "Korean localpart and resource", input: "안녕@fabrikam.com/휴대폰", local: "안녕", domain: "fabrikam.com", resource: "휴대폰", text: "안녕@fabrikam.com/휴대폰" },
  { name: "1023-byte localpart", input: `${"a".repeat(1023)}@example.com`, local: "a".repeat(1023), domain: "example.com", resource: undefined, text: `${"a".repeat(1023)}@example.com` },
];

// RFC 7622 3.5 "Examples" (invalid), and the limits of 3.2-3.4.
const INVALID: { name: string; input: string }[] = [
  { name: "quotes in localpart", input: '"juliet"@example.com' },
  { name: "space in localpart", input: "foo bar@example.com" },
  { name: "empty localpart and resourcepart", input: "@example.com/" },
  { name: "empty localpart", input: "@example.com" },
  { name: "compatibility character (ROMAN NUMERAL FOUR) in localpart", input: "henryⅣ@example.com" },
  { name: "symbol (BLACK CHESS KING) in localpart", input: "♚@example.com" },
  { name: "empty domainpart", input: "juliet@" },
  { name: "no domainpart before the resource", input: "/foobar" },
  { name: "empty resourcepart", input: "juliet@example.com/" },
  { name: "two '@' before the resource", input: "a@b@example.com" },
  { name: "'&' in localpart", input: "a&b@example.com" },
  { name: "''' in localpart", input: "o'neil@example.com" },
  { name: "':' in localpart", input: "a:b@example.com" },
  { name: "'<' in localpart", input: "a<b@example.com" },
  { name: "'>' in localpart", input: "a>b@example.com" },
  { name: "tab in localpart", input: "a\tb@example.com" },
  { name: "empty input", input: "" },
  { name: "space in domain", input: "juliet@exa mple.com" },
  { name: "empty label in domain", input: "juliet@example..com" },
  { name: "underscore in domain", input: "juliet@exa_mple.com" },
  { name: "label starting with '-'", input: "juliet@-example.com" },
  { name: "malformed IPv6 literal", input: "juliet@[not-ipv6]" },
  { name: "control character in resourcepart", input: "juliet@example.com/a\u0007b" },
  { name: "1024-byte localpart", input: `${"a".repeat(1024)}@example.com` },
  { name: "1024-byte resourcepart (multi-byte characters)", input: `juliet@example.com/${"é".repeat(512)}` },
  { name: "1024-byte domainpart", input: `juliet@${"a.".repeat(511)}ab` },
];

describe("Jid.parse (RFC 7622)", () => {
  it.each(VALID)("valid: $name", ({ input, local, domain, resource, text }) => {
    const jid = Jid.parse(input);
    expect({ local: jid.local, domain: jid.domain, resource: jid.resource }).toEqual({ local, domain, resource });
    expect(jid.toString()).toBe(text);
    expect(Jid.parse(jid.toString()).equals(jid)).toBe(true); // normalised form is stable
  });

  it.each(INVALID)("invalid: $name", ({ input }) => {
    let thrown: unknown;
    try {
      Jid.parse(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(WireDecodeError);
    expect((thrown as WireDecodeError).wireCode).toBe("jid-malformed");
    expect((thrown as WireDecodeError).protocol).toBe("xmpp");
    expect(Jid.tryParse(input)).toBeUndefined();
  });
});

describe("Jid helpers", () => {
  const cases = [
    { name: "bare() drops the resource", run: () => Jid.parse("juliet@example.com/balcony").bare().toString(), want: "juliet@example.com" },
    { name: "bare() of a domain JID", run: () => Jid.parse("example.com/x").bare().toString(), want: "example.com" },
    { name: "isBare()", run: () => [Jid.parse("a@b").isBare(), Jid.parse("a@b/c").isBare()], want: [true, false] },
    { name: "equals() after normalisation", run: () => Jid.parse("Juliet@EXAMPLE.com/x").equals("juliet@example.com/x"), want: true },
    { name: "equals() is case-sensitive in the resource", run: () => Jid.parse("juliet@example.com/X").equals("juliet@example.com/x"), want: false },
    { name: "equals() a malformed string is false", run: () => Jid.parse("juliet@example.com").equals("juliet@"), want: false },
    { name: "full and bare differ", run: () => Jid.parse("juliet@example.com/x").equals(Jid.parse("juliet@example.com")), want: false },
    { name: "of() builds from parts", run: () => Jid.of("Romeo", "Contoso.com", "desk").toString(), want: "romeo@contoso.com/desk" },
    { name: "of() refuses '@' hidden in the localpart", run: () => Jid.tryParse("x") !== undefined && (() => { try { Jid.of("a@b", "c"); return "accepted"; } catch (e) { return (e as WireDecodeError).wireCode; } })(), want: "jid-malformed" },
  ];
  it.each(cases)("$name", ({ run, want }) => {
    expect(run()).toEqual(want);
  });
});
