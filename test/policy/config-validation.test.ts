import { describe, expect, it } from "vitest";
import type { FederationConfig } from "../../edge/policy/config.ts";
import { defaultAccessEdgeConfiguration, newHostingProvider, newPublicProvider, newXmppAllowedPartner, validateFederationConfig } from "../../edge/policy/config.ts";
import { federationConfig } from "./fixtures.ts";

describe("configuration defaults", () => {
  it("FED-1: the defaults have federation and discovery off, SRV routing, the documented FED-11 numbers", () => {
    expect(defaultAccessEdgeConfiguration()).toMatchObject({
      AllowFederatedUsers: false,
      EnablePartnerDiscovery: false,
      RoutingMethod: "UseDnsSrvRouting",
      MarkSourceVerifiableOnOutgoingMessages: true,
      DiscoveredPartnerStandardRate: 20,
      MaxContactsPerDiscoveredPartner: 1000,
      DiscoveredPartnerReportPeriodMinutes: 60,
      EnableDiscoveredPartnerContactsLimit: true,
      AllowOutsideUsers: true,
    });
  });

  it("FED-5: providers default to AlwaysVerifiable and Enabled; XMPP-2 partners to PublicUnverified, Required, dialback", () => {
    expect(newHostingProvider({ Identity: "h", ProxyFqdn: "h.example" })).toMatchObject({ VerificationLevel: "AlwaysVerifiable", Enabled: true, EnabledSharedAddressSpace: false });
    expect(newPublicProvider({ Identity: "p", ProxyFqdn: "p.example" })).toMatchObject({ VerificationLevel: "AlwaysVerifiable", Enabled: true });
    expect(newXmppAllowedPartner({ Identity: "jabber.example" })).toMatchObject({ PartnerType: "PublicUnverified", TlsNegotiation: "Required", SaslNegotiation: "Required", SupportDialbackNegotiation: true });
  });
});

describe("validateFederationConfig", () => {
  it("FED-6: the fixture configuration is consistent", () => {
    expect(validateFederationConfig(federationConfig())).toEqual([]);
  });

  const cases: { name: string; mutate: (c: FederationConfig) => void; rule: string; path: string; message?: RegExp }[] = [
    { name: "FED-6: a domain on both the allow list and the block list", mutate: (c) => c.blockedDomains.push({ Identity: "FABRIKAM.com" }), rule: "FED-6", path: "federation.blockedDomains[1].Identity", message: /allowedDomains\[0\]/ },
    { name: "FED-6: a domain blocked twice", mutate: (c) => c.blockedDomains.push({ Identity: "evil.example" }), rule: "FED-6", path: "federation.blockedDomains[1].Identity" },
    { name: "FED-3: a domain allowed twice", mutate: (c) => c.allowedDomains.push({ Identity: "fabrikam.com." }), rule: "FED-3", path: "federation.allowedDomains[2].Identity" },
    { name: "FED-4: a ProxyFqdn that is an IP address", mutate: (c) => (c.allowedDomains[1]!.ProxyFqdn = "192.0.2.10"), rule: "FED-4", path: "federation.allowedDomains[1].ProxyFqdn", message: /not an IP/ },
    { name: "FED-5: a provider Identity used by a hosting and a public provider", mutate: (c) => (c.publicProviders[0]!.Identity = "lynconline"), rule: "FED-5", path: "federation.publicProviders[0].Identity" },
    { name: "FED-5: a ProxyFqdn shared by two providers", mutate: (c) => (c.publicProviders[1]!.ProxyFqdn = "SIPFED.online.lync.com"), rule: "FED-5", path: "federation.publicProviders[1].ProxyFqdn" },
    { name: "FED-8: providers with UseDefaultRouting", mutate: (c) => { c.accessEdge.RoutingMethod = "UseDefaultRouting"; c.accessEdge.DefaultRouteFqdn = "edge.hoster.example"; }, rule: "FED-8", path: "federation.hostingProviders[0]", message: /FED-5/ },
    { name: "FED-8: partner discovery with UseDefaultRouting", mutate: (c) => { c.accessEdge.RoutingMethod = "UseDefaultRouting"; c.accessEdge.DefaultRouteFqdn = "edge.hoster.example"; }, rule: "FED-8", path: "federation.accessEdge.EnablePartnerDiscovery" },
    { name: "FED-8: UseDefaultRouting without DefaultRouteFqdn", mutate: (c) => (c.accessEdge.RoutingMethod = "UseDefaultRouting"), rule: "FED-8", path: "federation.accessEdge.DefaultRouteFqdn" },
    { name: "FED-11: a zero DiscoveredPartnerStandardRate", mutate: (c) => (c.accessEdge.DiscoveredPartnerStandardRate = 0), rule: "FED-11", path: "federation.accessEdge.DiscoveredPartnerStandardRate" },
    { name: "FED-9: a user assigned a policy that does not exist", mutate: (c) => (c.organisation.users[2]!.policy = "Missing"), rule: "FED-9", path: "federation.organisation.users[2].policy" },
    { name: "FED-9: a user outside our SIP domains", mutate: (c) => (c.organisation.users[1]!.uri = "sip:bob@fabrikam.com"), rule: "FED-9", path: "federation.organisation.users[1].uri" },
    { name: "FED-10: one of our own SIP domains on the allow list", mutate: (c) => c.allowedDomains.push({ Identity: "contoso.com" }), rule: "FED-10", path: "federation.allowedDomains[2].Identity" },
    { name: "FED-10: no SIP domains at all", mutate: (c) => { c.organisation.sipDomains = []; c.organisation.users = []; }, rule: "FED-10", path: "federation.organisation.sipDomains" },
    { name: "XMPP-2: an XMPP partner listed twice", mutate: (c) => c.xmppAllowedPartners.push(newXmppAllowedPartner({ Identity: "jabber.example" }), newXmppAllowedPartner({ Identity: "Jabber.example" })), rule: "XMPP-2", path: "federation.xmppAllowedPartners[1].Identity" },
  ];
  for (const c of cases) {
    it(`${c.name} is reported at ${c.path}`, () => {
      const problems = validateFederationConfig(federationConfig(c.mutate));
      const problem = problems.find((p) => p.path === c.path);
      expect(problem, JSON.stringify(problems)).toBeDefined();
      expect(problem!.rule).toBe(c.rule);
      if (c.message) expect(problem!.message).toMatch(c.message);
    });
  }

  it("FED-6: the root of every path can be chosen by the loader", () => {
    const problems = validateFederationConfig(federationConfig((c) => c.blockedDomains.push({ Identity: "fabrikam.com" })), "sites[0].federation");
    expect(problems.map((p) => p.path)).toContain("sites[0].federation.blockedDomains[1].Identity");
  });
});
