import { describe, expect, it } from "vitest";
import type { FederationConfig } from "../../edge/policy/config.ts";
import { decide } from "../../edge/policy/decide.ts";
import type { PolicyRequest } from "../../edge/policy/request.ts";
import { ALICE, BOB, CAROL, DAVE, discoveredPeer, federationConfig, hostedPeer, inbound, outbound, peer } from "./fixtures.ts";

const config = federationConfig();
const sourceVerification = federationConfig((c) => (c.hostingProviders[0]!.VerificationLevel = "UseSourceVerification"));
const noMarking = federationConfig((c) => (c.accessEdge.MarkSourceVerifiableOnOutgoingMessages = false));
const discoveredAlwaysUnverifiable = federationConfig((c) => (c.accessEdge.DiscoveredPartnerVerificationLevel = "AlwaysUnverifiable"));
const lync = hostedPeer("sipfed.online.lync.com");
const unverif = hostedPeer("edge.unverif.example");

interface Case {
  name: string;
  config: FederationConfig;
  request: PolicyRequest;
  allowed: boolean;
  verification?: "verifiable" | "unverifiable";
  status?: number;
  code?: number;
}

const fed7: Case[] = [
  { name: "FED-7: a message from an allowed partner server is marked verifiable", config, request: inbound("sip:x@northwind.com", peer(["sip.northwind.com"])), allowed: true, verification: "verifiable" },
  { name: "FED-7: a message from an allowed domain is marked verifiable", config, request: inbound("sip:x@fabrikam.com", peer(["sip.fabrikam.com"], ["sip.fabrikam.com"])), allowed: true, verification: "verifiable" },
  { name: "FED-7: a message from a discovered partner is marked unverifiable", config, request: inbound("sip:x@litware.com", discoveredPeer("litware.com")), allowed: true, verification: "unverifiable" },
  { name: "FED-7: a discovered partner's own 'verified' marking is not trusted", config, request: inbound("sip:x@litware.com", discoveredPeer("litware.com"), ALICE, { sourceVerified: true }), allowed: true, verification: "unverifiable" },
  { name: "FED-7: an AlwaysVerifiable provider's message is marked verifiable", config, request: inbound("sip:x@t.onmicrosoft.com", lync), allowed: true, verification: "verifiable" },
  { name: "FED-7: UseSourceVerification follows the previous hop's verified marking", config: sourceVerification, request: inbound("sip:x@t.onmicrosoft.com", lync, ALICE, { sourceVerified: true }), allowed: true, verification: "verifiable" },
  { name: "FED-7: UseSourceVerification without a marking is unverifiable", config: sourceVerification, request: inbound("sip:x@t.onmicrosoft.com", lync), allowed: true, verification: "unverifiable" },
  { name: "FED-7: AlwaysUnverifiable delivers when the sender is in the recipient's contacts", config, request: inbound("sip:eve@unverif.example", unverif, DAVE), allowed: true, verification: "unverifiable" },
  { name: "FED-7: AlwaysUnverifiable refuses a sender who is not in the recipient's contacts", config, request: inbound("sip:mallory@unverif.example", unverif, DAVE), allowed: false, status: 480, code: 52070 },
  { name: "FED-7: AlwaysUnverifiable uses the caller's fresher contact list when given", config, request: inbound("sip:mallory@unverif.example", unverif, DAVE, { recipientContacts: ["sip:Mallory@unverif.example"] }), allowed: true },
  { name: "FED-7: DiscoveredPartnerVerificationLevel AlwaysUnverifiable applies the contacts rule to discovered partners", config: discoveredAlwaysUnverifiable, request: inbound("sip:x@litware.com", discoveredPeer("litware.com")), allowed: false, status: 480 },
  { name: "FED-7: MarkSourceVerifiableOnOutgoingMessages true marks outgoing messages verifiable", config, request: outbound("sip:x@fabrikam.com"), allowed: true, verification: "verifiable" },
  { name: "FED-7: MarkSourceVerifiableOnOutgoingMessages false marks outgoing messages unverifiable", config: noMarking, request: outbound("sip:x@fabrikam.com"), allowed: true, verification: "unverifiable" },
];

const fed9: Case[] = [
  { name: "FED-9: a user without EnableFederationAccess cannot federate outbound", config, request: outbound("sip:x@fabrikam.com", BOB), allowed: false, status: 403, code: 52090 },
  { name: "FED-9: a user with EnableFederationAccess federates outbound", config, request: outbound("sip:x@fabrikam.com", CAROL), allowed: true },
  { name: "FED-9: public IM needs EnablePublicCloudAccess even with EnableFederationAccess", config, request: outbound("sip:x@hotmail.com", CAROL), allowed: false, status: 403, code: 52091 },
  { name: "FED-9: a user with EnablePublicCloudAccess reaches a public provider", config, request: outbound("sip:x@hotmail.com", ALICE), allowed: true },
  { name: "FED-9: an inbound request to a user without EnableFederationAccess is refused", config, request: inbound("sip:x@northwind.com", peer(["sip.northwind.com"]), BOB), allowed: false, status: 403, code: 52090 },
  { name: "FED-9: inbound public IM to a user without EnablePublicCloudAccess is refused", config, request: inbound("sip:x@hotmail.com", peer(["federation.messenger.msn.com"]), CAROL), allowed: false, code: 52091 },
  { name: "FED-9: an inbound request to an unknown user is refused 404", config, request: inbound("sip:x@northwind.com", peer(["sip.northwind.com"]), "sip:nobody@contoso.com"), allowed: false, status: 404 },
  { name: "FED-9: an outbound request from someone who is not our user is refused (no relaying)", config, request: outbound("sip:x@fabrikam.com", "sip:spoof@litware.com"), allowed: false, status: 403, code: 52093 },
  { name: "FED-9: a user whose policy is missing is refused", config: federationConfig((c) => (c.organisation.users[0]!.policy = "Gone")), request: outbound("sip:x@fabrikam.com"), allowed: false, code: 52092 },
  { name: "FED-9: the user policy is checked before FED-1 outbound", config: federationConfig((c) => (c.accessEdge.AllowFederatedUsers = false)), request: outbound("sip:x@fabrikam.com", BOB), allowed: false, code: 52090 },
];

describe("FED-7 verification and FED-9 external access policy", () => {
  for (const c of [...fed7, ...fed9]) {
    it(c.name, () => {
      const verdict = decide(c.config, c.request);
      expect(verdict.allowed).toBe(c.allowed);
      if (c.verification) expect(verdict.verification).toBe(c.verification);
      if (c.status !== undefined) expect(verdict.refusal?.status).toBe(c.status);
      if (c.code !== undefined) expect(verdict.refusal?.diagnostics.code).toBe(c.code);
      const rule = c.name.slice(0, c.name.indexOf(":"));
      expect(verdict.rules).toContain(rule);
    });
  }
});
