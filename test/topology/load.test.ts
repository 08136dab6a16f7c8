import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseTopology, parseTopologyWithWarnings } from "../../harness/topology/load.ts";
import { TopologyConfigError, type ConfigProblem } from "../../harness/topology/config-error.ts";
import { TOPOLOGIES } from "../../harness/topology/registry.ts";
import { closestName } from "../../harness/topology/schema-issues.ts";

const contosoText = readFileSync(TOPOLOGIES.contoso!.file, "utf8");

function problemsOf(text: string, file = "bad.yaml"): ConfigProblem[] {
  try {
    parseTopology(text, file);
  } catch (err) {
    if (err instanceof TopologyConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected the topology to be refused");
}

/** Line number (1-based) of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`fixture has no line containing ${needle}`);
  return i + 1;
}

describe("topology files", () => {
  it("the default contoso topology is valid and has one partner of each product kind", () => {
    const t = parseTopology(contosoText, "contoso.yaml");
    const kinds = new Set(t.partners.map((p) => p.product));
    expect([...kinds].sort()).toEqual(["hostingProvider", "lync2010", "lync2013", "ocs2007", "ocs2007r2", "publicIm", "xmpp"]);
    expect(t.organisation.edgePool.servers).toHaveLength(2);
    expect(t.organisation.edgePool.loadBalancing).toBe("hlb");
    expect(t.federation.blockedDomains.map((d) => d.Identity)).toContain("blocked.test");
  });

  it("FED-1: federation settings take the product's defaults when left out (federation off)", () => {
    const text = contosoText.split("\nfederation:")[0] + "\n";
    const t = parseTopology(text, "nofed.yaml");
    expect(t.federation.AllowFederatedUsers).toBe(false);
    expect(t.federation.EnablePartnerDiscovery).toBe(false);
    expect(t.federation.RoutingMethod).toBe("UseDnsSrvRouting");
    expect(t.federation.MarkSourceVerifiableOnOutgoingMessages).toBe(true);
    expect(t.federation.DiscoveredPartnerStandardRate).toBe(20);
    expect(t.federation.MaxContactsPerDiscoveredPartner).toBe(1000);
  });

  it("HLB-1/HLB-2: the VIPs default to SNAT for Access and Web Conferencing, no NAT for A/V", () => {
    const t = parseTopology(contosoText);
    expect(t.organisation.edgePool.nat).toEqual({ access: "snat", webconf: "snat", av: "no-nat" });
  });

  const cases: { name: string; edit: (s: string) => string; field: string; line: (s: string) => number; rule?: string; message: RegExp }[] = [
    {
      name: "an unknown field is named with its line",
      edit: (s) => s.replace("  AllowFederatedUsers: true", "  AllowFederatedUsers: true\n  AllowFederatedUser: true"),
      field: "federation.AllowFederatedUser",
      line: (s) => lineOf(s, "AllowFederatedUser: true"),
      message: /unknown field 'AllowFederatedUser'/,
    },
    {
      name: "a wrong type names the field",
      edit: (s) => s.replace("  EnablePartnerDiscovery: true", "  EnablePartnerDiscovery: yes-please"),
      field: "federation.EnablePartnerDiscovery",
      line: (s) => lineOf(s, "EnablePartnerDiscovery: yes-please"),
      message: /boolean/,
    },
    {
      name: "FED-6: a domain both allowed and blocked",
      edit: (s) => s.replace("- { Identity: blocked.test, Comment: \"FED-6\" }", "- { Identity: fabrikam.test }"),
      field: "federation.blockedDomains[0].Identity",
      line: (s) => lineOf(s, "- { Identity: fabrikam.test }"),
      rule: "FED-6",
      message: /on both the allow list \(federation\.allowedDomains\[0\]\.Identity\) and the block list/,
    },
    {
      name: "FED-5: two providers with one ProxyFqdn (hosting and public together)",
      edit: (s) => s.replace("{ Identity: AOL, ProxyFqdn: sip.aim.test", "{ Identity: AOL, ProxyFqdn: sip.hosted.test"),
      field: "federation.publicProviders[0].ProxyFqdn",
      line: (s) => lineOf(s, "Identity: AOL"),
      rule: "FED-5",
      message: /already used at federation\.hostingProviders\[0\]\.ProxyFqdn/,
    },
    {
      name: "FED-5/FED-8: a hosting provider with default routing",
      edit: (s) => s.replace("  EnablePartnerDiscovery: true", "  EnablePartnerDiscovery: false\n  RoutingMethod: UseDefaultRouting\n  DefaultRouteFqdn: sip.hosted.test"),
      field: "federation.hostingProviders[0]",
      line: (s) => lineOf(s, "Identity: Hosted"),
      rule: "FED-8",
      message: /cannot be used with UseDefaultRouting/,
    },
    {
      name: "FED-8: default routing without a DefaultRouteFqdn",
      edit: (s) => s.replace("  EnablePartnerDiscovery: true", "  RoutingMethod: UseDefaultRouting").replace(/ {2}hostingProviders:\n.*\n {2}publicProviders:\n.*\n/, ""),
      field: "federation.DefaultRouteFqdn",
      line: (s) => lineOf(s, "federation:") + 1, // a missing field points at its parent's first line
      rule: "FED-8",
      message: /UseDefaultRouting requires DefaultRouteFqdn/,
    },
    {
      name: "FED-9: a user with an external access policy that does not exist",
      edit: (s) => s.replace("policy: NoFederation }", "policy: NoSuchPolicy }"),
      field: "organisation.users[2].policy",
      line: (s) => lineOf(s, "policy: NoSuchPolicy"),
      rule: "FED-9",
      message: /external access policy NoSuchPolicy does not exist/,
    },
    {
      name: "two zones on one range would put two hosts on one address",
      edit: (s) => s.replace("organisation:\n", "addressing:\n  internal: 127.60.0.0/16\n  internet: 127.60.0.0/16\norganisation:\n"),
      field: "addressing.internet",
      line: (s) => lineOf(s, "internet: 127.60.0.0/16"),
      message: /two hosts\) would share addresses/,
    },
    {
      name: "a zone outside 127.0.0.0/8 is refused",
      edit: (s) => s.replace("organisation:\n", "addressing:\n  internet: 10.0.0.0/16\norganisation:\n"),
      field: "addressing.internet",
      line: (s) => lineOf(s, "internet: 10.0.0.0/16"),
      message: /inside 127\.0\.0\.0\/8/,
    },
    {
      name: "two partner edges with one FQDN",
      edit: (s) => s.replace("fqdn: sip.adatum.test", "fqdn: sip.litware.test"),
      field: "partners[3].edges[0].fqdn",
      line: (s) => lineOf(s, "edges: [{ name: edge1, fqdn: sip.litware.test }]") + 0,
      message: /two hosts cannot share one name/,
    },
    {
      name: "a missing required field points at its parent",
      edit: (s) => s.replace("  internalWebFqdn: lyncwebint.contoso.test\n", ""),
      field: "organisation.internalWebFqdn",
      line: (s) => lineOf(s, "organisation:") + 1,
      message: /missing: this field is required/,
    },
  ];

  it.each(cases)("$name", ({ edit, field, line, rule, message }) => {
    const text = edit(contosoText);
    expect(text).not.toBe(contosoText);
    const problems = problemsOf(text);
    const hit = problems.find((p) => p.field === field);
    expect(hit, `problems were: ${JSON.stringify(problems)}`).toBeDefined();
    expect(hit!.file).toBe("bad.yaml");
    expect(hit!.message).toMatch(message);
    if (rule) expect(hit!.rule).toBe(rule);
    const expected = line(text);
    // The edited partner case has two lines with that text; accept the one the problem names if it holds the field.
    expect(text.split("\n")[hit!.line - 1]).toBeDefined();
    if (field !== "partners[3].edges[0].fqdn") expect(hit!.line).toBe(expected);
    else expect(text.split("\n")[hit!.line - 1]).toContain("sip.litware.test");
  });

  it("a YAML syntax error names the line", () => {
    const problems = problemsOf("name: x\norganisation: [unclosed\n", "syntax.yaml");
    expect(problems[0]!.file).toBe("syntax.yaml");
    expect(problems[0]!.field).toBe("(yaml)");
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  describe("DNS-5: an OCS 2007 / 2007 R2 partner pool on DNS load balancing is a warning, not an error", () => {
    const northwind = "  - domain: northwind.test\n    product: ocs2007\n";
    it("DNS-5: the shipped northwind (OCS 2007, 2 edges, dns) loads, with one warning at its loadBalancing line", () => {
      const { topology, warnings } = parseTopologyWithWarnings(contosoText, "contoso.yaml");
      expect(topology.partners.find((p) => p.domain === "northwind.test")?.loadBalancing).toBe("dns");
      const lines = contosoText.split("\n");
      const line = lines.findIndex((l, i) => i > lineOf(contosoText, "domain: northwind.test") && l.includes("loadBalancing: dns")) + 1;
      expect(warnings).toEqual([expect.objectContaining({ file: "contoso.yaml", field: "partners[2].loadBalancing", rule: "DNS-5", line })]);
    });
    it("DNS-5: an OCS 2007 R2 pool of two edges on DNS load balancing is warned about too", () => {
      const { warnings } = parseTopologyWithWarnings(contosoText.replace(northwind, "  - domain: northwind.test\n    product: ocs2007r2\n"), "r2.yaml");
      expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^northwind\.test runs ocs2007r2, which did not support DNS load balancing/)]);
    });
    it("DNS-5: a Lync 2013 pool on DNS load balancing, or a single OCS 2007 edge, is no warning", () => {
      expect(parseTopologyWithWarnings(contosoText.replace(northwind, "  - domain: northwind.test\n    product: lync2013\n")).warnings).toEqual([]);
      const single = contosoText.replace("edges: [{ name: edge1, fqdn: sip1.northwind.test }, { name: edge2, fqdn: sip2.northwind.test }]", "edges: [{ name: edge1, fqdn: sip1.northwind.test }]");
      expect(parseTopologyWithWarnings(single).warnings).toEqual([]);
    });
  });
});

describe("topology validation in one pass, with suggestions", () => {
  const bad = contosoText
    .replace("  AllowFederatedUsers: true", "  AllowFederatedUser: true")
    .replace("  EnablePartnerDiscovery: true", "  EnablePartnerDiscovery: yes-please")
    .replace('- { Identity: blocked.test, Comment: "FED-6" }', "- { Identity: fabrikam.test }");

  it("FED-6: reports the schema problems and the cross-field problems together, each at its line", () => {
    expect(bad).not.toBe(contosoText);
    const problems = problemsOf(bad);
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ["federation.AllowFederatedUser", lineOf(bad, "AllowFederatedUser: true")],
      ["federation.EnablePartnerDiscovery", lineOf(bad, "EnablePartnerDiscovery: yes-please")],
      ["federation.blockedDomains[0].Identity", lineOf(bad, "- { Identity: fabrikam.test }")],
    ]);
    expect(problems[2]!.rule).toBe("FED-6");
  });

  it("a misspelt field name gets the schema's own name as a suggestion", () => {
    const [typo] = problemsOf(bad);
    expect(typo!.message).toBe("unknown field 'AllowFederatedUser': did you mean 'AllowFederatedUsers'?");
    const caseTypo = problemsOf(contosoText.replace("  internalWebFqdn:", "  InternalWebFQDN:"));
    expect(caseTypo.map((p) => p.message)).toContain("unknown field 'InternalWebFQDN': did you mean 'internalWebFqdn'?");
  });

  it("a field far from every known name lists the names that object knows", () => {
    const problems = problemsOf(contosoText.replace("  AllowFederatedUsers: true", "  AllowFederatedUsers: true\n  colour: blue"));
    expect(problems.find((p) => p.field === "federation.colour")?.message).toMatch(/^unknown field 'colour' \(known here: .*AllowFederatedUsers, .*EnablePartnerDiscovery/);
  });

  it("the cross-field checks wait when a required value is wrong (they would only guess)", () => {
    const text = contosoText.replace("  internalWebFqdn: lyncwebint.contoso.test\n", "").replace('- { Identity: blocked.test, Comment: "FED-6" }', "- { Identity: fabrikam.test }");
    expect(problemsOf(text).map((p) => p.field)).toEqual(["organisation.internalWebFqdn"]);
  });
});

describe("closestName (did you mean)", () => {
  it.each([
    ["AllowFederatedUser", "AllowFederatedUsers"],
    ["EnablePartnerDisocvery", "EnablePartnerDiscovery"],
    ["proxyfqdn", "ProxyFqdn"],
    ["Identiy", "Identity"],
    ["colour", undefined],
    ["ab", undefined],
  ])("%s -> %s", (word, expected) => {
    expect(closestName(word, ["AllowFederatedUsers", "EnablePartnerDiscovery", "ProxyFqdn", "Identity", "Comment"])).toBe(expected);
  });
});
