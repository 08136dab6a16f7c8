/**
 * Property (FED-1..FED-10, FED-12): for random federation settings and random
 * senders/targets, the live edge's answer over real sockets equals the offline
 * verdict of `edgesim explain` (explainOffline): delivered when it allows, and the
 * same status and ms-diagnostics code when it refuses.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainOffline } from "../../harness/explain/offline.ts";
import { federationConfigFromTopology } from "../../harness/topology/federation-config.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import type { World } from "../../harness/world/world.ts";
import { accessEdgesOf } from "../../harness/world/access-edge-service.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

const PARTNERS = [
  { domain: "fabrikam.test", user: "bob@fabrikam.test", proxy: "sip1.fabrikam.test" },
  { domain: "northwind.test", user: "nancy@northwind.test", proxy: "sip1.northwind.test" },
  { domain: "adatum.test", user: "ada@adatum.test", proxy: "sip.adatum.test" },
  { domain: "litware.test", user: "lee@litware.test", proxy: "sip.litware.test" },
];
const OURS = ["carol@contoso.test", "dave@contoso.test"];
type DomainState = "none" | "allowed" | "allowedProxy" | "blocked";

let world: World;
let base: Topology;
beforeAll(async () => {
  base = topologyAt(ZONE_BASE.accessEdgeProperty, "contoso", (t) => {
    dnsLoadBalanced(t);
    t.federation.DiscoveredPartnerStandardRate = 100_000;
    t.federation.MaxContactsPerDiscoveredPartner = 100_000;
  });
  world = await startTestWorld(base, { services: SIP_SERVICES });
});
afterAll(async () => world?.stop());

function withPolicy(p: { allowFederated: boolean; discovery: boolean; globalFederation: boolean; states: DomainState[] }): Topology {
  const t = structuredClone(base);
  const f = t.federation;
  f.AllowFederatedUsers = p.allowFederated;
  f.EnablePartnerDiscovery = p.discovery;
  f.allowedDomains = [];
  f.blockedDomains = [{ Identity: "blocked.test" }];
  PARTNERS.forEach((x, i) => {
    const s = p.states[i];
    if (s === "allowed") f.allowedDomains.push({ Identity: x.domain, MarkForMonitoring: false });
    if (s === "allowedProxy") f.allowedDomains.push({ Identity: x.domain, ProxyFqdn: x.proxy, MarkForMonitoring: false });
    if (s === "blocked") f.blockedDomains.push({ Identity: x.domain });
  });
  t.organisation.externalAccessPolicies.find((x) => x.Identity === "Global")!.EnableFederationAccess = p.globalFederation;
  return t;
}

describe("the live edge agrees with edgesim explain", () => {
  it("FED-12: for random policies, senders and targets, live status and diagnostics code equal explainOffline's verdict", async () => {
    const state = fc.constantFrom<DomainState>("none", "allowed", "allowedProxy", "blocked");
    await fc.assert(
      fc.asyncProperty(
        fc.record({ allowFederated: fc.boolean(), discovery: fc.boolean(), globalFederation: fc.boolean(), states: fc.array(state, { minLength: 4, maxLength: 4 }) }),
        fc.boolean(),
        fc.constantFrom(...OURS),
        fc.constantFrom(...PARTNERS),
        async (policy, outbound, ours, partner) => {
          const t = withPolicy(policy);
          for (const edge of accessEdgesOf(world).values()) edge.setConfig(federationConfigFromTopology(t));
          const [from, to] = outbound ? [ours, partner.user] : [partner.user, ours];
          const expected = explainOffline(t, from, to).verdict;
          const live = outbound
            ? await frontEndOf(world).user(from).sendMessage(to, "property")
            : await sipPartnerOf(world, partner.domain).user(from).sendMessage(to, "property");
          const got = { status: live.status, code: live.diagnostics?.code };
          const want = expected.allowed ? { status: 200, code: undefined } : { status: expected.refusal!.status, code: expected.refusal!.diagnostics.code };
          expect(got, `${from} -> ${to} with ${JSON.stringify(policy)}: explain says ${expected.steps.map((s) => s.rule).join(" ")}`).toEqual(want);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
