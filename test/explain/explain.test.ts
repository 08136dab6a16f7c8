import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { explainOffline } from "../../harness/explain/offline.ts";
import { loadTopology } from "../../harness/topology/registry.ts";
import type { Topology } from "../../harness/topology/schema.ts";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../harness/cli/bin.mjs");

function contoso(edit?: (t: Topology) => void): Topology {
  const t = structuredClone(loadTopology("contoso"));
  edit?.(t);
  return t;
}

interface Case {
  name: string;
  from: string;
  to: string;
  edit?: (t: Topology) => void;
  allowed: boolean;
  rule: string;
  route?: string;
  status?: number;
  dns?: RegExp;
}

const cases: Case[] = [
  { name: "FED-3: an allowed partner domain is found by SRV", from: "alice@contoso.test", to: "bob@fabrikam.test", allowed: true, rule: "FED-3", route: "srv", dns: /sip1\.fabrikam\.test:5061/ },
  { name: "FED-4: direct federation connects to the ProxyFqdn with no SRV lookup", from: "alice@contoso.test", to: "lee@litware.test", allowed: true, rule: "FED-4", route: "proxyFqdn", dns: /no SRV lookup; connect to sip\.litware\.test:5061/ },
  { name: "FED-2: a discovered partner is found by SRV when discovery is on", from: "alice@contoso.test", to: "nancy@northwind.test", allowed: true, rule: "FED-2", route: "srv" },
  { name: "DNS-1: explain says our edge tries an OCS 2007 partner's targets in turn until one answers", from: "alice@contoso.test", to: "nancy@northwind.test", allowed: true, rule: "FED-2", dns: /DNS-1: our Lync 2013 edge tries the targets in this order until one answers/ },
  { name: "DNS-5: explain says an OCS 2007 partner connecting to our DNS-load-balanced pool stays with the first edge that answers", from: "nancy@northwind.test", to: "carol@contoso.test", edit: (t) => void (t.organisation.edgePool.loadBalancing = "dns"), allowed: true, rule: "FED-2", dns: /DNS-5: ocs2007 establishes with the first edge .* does not fail over/ },
  { name: "DNS-5: explain says an OCS 2007 partner reconnects through our HLB's VIP", from: "nancy@northwind.test", to: "carol@contoso.test", allowed: true, rule: "FED-2", dns: /DNS-5: ocs2007 sees one VIP/ },
  { name: "FED-2: with discovery off, an unlisted domain is refused", from: "alice@contoso.test", to: "nancy@northwind.test", edit: (t) => void (t.federation.EnablePartnerDiscovery = false), allowed: false, rule: "FED-2", status: 403 },
  { name: "FED-5: a hosted domain is accepted inbound with discovery on when its SRV names the provider's proxy", from: "tom@tailspin.test", to: "carol@contoso.test", allowed: true, rule: "FED-5", route: "internal" },
  { name: "FED-5: with discovery off and no allowed-domain entry, a hosted domain is refused inbound like a stranger", from: "tom@tailspin.test", to: "carol@contoso.test", edit: (t) => void (t.federation.EnablePartnerDiscovery = false), allowed: false, rule: "FED-5", status: 403 },
  { name: "FED-5: with discovery off and no allowed-domain entry, a hosted domain is refused outbound", from: "alice@contoso.test", to: "tom@tailspin.test", edit: (t) => void (t.federation.EnablePartnerDiscovery = false), allowed: false, rule: "FED-2", status: 403 },
  { name: "FED-5 / FED-3: a hosted domain on the allowed domains list is reached by SRV, which names the provider's proxy", from: "alice@contoso.test", to: "tom@tailspin.test", edit: (t) => { t.federation.EnablePartnerDiscovery = false; t.federation.allowedDomains.push({ Identity: "tailspin.test", MarkForMonitoring: false }); }, allowed: true, rule: "FED-3", route: "srv", dns: /sip\.hosted\.test:5061/ },
  { name: "FED-5 / FED-3: a hosted domain on the allowed domains list is accepted inbound from the provider", from: "tom@tailspin.test", to: "carol@contoso.test", edit: (t) => { t.federation.EnablePartnerDiscovery = false; t.federation.allowedDomains.push({ Identity: "tailspin.test", MarkForMonitoring: false }); }, allowed: true, rule: "FED-5", route: "internal" },
  { name: "FED-5 / PIC-2: outbound to a public IM provider routes to its ProxyFqdn and needs clientAuth", from: "alice@contoso.test", to: "buddy@aim.test", allowed: true, rule: "FED-5", route: "provider", dns: /PIC-2/ },
  { name: "FED-6: a blocked domain is refused inbound", from: "mallory@blocked.test", to: "alice@contoso.test", allowed: false, rule: "FED-6", status: 403 },
  { name: "FED-6: a blocked domain is refused outbound", from: "alice@contoso.test", to: "mallory@blocked.test", allowed: false, rule: "FED-6", status: 403 },
  { name: "FED-1: with federation off nothing federated passes", from: "alice@contoso.test", to: "bob@fabrikam.test", edit: (t) => void (t.federation.AllowFederatedUsers = false), allowed: false, rule: "FED-1", status: 403 },
  { name: "FED-9: a user whose policy lacks EnableFederationAccess cannot federate", from: "dave@contoso.test", to: "bob@fabrikam.test", allowed: false, rule: "FED-9", status: 403 },
  { name: "FED-8: default routing sends everything to the DefaultRouteFqdn", from: "alice@contoso.test", to: "bob@fabrikam.test", edit: (t) => { t.federation.RoutingMethod = "UseDefaultRouting"; t.federation.DefaultRouteFqdn = "sip.hosted.test"; t.federation.EnablePartnerDiscovery = false; t.federation.hostingProviders = []; t.federation.publicProviders = []; }, allowed: true, rule: "FED-8", route: "defaultRoute" },
  {
    name: "FED-10: a partner claiming a domain it does not serve is refused",
    from: "bob@litware.test",
    to: "alice@contoso.test",
    edit: (t) => {
      // fabrikam's edges send From litware.test, which SRV does not give to them.
      t.partners = t.partners.filter((p) => p.domain !== "litware.test");
      t.partners.find((p) => p.domain === "fabrikam.test")!.claimsDomain = "litware.test";
      t.federation.allowedDomains = t.federation.allowedDomains.filter((d) => d.Identity !== "litware.test");
      t.dnsRecords.push({ view: "external", name: "_sipfederationtls._tcp.litware.test", type: "SRV", value: "sip.litware-real.test", port: 5061, priority: 0, weight: 100, replace: false });
    },
    allowed: false,
    rule: "FED-10",
    status: 403,
  },
];

const xmppCases: Case[] = [
  { name: "XMPP-2: an allowed XMPP partner gets the XMPP verdict, not the SIP rules", from: "alice@contoso.test", to: "romeo@jabber.test", allowed: true, rule: "XMPP-2", route: "xmpp", dns: /_xmpp-server\._tcp\.jabber\.test -> xmpp\.jabber\.test:5269/ },
  { name: "XMPP-2: an XMPP partner's IM to our user is allowed by the XMPP rules", from: "romeo@jabber.test", to: "carol@contoso.test", allowed: true, rule: "XMPP-2", route: "internal" },
  { name: "XMPP-2: an XMPP partner missing from the allowed-partner list is refused 53020", from: "romeo@jabber.test", to: "carol@contoso.test", edit: (t) => void (t.federation.xmppAllowedPartners = []), allowed: false, rule: "XMPP-2", status: 403 },
  { name: "FED-1: with AllowFederatedUsers false an XMPP partner is refused too, inbound", from: "romeo@jabber.test", to: "carol@contoso.test", edit: (t) => void (t.federation.AllowFederatedUsers = false), allowed: false, rule: "FED-1", status: 403 },
  { name: "FED-1: with AllowFederatedUsers false an XMPP partner is refused too, outbound", from: "alice@contoso.test", to: "romeo@jabber.test", edit: (t) => void (t.federation.AllowFederatedUsers = false), allowed: false, rule: "FED-1", status: 403 },
  { name: "FED-9: a user without EnableXmppAccess may not use XMPP federation", from: "dave@contoso.test", to: "romeo@jabber.test", allowed: false, rule: "FED-9", status: 403 },
  { name: "XMPP-5: a user homed on a survivable branch appliance may not use XMPP federation", from: "romeo@jabber.test", to: "erin@contoso.test", allowed: false, rule: "XMPP-5", status: 403 },
  { name: "XMPP-1: with XMPP federation off on the edge pool an XMPP partner is refused", from: "romeo@jabber.test", to: "carol@contoso.test", edit: (t) => void (t.federation.EnableXmppFederation = false), allowed: false, rule: "XMPP-1", status: 403 },
];

describe("edgesim explain (the offline verdict)", () => {
  it.each(xmppCases)("$name", ({ from, to, edit, allowed, rule, route, status, dns }) => {
    const e = explainOffline(contoso(edit), from, to);
    expect(e.protocol).toBe("xmpp");
    expect(e.verdict.allowed, JSON.stringify(e.verdict.steps)).toBe(allowed);
    expect(e.verdict.rules).toContain(rule);
    expect(e.verdict.rules).not.toContain("FED-2");
    if (route) expect(e.verdict.route?.kind).toBe(route);
    if (status) {
      expect(e.verdict.refusal?.status).toBe(status);
      expect(e.verdict.refusal?.diagnostics.text).toContain(rule);
      expect(e.verdict.steps.at(-1)?.rule).toBe(rule);
    }
    if (dns) expect(e.dnsSteps.join("\n")).toMatch(dns);
  });

  it("DNS-1: a route the policy allows but DNS does not lead to is not deliverable: allowed by policy but unreachable (504, no SRV record)", () => {
    const e = explainOffline(contoso(), "alice@contoso.test", "x@nowhere.test");
    expect(e.verdict.allowed).toBe(true);
    expect(e.deliverable).toBe(false);
    expect(e.reachability).toMatchObject({ reachable: false, rule: "DNS-1", status: 504, code: 54011 });
    expect(e.headline).toMatch(/^ALLOWED BY POLICY BUT UNREACHABLE \(504\): no SRV record _sipfederationtls\._tcp\.nowhere\.test/);
  });

  it("DNS-1: a direct-federation ProxyFqdn with no A record is unreachable (504 54012)", () => {
    const e = explainOffline(contoso((t) => void (t.federation.allowedDomains.find((d) => d.Identity === "litware.test")!.ProxyFqdn = "gone.litware.test")), "alice@contoso.test", "lee@litware.test");
    expect(e.deliverable).toBe(false);
    expect(e.reachability).toMatchObject({ reachable: false, status: 504, code: 54012 });
  });

  it("PIC-2: a public IM provider that needs our clientAuth EKU, which our certificate lacks, is unreachable (504 54031), not ALLOWED", () => {
    const e = explainOffline(contoso((t) => void (t.organisation.edgePool.certificate.omitClientAuth = true)), "alice@contoso.test", "buddy@aim.test");
    expect(e.verdict.allowed).toBe(true);
    expect(e.deliverable).toBe(false);
    expect(e.reachability).toMatchObject({ reachable: false, rule: "PIC-2", status: 504, code: 54031 });
    expect(explainOffline(contoso(), "alice@contoso.test", "buddy@aim.test").deliverable).toBe(true);
  });

  it("DNS-1: a reachable route is deliverable and its headline is ALLOWED", () => {
    const e = explainOffline(contoso(), "alice@contoso.test", "bob@fabrikam.test");
    expect(e.deliverable).toBe(true);
    expect(e.headline).toBe("ALLOWED");
  });

  it("DNS-1: the CLI's headline says unreachable, not ALLOWED, and exits 1", async () => {
    const err = await run(process.execPath, [BIN, "explain", "--from", "alice@contoso.test", "--to", "x@nowhere.test"]).then(() => undefined, (e) => e as { code: number; stdout: string });
    expect(err?.code).toBe(1);
    expect(err?.stdout.split("\n")[2]).toMatch(/^ALLOWED BY POLICY BUT UNREACHABLE \(504\): no SRV record/);
    expect(err?.stdout).not.toMatch(/^ALLOWED\s+rules/m);
  });

  it("XMPP-2: the CLI's --json explains an XMPP partner with the XMPP rules (protocol xmpp)", async () => {
    const { stdout } = await run(process.execPath, [BIN, "explain", "--from", "romeo@jabber.test", "--to", "carol@contoso.test", "--json"]);
    const out = JSON.parse(stdout);
    expect(out.protocol).toBe("xmpp");
    expect(out.verdict.rules).toContain("XMPP-2");
    expect(out.deliverable).toBe(true);
  });

  it.each(cases)("$name", ({ from, to, edit, allowed, rule, route, status, dns }) => {
    const e = explainOffline(contoso(edit), from, to);
    expect(e.verdict.allowed, JSON.stringify(e.verdict.steps)).toBe(allowed);
    expect(e.verdict.rules).toContain(rule);
    if (route) expect(e.verdict.route?.kind).toBe(route);
    if (status) {
      expect(e.verdict.refusal?.status).toBe(status);
      expect(e.verdict.refusal?.diagnostics.text).toContain(rule);
    }
    if (dns) expect(e.dnsSteps.join("\n")).toMatch(dns);
  });

  it("FED-12: the CLI prints the decision path with rule IDs and exits 1 for a refusal", async () => {
    const err = await run(process.execPath, [BIN, "explain", "--from", "mallory@blocked.test", "--to", "alice@contoso.test"]).then(() => undefined, (e) => e as { code: number; stdout: string });
    expect(err?.code).toBe(1);
    expect(err?.stdout).toMatch(/REFUSED\s+rules: FED-1, FED-6/);
    expect(err?.stdout).toMatch(/ms-diagnostics: \d+;reason="FED-6: Domain is blocked: blocked\.test"/);
  });

  it("the CLI's --json verdict is the policy engine's verdict", async () => {
    const { stdout } = await run(process.execPath, [BIN, "explain", "--from", "alice@contoso.test", "--to", "lee@litware.test", "--json"]);
    const out = JSON.parse(stdout);
    const e = explainOffline(loadTopology("contoso"), "alice@contoso.test", "lee@litware.test");
    expect(out.verdict.allowed).toBe(true);
    expect(out.verdict.rules).toEqual(e.verdict.rules);
    expect(out.verdict.route).toEqual(e.verdict.route);
    expect(out.direction).toBe("outbound");
  });

  it("traffic that touches none of our domains is a usage error (exit 2)", async () => {
    const err = await run(process.execPath, [BIN, "explain", "--from", "bob@fabrikam.test", "--to", "lee@litware.test"]).then(() => undefined, (e) => e as { code: number; stderr: string });
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/neither .* is in one of our SIP domains/);
  });
});
