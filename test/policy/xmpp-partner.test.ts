import { describe, expect, it } from "vitest";
import type { FederationConfig } from "../../edge/policy/config.ts";
import { newXmppAllowedPartner } from "../../edge/policy/config.ts";
import { expectedPeerName } from "../../edge/policy/cert-names.ts";
import { formatVerdict } from "../../edge/policy/explain.ts";
import { decideXmppPartner } from "../../edge/policy/xmpp-partner.ts";
import { ALICE, CAROL, federationConfig } from "./fixtures.ts";

const config = federationConfig((c) => {
  c.xmppAllowedPartners = [newXmppAllowedPartner({ Identity: "jabber.example" }), newXmppAllowedPartner({ Identity: "gtalk.example", PartnerType: "Federated", ProxyFqdn: "xmpp.gtalk.example" })];
  c.blockedDomains.push({ Identity: "spam.example" });
  c.xmppAllowedPartners.push(newXmppAllowedPartner({ Identity: "spam.example" }));
  c.organisation.users.push({ uri: "sip:branch@contoso.com", policy: "Everything", homedOnSba: true });
});

const cases: { name: string; cfg?: FederationConfig; user: string; domain: string; allowed: boolean; code?: number; rule: string }[] = [
  { name: "XMPP-2: a listed partner federates, found by _xmpp-server._tcp SRV on 5269", user: ALICE, domain: "jabber.example", allowed: true, rule: "XMPP-2" },
  { name: "XMPP-2: a domain that is not on the XMPP partner list is refused", user: ALICE, domain: "other.example", allowed: false, code: 53020, rule: "XMPP-2" },
  { name: "XMPP-5: a user homed on a survivable branch appliance cannot use XMPP federation", user: "sip:branch@contoso.com", domain: "jabber.example", allowed: false, code: 53050, rule: "XMPP-5" },
  { name: "FED-9: a user without EnableXmppAccess cannot use XMPP federation", user: CAROL, domain: "jabber.example", allowed: false, code: 52095, rule: "FED-9" },
  { name: "FED-6: a blocked domain is refused even when it is an XMPP partner", user: ALICE, domain: "spam.example", allowed: false, code: 52060, rule: "FED-6" },
];

describe("XMPP partner check (XMPP-2, XMPP-5, FED-9)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const verdict = decideXmppPartner(c.cfg ?? config, { localUser: c.user, remoteDomain: c.domain });
      expect(verdict.allowed).toBe(c.allowed);
      expect(verdict.rules).toContain(c.rule);
      if (c.code !== undefined) expect(verdict.refusal?.diagnostics.code).toBe(c.code);
    });
  }

  it("XMPP-2: PartnerType PublicUnverified is unverifiable, Federated is verifiable, and ProxyFqdn is the name checked", () => {
    const open = decideXmppPartner(config, { localUser: ALICE, remoteDomain: "jabber.example" });
    expect(open).toMatchObject({ verification: "unverifiable", route: { kind: "xmpp", srvName: "_xmpp-server._tcp.jabber.example", port: 5269 } });
    const direct = decideXmppPartner(config, { localUser: ALICE, remoteDomain: "GTalk.example" });
    expect(direct.verification).toBe("verifiable");
    expect(expectedPeerName(direct.route!, "ignored.example")).toBe("xmpp.gtalk.example");
    expect(formatVerdict(direct)).toContain("XMPP xmpp.gtalk.example:5269 (XMPP-2)");
  });
});
