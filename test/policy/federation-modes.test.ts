import { describe, expect, it } from "vitest";
import type { FederationConfig } from "../../edge/policy/config.ts";
import { decide } from "../../edge/policy/decide.ts";
import type { PolicyRequest } from "../../edge/policy/request.ts";
import type { Route } from "../../edge/policy/verdict.ts";
import { ALICE, discoveredPeer, federationConfig, inbound, outbound, peer } from "./fixtures.ts";

interface Case {
  name: string;
  config: FederationConfig;
  request: PolicyRequest;
  allowed: boolean;
  route?: Partial<Route>;
  rules: string[];
  status?: number;
}

const fedOff = federationConfig((c) => (c.accessEdge.AllowFederatedUsers = false));
const noDiscovery = federationConfig((c) => (c.accessEdge.EnablePartnerDiscovery = false));
const defaultRouting = federationConfig((c) => {
  c.accessEdge.RoutingMethod = "UseDefaultRouting";
  c.accessEdge.DefaultRouteFqdn = "edge.hoster.example";
  c.accessEdge.EnablePartnerDiscovery = false;
  c.hostingProviders = [];
  c.publicProviders = [];
});

const outboundCases: Case[] = [
  { name: "FED-1: with AllowFederatedUsers false an outbound request to an allowed domain is refused", config: fedOff, request: outbound("sip:x@fabrikam.com"), allowed: false, rules: ["FED-1"], status: 403 },
  { name: "FED-2: with discovery on an unlisted domain is routed by _sipfederationtls._tcp SRV", config: federationConfig(), request: outbound("sip:x@litware.com"), allowed: true, route: { kind: "srv", srvName: "_sipfederationtls._tcp.litware.com", port: 5061, rule: "FED-2" }, rules: ["FED-2"] },
  { name: "FED-2: with discovery off an unlisted domain is refused 403", config: noDiscovery, request: outbound("sip:x@litware.com"), allowed: false, rules: ["FED-2"], status: 403 },
  { name: "FED-3: an allowed domain without ProxyFqdn is routed by SRV even with discovery off", config: noDiscovery, request: outbound("sip:x@fabrikam.com"), allowed: true, route: { kind: "srv", domain: "fabrikam.com", srvName: "_sipfederationtls._tcp.fabrikam.com", rule: "FED-3" }, rules: ["FED-3"] },
  { name: "FED-4: an allowed domain with ProxyFqdn goes straight to that FQDN on 5061, no SRV", config: federationConfig(), request: outbound("sip:x@northwind.com"), allowed: true, route: { kind: "proxyFqdn", fqdn: "sip.northwind.com", port: 5061, rule: "FED-4" }, rules: ["FED-4"] },
  { name: "FED-5: a public IM domain goes to the public provider (PIC-1)", config: noDiscovery, request: outbound("sip:x@hotmail.com"), allowed: true, route: { kind: "provider", provider: "WindowsLive", providerKind: "public" }, rules: ["FED-5"] },
  { name: "FED-5: a disabled public provider does not route; with discovery off the domain is refused", config: federationConfig((c) => { c.accessEdge.EnablePartnerDiscovery = false; c.publicProviders[0]!.Enabled = false; }), request: outbound("sip:x@hotmail.com"), allowed: false, rules: ["FED-5", "FED-2"], status: 403 },
  { name: "FED-5: split domain - an own-domain user not homed here goes to the shared-address-space hoster", config: federationConfig((c) => { c.hostingProviders[0]!.EnabledSharedAddressSpace = true; }), request: outbound("sip:zed@contoso.com"), allowed: true, route: { kind: "provider", provider: "LyncOnline" }, rules: ["FED-5"] },
  { name: "FED-6: a blocked domain is refused outbound even with discovery on", config: federationConfig(), request: outbound("sip:x@evil.example"), allowed: false, rules: ["FED-6"], status: 403 },
  { name: "FED-6: a domain both allowed and blocked is refused (blocked wins)", config: federationConfig((c) => c.blockedDomains.push({ Identity: "Fabrikam.com" })), request: outbound("sip:x@fabrikam.com"), allowed: false, rules: ["FED-6"], status: 403 },
  { name: "FED-8: default routing sends every federated request to DefaultRouteFqdn", config: defaultRouting, request: outbound("sip:x@northwind.com"), allowed: true, route: { kind: "defaultRoute", fqdn: "edge.hoster.example", rule: "FED-8" }, rules: ["FED-8"] },
  { name: "FED-8: default routing without DefaultRouteFqdn cannot route (504)", config: federationConfig((c) => { c.accessEdge.RoutingMethod = "UseDefaultRouting"; }), request: outbound("sip:x@fabrikam.com"), allowed: false, rules: ["FED-8"], status: 504 },
  { name: "FED-10: our own SIP domain is not federated traffic (404)", config: federationConfig(), request: outbound("sip:bob@contoso.com"), allowed: false, rules: ["FED-10"], status: 404 },
];

const inboundCases: Case[] = [
  { name: "FED-1: with AllowFederatedUsers false an inbound request from an allowed partner is refused", config: fedOff, request: inbound("sip:x@northwind.com", peer(["sip.northwind.com"])), allowed: false, rules: ["FED-1"], status: 403 },
  { name: "FED-2: a discovered partner whose certificate names its SRV target is delivered", config: federationConfig(), request: inbound("sip:x@litware.com", discoveredPeer("litware.com")), allowed: true, route: { kind: "internal", user: ALICE }, rules: ["FED-2", "CERT-2", "FED-11"] },
  { name: "FED-2: with discovery off an unlisted sender domain is refused", config: noDiscovery, request: inbound("sip:x@litware.com", discoveredPeer("litware.com")), allowed: false, rules: ["FED-2"], status: 403 },
  { name: "FED-3: an allowed domain is accepted from the edge its SRV record names", config: noDiscovery, request: inbound("sip:x@fabrikam.com", peer(["sip.fabrikam.com"], ["sip.fabrikam.com"])), allowed: true, route: { kind: "internal" }, rules: ["FED-3", "CERT-2"] },
  { name: "FED-4: an allowed partner server is accepted from a peer whose certificate names the ProxyFqdn", config: federationConfig(), request: inbound("sip:x@northwind.com", peer(["SIP.Northwind.com."])), allowed: true, route: { kind: "internal" }, rules: ["FED-4", "CERT-2"] },
  { name: "FED-4: after the partner moves its edge, the old ProxyFqdn no longer matches and traffic is refused", config: federationConfig(), request: inbound("sip:x@northwind.com", peer(["newedge.northwind.com"], ["newedge.northwind.com"])), allowed: false, rules: ["FED-4", "FED-10"], status: 403 },
  { name: "FED-5: any domain arriving from a public IM provider's ProxyFqdn is accepted", config: noDiscovery, request: inbound("sip:x@anything.example", peer(["federation.messenger.msn.com"])), allowed: true, route: { kind: "internal" }, rules: ["FED-5"] },
  { name: "FED-5: a disabled provider's traffic is not accepted as a provider", config: federationConfig((c) => { c.accessEdge.EnablePartnerDiscovery = false; c.publicProviders[0]!.Enabled = false; }), request: inbound("sip:x@anything.example", peer(["federation.messenger.msn.com"])), allowed: false, rules: ["FED-5"], status: 403 },
  { name: "FED-6: a blocked domain is refused inbound even when discovery is on", config: federationConfig(), request: inbound("sip:x@evil.example", discoveredPeer("evil.example")), allowed: false, rules: ["FED-6"], status: 403 },
  { name: "FED-6: a blocked domain is refused inbound even from a provider's proxy", config: federationConfig(), request: inbound("sip:x@evil.example", peer(["sipfed.online.lync.com"])), allowed: false, rules: ["FED-6"], status: 403 },
  { name: "FED-8: default routing accepts traffic from the DefaultRouteFqdn peer", config: defaultRouting, request: inbound("sip:x@anywhere.example", peer(["edge.hoster.example"])), allowed: true, route: { kind: "internal" }, rules: ["FED-8", "CERT-2"] },
  { name: "FED-8: default routing refuses traffic from any other peer", config: defaultRouting, request: inbound("sip:x@anywhere.example", discoveredPeer("anywhere.example")), allowed: false, rules: ["FED-8", "FED-10"], status: 403 },
];

describe("federation modes (FED-1..FED-6, FED-8)", () => {
  for (const c of [...outboundCases, ...inboundCases]) {
    it(c.name, () => {
      const verdict = decide(c.config, c.request);
      expect(verdict.allowed).toBe(c.allowed);
      for (const rule of c.rules) expect(verdict.rules).toContain(rule);
      if (c.route) expect(verdict.route).toMatchObject(c.route);
      if (c.status !== undefined) expect(verdict.refusal?.status).toBe(c.status);
      if (c.allowed) expect(verdict.refusal).toBeUndefined();
    });
  }

  it("FED-1: the refusal names FED-1 as the last step when federation is off", () => {
    const verdict = decide(fedOff, inbound("sip:x@litware.com", discoveredPeer("litware.com")));
    expect(verdict.steps.at(-1)?.rule).toBe("FED-1");
    expect(verdict.rules).not.toContain("FED-2");
  });

  it("FED-4: an allowed partner server takes precedence over a provider when both could apply", () => {
    const config = federationConfig((c) => c.publicProviders[0]!.servedDomains!.push("northwind.com"));
    expect(decide(config, outbound("sip:x@northwind.com")).route).toMatchObject({ kind: "proxyFqdn", rule: "FED-4" });
  });
});
