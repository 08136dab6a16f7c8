import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importShellOutput, type ImportResult } from "../../harness/import/index.ts";
import { parseTopology } from "../../harness/topology/load.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { parsePartnerOption } from "../../harness/import/partners.ts";
import { decodeShellOutput } from "../../harness/import/decode.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/import");
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const FORMAT_LIST = fixture("contoso-format-list.txt");
const JSON_FORM = fixture("contoso-json.json");

function importText(files: Record<string, string | Uint8Array>, partners: Record<string, string> = {}): ImportResult {
  const inputs = Object.entries(files).map(([file, body]) => ({ file, bytes: typeof body === "string" ? new TextEncoder().encode(body) : body }));
  return importShellOutput(inputs, { name: "imported", partners: new Map(Object.entries(partners).map(([d, p]) => parsePartnerOption(`${d}=${p}`))) });
}

/** The topology as `edgesim validate` reads it back from the written YAML. */
function loaded(r: ImportResult): Topology {
  return parseTopology(r.yaml, "imported.yaml");
}

function utf16le(text: string, bom = true): Uint8Array {
  const body = Buffer.from(text, "utf16le");
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

function utf16be(text: string): Uint8Array {
  const le = Buffer.from(text, "utf16le");
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
}

describe("edgesim import: Format-List text", () => {
  const r = importText({ "contoso.txt": FORMAT_LIST });
  const t = loaded(r);

  it("the output is a valid topology (edgesim validate accepts it) and no record was refused", () => {
    expect(r.summary.errors).toBe(0);
    expect(t.organisation.sipDomains).toEqual(["contoso.example"]);
  });

  it("FED-1/FED-2/FED-8/FED-11: Get-CsAccessEdgeConfiguration sets the federation switches", () => {
    expect(t.federation).toMatchObject({ AllowFederatedUsers: true, EnablePartnerDiscovery: false, RoutingMethod: "UseDnsSrvRouting", DiscoveredPartnerStandardRate: 20, MaxContactsPerDiscoveredPartner: 1000, AllowOutsideUsers: true });
  });

  it("FED-3/FED-4: Get-CsAllowedDomain, an empty ProxyFqdn stays absent and a wrapped Comment joins at the space the shell dropped", () => {
    expect(t.federation.allowedDomains).toEqual([
      { Identity: "fabrikam.example", MarkForMonitoring: false, Comment: "Fabrikam partner since 2019; the comment is long enough that the console wrapped it onto a second line" },
      { Identity: "litware.example", ProxyFqdn: "sip.litware.example", MarkForMonitoring: true },
    ]);
  });

  it("FED-6: Get-CsBlockedDomain", () => {
    expect(t.federation.blockedDomains).toEqual([{ Identity: "spam.example", Comment: "blocked after the 2021 incident" }]);
  });

  it("FED-5: Get-CsHostingProvider and Get-CsPublicProvider, with True/False and the verification level", () => {
    expect(t.federation.hostingProviders).toEqual([expect.objectContaining({ Identity: "Hosted", ProxyFqdn: "sipfed.hosted.example", VerificationLevel: "AlwaysVerifiable", Enabled: true, HostsOCSUsers: true, EnabledSharedAddressSpace: false })]);
    expect(t.federation.publicProviders).toEqual([expect.objectContaining({ Identity: "PublicIm", ProxyFqdn: "sip.im.example", VerificationLevel: "AlwaysUnverifiable", Enabled: true })]);
  });

  it("FED-9: Get-CsExternalAccessPolicy in Global, Site: and Tag: scopes; a user's tag policy is printed without 'Tag:'", () => {
    expect(t.organisation.externalAccessPolicies.map((p) => [p.Identity, p.EnableFederationAccess, p.EnableXmppAccess])).toEqual([["Global", true, true], ["Site:Redmond", false, false], ["Tag:NoFederation", false, false]]);
    expect(t.organisation.users.map((u) => [u.uri, u.policy])).toEqual([["alice@contoso.example", "Global"], ["dave@contoso.example", "Tag:NoFederation"]]);
    expect(r.problems.map((p) => p.message).join("\n")).toMatch(/Site: policies apply .* get Global \(FED-9\)/);
  });

  it("XMPP-2: Get-CsXmppAllowedPartner, and XMPP federation is switched on for it", () => {
    expect(t.federation.xmppAllowedPartners).toEqual([{ Identity: "jabber.example", PartnerType: "Federated", TlsNegotiation: "Optional", SaslNegotiation: "Optional", SupportDialbackNegotiation: true }]);
    expect(t.federation.EnableXmppFederation).toBe(true);
  });

  it("Get-CsUser: a user not enabled for Lync is reported, not imported", () => {
    expect(t.organisation.users.map((u) => u.uri)).not.toContain("gone@contoso.example");
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "contoso.txt", line: 124, severity: "warning", message: expect.stringMatching(/gone@contoso\.example is not enabled/) }));
  });

  it("Get-CsService -EdgeServer: the pool FQDN, external FQDNs and the registrar become the edge pool and front-end pool", () => {
    expect(t.organisation.edgePool).toMatchObject({ internalFqdn: "edgepool.contoso.example", accessFqdn: "sip.contoso.example", webconfFqdn: "webconf.contoso.example", avFqdn: "av.contoso.example" });
    expect(t.organisation.frontEndPool.fqdn).toBe("pool01.contoso.example");
  });

  it("unmodelled properties are kept as comments beside their entry and listed in the summary; empty ones are only counted out", () => {
    expect(r.yaml).toMatch(/# Get-CsHostingProvider at contoso\.txt:\d+; not modelled by edgesim:\n\s+#\s+IsLocal: False\n\s+#\s+AutodiscoverUrl: https:\/\/webdir\.hosted\.example/);
    expect(r.yaml).toMatch(/#\s+LineURI: tel:\+15550100\n\s+- \{ uri: "alice@contoso\.example"/);
    // The wrapped list (broken mid-word at the output width) joins with nothing between the pieces.
    expect(r.yaml).toContain("DependentServiceList: {Registrar:pool01.contoso.example, ConferencingServer:pool01.contoso.example, MediationServer:pool01.contoso.example}");
    expect(r.summary.unmodelled["Get-CsExternalAccessPolicy"]).toEqual({ EnablePublicCloudAudioVideoAccess: 3, Description: 1 });
    expect(r.summary.unmodelled["Get-CsPublicProvider"]).toBeUndefined();
  });

  it("partner domains become fake partners; a guessed product says so, --partner sets it", () => {
    expect(t.partners.map((p) => [p.domain, p.product, p.edges[0]!.fqdn])).toEqual([
      ["hosted.example", "hostingProvider", "sipfed.hosted.example"],
      ["im.example", "publicIm", "sip.im.example"],
      ["jabber.example", "xmpp", "xmpp.jabber.example"],
      ["fabrikam.example", "lync2013", "sip.fabrikam.example"],
      ["litware.example", "lync2013", "sip.litware.example"],
      ["spam.example", "lync2013", "sip.spam.example"],
    ]);
    expect(r.yaml).toMatch(/# allowed domain \(FED-3\); product guessed: lync2013 .*--partner fabrikam\.example=PRODUCT/);
    const given = loaded(importText({ "contoso.txt": FORMAT_LIST }, { "litware.example": "lync2010" }));
    expect(given.partners.find((p) => p.domain === "litware.example")!.product).toBe("lync2010");
    const unused = importText({ "contoso.txt": FORMAT_LIST }, { "nowhere.example": "lync2010" });
    expect(unused.problems).toContainEqual(expect.objectContaining({ severity: "warning", message: expect.stringMatching(/--partner nowhere\.example: the configuration names no partner domain/) }));
  });

  it("the cmdlet is recognised from the properties when no prompt line names it", () => {
    const bare = FORMAT_LIST.toString("utf8").split("\n").filter((l) => !l.startsWith("PS ")).join("\n");
    const r2 = importText({ "bare.txt": bare });
    expect(r2.summary.records).toEqual(r.summary.records);
    expect(loaded(r2).federation).toEqual(t.federation);
  });
});

describe("edgesim import: encodings and line endings Out-File writes", () => {
  const plain = FORMAT_LIST.toString("utf8");
  const reference = loaded(importText({ "x.txt": plain }));
  const cases: [string, Uint8Array][] = [
    ["CRLF", Buffer.from(plain.replace(/\n/g, "\r\n"))],
    ["UTF-8 with BOM and CRLF", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(plain.replace(/\n/g, "\r\n"))])],
    ["UTF-16 LE with BOM (Windows PowerShell's Out-File) and CRLF", utf16le(plain.replace(/\n/g, "\r\n"))],
    ["UTF-16 BE with BOM", utf16be(plain)],
    ["UTF-16 LE without a BOM", utf16le(plain, false)],
  ];
  it.each(cases)("%s imports to the same topology", (_name, bytes) => {
    const r = importText({ "x.txt": bytes });
    expect(r.summary.errors).toBe(0);
    expect(loaded(r)).toEqual(reference);
  });

  it("decoding reports the encoding it found", () => {
    expect(decodeShellOutput(utf16le("a : b\r\n")).encoding).toBe("utf-16le");
    expect(decodeShellOutput(utf16be("a : b\n")).encoding).toBe("utf-16be");
  });

  it("non-ASCII values survive UTF-16 (a display name with accents)", () => {
    const text = "SipAddress           : sip:zoe@contoso.example\r\nDisplayName          : Zoë Ångström\r\nEnabled              : True\r\n";
    const t = loaded(importText({ "u.txt": utf16le(text) }));
    expect(t.organisation.users[0]!.displayName).toBe("Zoë Ångström");
  });
});

describe("edgesim import: ConvertTo-Json output", () => {
  const r = importText({ "contoso.json": JSON_FORM });
  const t = loaded(r);

  it("several JSON documents (objects and arrays) in one file, every cmdlet recognised from its properties", () => {
    expect(r.summary.errors).toBe(0);
    expect(r.summary.records).toEqual({
      "Get-CsAccessEdgeConfiguration": 1, "Get-CsAllowedDomain": 2, "Get-CsBlockedDomain": 1, "Get-CsHostingProvider": 1, "Get-CsPublicProvider": 1,
      "Get-CsExternalAccessPolicy": 3, "Get-CsXmppAllowedPartner": 1, "Get-CsUser": 2, "Get-CsService": 1,
    });
  });

  it("FED-9: Identity objects (ScopeClass + SiteId/InstanceId) read as Global, Site:Redmond, Tag:NoFederation; a policy reference object by its FriendlyName", () => {
    expect(t.organisation.externalAccessPolicies.map((p) => p.Identity)).toEqual(["Global", "Site:Redmond", "Tag:NoFederation"]);
    expect(t.organisation.users.find((u) => u.uri === "dave@contoso.example")!.policy).toBe("Tag:NoFederation");
  });

  it("FED-2/FED-11/FED-5/XMPP-2: JSON booleans, numbers and null", () => {
    expect(t.federation).toMatchObject({ EnablePartnerDiscovery: true, DiscoveredPartnerStandardRate: 25, MaxContactsPerDiscoveredPartner: 500 });
    expect(t.federation.allowedDomains[0]).toEqual({ Identity: "fabrikam.example", MarkForMonitoring: false });
    expect(t.federation.publicProviders[0]).toMatchObject({ Enabled: false });
    expect(t.federation.xmppAllowedPartners[0]).toMatchObject({ PartnerType: "PublicVerified", SaslNegotiation: "NotSupported" });
  });

  it("PORT-1: a non-default edge port is reported, and unknown properties are kept as comments", () => {
    expect(r.problems).toContainEqual(expect.objectContaining({ severity: "warning", message: expect.stringMatching(/AccessEdgeClientSipPort is 4443; edgesim serves the product default 443 \(PORT-1\)/) }));
    expect(r.yaml).toContain("SkypeSearchUrl: https://skypegraph.example/v1.0/search");
    expect(r.yaml).toContain("HostedVoiceMail: True");
  });

  it("an enum written as a number (Windows PowerShell) is refused with how to export it; the other records import", () => {
    const body = JSON.stringify([{ Identity: "A", ProxyFqdn: "sip.a.example", VerificationLevel: 2, Enabled: true, HostsOCSUsers: false }, { Domain: "b.example", ProxyFqdn: null, MarkForMonitoring: false }], null, 2);
    const r2 = importText({ "p.json": body, "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r2.problems).toContainEqual(expect.objectContaining({ file: "p.json", line: 5, severity: "error", message: expect.stringMatching(/Get-CsHostingProvider: an enum written as the number 2: .*EnumsAsStrings/) }));
    expect(loaded(r2).federation.allowedDomains.map((d) => d.Identity)).toEqual(["b.example"]);
  });
});

describe("edgesim import: bad input is reported as file:line: why, the rest imports", () => {
  const good = "PS> Get-CsAllowedDomain\n\nIdentity  : a.example\nDomain    : a.example\nProxyFqdn :\n\n";

  it("a line that is not `Name : Value` inside a record refuses that record only", () => {
    const r = importText({ "g.txt": `${good}Identity  : b.example\nthis is not shell output\nDomain    : b.example\n\nIdentity  : c.example\nDomain    : c.example\nProxyFqdn : sip.c.example\n`, "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "g.txt", line: 8, severity: "error", message: expect.stringMatching(/not a `Name : Value` line.*'this is not shell output'/) }));
    expect(loaded(r).federation.allowedDomains.map((d) => d.Identity)).toEqual(["a.example", "c.example"]);
  });

  it("Format-Table output is refused with how to export it", () => {
    const r = importText({ "table.txt": "Identity         Domain           ProxyFqdn\n--------         ------           ---------\na.example        a.example\n", "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "table.txt", line: 1, severity: "error", message: expect.stringMatching(/Format-Table output .*export with Format-List or ConvertTo-Json/) }));
  });

  it("a list the shell shortened ({a, b, c, d...}) is refused with how to export it whole", () => {
    const r = importText({ "t.txt": "Identity             : Global\nAllowFederatedUsers  : {a, b, c, d...}\n", "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "t.txt", line: 2, severity: "error", message: expect.stringMatching(/FormatEnumerationLimit/) }));
  });

  it("a record of no known cmdlet is an error; one of a cmdlet edgesim does not read is kept as a comment", () => {
    const r = importText({ "x.txt": `Foo : 1\nBar : 2\n\nPS> Get-CsSite\n\nIdentity : Site:Redmond\nSiteId   : 1\n\n${good}`, "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "x.txt", line: 1, severity: "error", message: expect.stringMatching(/no cmdlet edgesim reads has these properties \(Foo, Bar\)/) }));
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "x.txt", line: 6, severity: "warning", message: expect.stringMatching(/Get-CsSite is not a cmdlet edgesim models/) }));
    expect(loaded(r).federation.allowedDomains).toHaveLength(1);
  });

  it("a malformed JSON object is refused with its line; the objects around it import", () => {
    const body = `[\n  { "Domain": "a.example", "ProxyFqdn": null, "MarkForMonitoring": false },\n  { "Domain": "b.example" "ProxyFqdn": null },\n  { "Domain": "c.example", "ProxyFqdn": "sip.c.example" }\n]\n`;
    const r = importText({ "d.json": body, "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "d.json", line: 3, severity: "error", message: expect.stringMatching(/not valid JSON/) }));
    expect(loaded(r).federation.allowedDomains.map((d) => d.Identity)).toEqual(["a.example", "c.example"]);
  });

  it("a truncated JSON file reports where it ends", () => {
    const r = importText({ "t.json": `[\n  { "Domain": "a.example", "ProxyFqdn": null },\n  { "Domain": "b.exa`, "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "t.json", line: 3, severity: "error", message: expect.stringMatching(/ends inside an object/) }));
    expect(loaded(r).federation.allowedDomains.map((d) => d.Identity)).toEqual(["a.example"]);
  });

  it("binary garbage is refused as a whole file; a bad value names the cmdlet and property", () => {
    const r = importText({ "g.bin": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), "b.txt": "Identity            : Global\nAllowFederatedUsers : Maybe\n", "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "g.bin", line: 1, severity: "error", message: expect.stringMatching(/binary data/) }));
    expect(r.problems).toContainEqual(expect.objectContaining({ file: "b.txt", line: 2, severity: "error", message: expect.stringMatching(/Get-CsAccessEdgeConfiguration: expected True or False, found "Maybe"/) }));
    // FED-1: with no access edge record imported, federation is off as the product ships.
    expect(loaded(r).federation.AllowFederatedUsers).toBe(false);
  });

  it("nothing in the input is executed: a value that looks like a command stays text", () => {
    const r = importText({ "e.txt": "PS> Get-CsAllowedDomain\n\nIdentity  : a.example\nDomain    : a.example\nComment   : $(Remove-Item C:\\ -Recurse) `whoami`\n", "u.txt": "SipAddress : sip:x@contoso.example\n" });
    expect(loaded(r).federation.allowedDomains[0]!.Comment).toBe("$(Remove-Item C:\\ -Recurse) `whoami`");
  });
});
