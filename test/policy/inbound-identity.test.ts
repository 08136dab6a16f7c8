import { describe, expect, it } from "vitest";
import { certificateNamesInclude, expectedPeerName } from "../../edge/policy/cert-names.ts";
import { decide } from "../../edge/policy/decide.ts";
import type { PeerIdentity } from "../../edge/policy/request.ts";
import type { Route } from "../../edge/policy/verdict.ts";
import { federationConfig, inbound, peer } from "./fixtures.ts";

const config = federationConfig();
const shared = federationConfig((c) => (c.hostingProviders[0]!.EnabledSharedAddressSpace = true));

describe("FED-10 inbound identity", () => {
  const cases: { name: string; from: string; to?: string; remote: PeerIdentity; allowed: boolean; status?: number; text?: RegExp; cfg?: typeof config }[] = [
    { name: "FED-10: a peer claiming one of our own SIP domains is refused", from: "sip:ceo@contoso.com", remote: peer(["sip.litware.com"], ["sip.litware.com"]), allowed: false, status: 403, text: /own SIP domains/ },
    { name: "FED-10: our own domain from a hoster sharing the address space is accepted (FED-5 split domain)", from: "sip:zed@contoso.com", remote: peer(["sipfed.online.lync.com"]), allowed: true, cfg: shared },
    { name: "FED-10: our own domain from a hoster without shared address space is refused", from: "sip:zed@contoso.com", remote: peer(["sipfed.online.lync.com"]), allowed: false, status: 403 },
    { name: "FED-10: a discovered peer claiming a domain whose SRV names another edge is refused", from: "sip:x@fabrikam.com", remote: peer(["sip.litware.com"], ["sip.fabrikam.com"]), allowed: false, status: 403, text: /sip\.fabrikam\.com/ },
    { name: "FED-10: a domain that publishes no federation SRV record cannot be served by any peer", from: "sip:x@litware.com", remote: peer(["sip.litware.com"], []), allowed: false, status: 403 },
    { name: "FED-10: an unresolved SRV lookup for the sender domain is a 504", from: "sip:x@litware.com", remote: peer(["sip.litware.com"]), allowed: false, status: 504 },
    { name: "FED-10: any of several SRV targets may be the peer (DNS load-balanced pool)", from: "sip:x@litware.com", remote: peer(["edge2.litware.com"], ["edge1.litware.com", "edge2.litware.com"]), allowed: true },
    { name: "FED-10: a request addressed to a domain that is not ours is refused 404", from: "sip:x@litware.com", to: "sip:y@other.example", remote: peer(["sip.litware.com"], ["sip.litware.com"]), allowed: false, status: 404 },
    { name: "FED-10: the ProxyFqdn of an allowed partner server is not a licence for other domains", from: "sip:x@fabrikam.com", remote: peer(["sip.northwind.com"], ["sip.fabrikam.com"]), allowed: false, status: 403 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = decide(c.cfg ?? config, inbound(c.from, c.remote, c.to));
      expect(verdict.allowed).toBe(c.allowed);
      if (c.status !== undefined) expect(verdict.refusal?.status).toBe(c.status);
      if (!c.allowed) expect(verdict.rules).toContain("FED-10");
      if (c.text) expect(verdict.refusal?.diagnostics.text).toMatch(c.text);
    });
  }
});

describe("CERT-2 the name checked is the FQDN from SRV or ProxyFqdn", () => {
  const matchCases: { name: string; names: string[]; fqdn: string; match: boolean }[] = [
    { name: "CERT-2: SAN equal to the FQDN matches, ignoring case and a trailing dot", names: ["SIP.Fabrikam.COM."], fqdn: "sip.fabrikam.com", match: true },
    { name: "CERT-2: a SAN for another host does not match", names: ["webconf.fabrikam.com"], fqdn: "sip.fabrikam.com", match: false },
    { name: "CERT-2: a wildcard SAN is not accepted for SIP federation", names: ["*.fabrikam.com"], fqdn: "sip.fabrikam.com", match: false },
    { name: "CERT-2: the subject CN counts as one of the names", names: ["sip.fabrikam.com", "fabrikam.com"], fqdn: "fabrikam.com", match: true },
    { name: "CERT-2: no certificate names never match", names: [], fqdn: "sip.fabrikam.com", match: false },
  ];
  for (const c of matchCases) it(c.name, () => expect(certificateNamesInclude(c.names, c.fqdn)).toBe(c.match));

  const routeCases: { name: string; route: Route; srvTarget?: string; expected: string | undefined }[] = [
    { name: "CERT-2: an SRV route checks the SRV target, not the SIP domain", route: { kind: "srv", domain: "fabrikam.com", srvName: "_sipfederationtls._tcp.fabrikam.com", port: 5061, rule: "FED-3" }, srvTarget: "sip.fabrikam.com", expected: "sip.fabrikam.com" },
    { name: "CERT-2: a ProxyFqdn route checks the ProxyFqdn", route: { kind: "proxyFqdn", domain: "northwind.com", fqdn: "sip.northwind.com", port: 5061, rule: "FED-4" }, expected: "sip.northwind.com" },
    { name: "CERT-2: a default route checks DefaultRouteFqdn", route: { kind: "defaultRoute", domain: "x.example", fqdn: "edge.hoster.example", port: 5061, rule: "FED-8" }, expected: "edge.hoster.example" },
    { name: "CERT-2: internal delivery checks no federation name", route: { kind: "internal", user: "sip:a@contoso.com" }, expected: undefined },
  ];
  for (const c of routeCases) it(c.name, () => expect(expectedPeerName(c.route, c.srvTarget)).toBe(c.expected));
});
