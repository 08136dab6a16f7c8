import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FederationConfig } from "../../edge/policy/config.ts";
import { defaultFederationConfig, newHostingProvider, newPublicProvider } from "../../edge/policy/config.ts";
import { decide } from "../../edge/policy/decide.ts";
import { parseSipAddress } from "../../edge/policy/domains.ts";
import type { PolicyRequest } from "../../edge/policy/request.ts";
import type { ThrottleState } from "../../edge/policy/throttle.ts";
import { applyThrottle, emptyThrottleState } from "../../edge/policy/throttle.ts";

const DOMAINS = ["contoso.com", "fabrikam.com", "northwind.com", "litware.com", "evil.example", "hotmail.com", "t.onmicrosoft.com"];
const FQDNS = ["sip.fabrikam.com", "sip.northwind.com", "sip.litware.com", "sipfed.online.lync.com", "federation.messenger.msn.com", "edge.hoster.example"];
const USERS = ["alice", "bob", "carol"];
const LEVELS = ["AlwaysVerifiable", "AlwaysUnverifiable", "UseSourceVerification"] as const;

const configArb: fc.Arbitrary<FederationConfig> = fc
  .record({
    federation: fc.boolean(),
    discovery: fc.boolean(),
    defaultRouting: fc.boolean(),
    defaultRouteFqdn: fc.option(fc.constantFrom(...FQDNS), { nil: undefined }),
    allowed: fc.uniqueArray(fc.record({ domain: fc.constantFrom(...DOMAINS), proxy: fc.option(fc.constantFrom(...FQDNS), { nil: undefined }) }), { selector: (a) => a.domain, maxLength: 4 }),
    blocked: fc.uniqueArray(fc.constantFrom(...DOMAINS), { maxLength: 3 }),
    hosting: fc.option(fc.record({ level: fc.constantFrom(...LEVELS), enabled: fc.boolean(), shared: fc.boolean() }), { nil: undefined }),
    publicIm: fc.option(fc.record({ level: fc.constantFrom(...LEVELS), enabled: fc.boolean() }), { nil: undefined }),
    discoveredLevel: fc.constantFrom(...LEVELS),
    mark: fc.boolean(),
    policies: fc.array(fc.record({ federation: fc.boolean(), publicCloud: fc.boolean() }), { minLength: USERS.length, maxLength: USERS.length }),
    contacts: fc.array(fc.constantFrom("sip:x@litware.com", "sip:y@fabrikam.com", "sip:x@t.onmicrosoft.com"), { maxLength: 2 }),
  })
  .map((g) => {
    const config = defaultFederationConfig(["contoso.com"]);
    const edge = config.accessEdge;
    edge.AllowFederatedUsers = g.federation;
    edge.EnablePartnerDiscovery = g.discovery;
    edge.RoutingMethod = g.defaultRouting ? "UseDefaultRouting" : "UseDnsSrvRouting";
    if (g.defaultRouteFqdn) edge.DefaultRouteFqdn = g.defaultRouteFqdn;
    edge.DiscoveredPartnerVerificationLevel = g.discoveredLevel;
    edge.MarkSourceVerifiableOnOutgoingMessages = g.mark;
    config.allowedDomains = g.allowed.map((a) => (a.proxy ? { Identity: a.domain, ProxyFqdn: a.proxy } : { Identity: a.domain }));
    config.blockedDomains = g.blocked.map((d) => ({ Identity: d }));
    if (g.hosting) config.hostingProviders = [newHostingProvider({ Identity: "LyncOnline", ProxyFqdn: "sipfed.online.lync.com", VerificationLevel: g.hosting.level, Enabled: g.hosting.enabled, EnabledSharedAddressSpace: g.hosting.shared })];
    if (g.publicIm) config.publicProviders = [newPublicProvider({ Identity: "WindowsLive", ProxyFqdn: "federation.messenger.msn.com", VerificationLevel: g.publicIm.level, Enabled: g.publicIm.enabled, servedDomains: ["hotmail.com"] })];
    g.policies.forEach((p, i) => config.externalAccessPolicies.push({ Identity: `P${i}`, EnableFederationAccess: p.federation, EnablePublicCloudAccess: p.publicCloud, EnableXmppAccess: false, EnableOutsideAccess: true }));
    config.organisation.users = USERS.map((name, i) => ({ uri: `sip:${name}@contoso.com`, policy: `P${i}`, contacts: g.contacts }));
    return config;
  });

const uriArb = fc.tuple(fc.constantFrom(...USERS, "x", "y"), fc.constantFrom(...DOMAINS)).map(([u, d]) => `sip:${u}@${d}`);

const requestArb: fc.Arbitrary<PolicyRequest> = fc
  .record({
    direction: fc.constantFrom("outbound" as const, "inbound" as const),
    from: uriArb,
    to: uriArb,
    names: fc.uniqueArray(fc.constantFrom(...FQDNS), { maxLength: 2 }),
    srv: fc.option(fc.uniqueArray(fc.constantFrom(...FQDNS), { maxLength: 2 }), { nil: undefined }),
    sourceVerified: fc.option(fc.boolean(), { nil: undefined }),
    now: fc.integer({ min: 0, max: 10_000_000 }),
  })
  .map((g) => {
    const request: PolicyRequest = { direction: g.direction, from: g.from, to: g.to, method: "MESSAGE", now: g.now };
    if (g.direction === "inbound") request.peer = g.srv === undefined ? { certificateNames: g.names } : { certificateNames: g.names, srvTargetsForSenderDomain: g.srv };
    if (g.sourceVerified !== undefined) request.sourceVerified = g.sourceVerified;
    return request;
  });

/** A throttle state some discovered partners have already used. */
const throttleArb: fc.Arbitrary<ThrottleState | undefined> = fc.option(
  fc.array(fc.tuple(fc.constantFrom("litware.com", "evil.example"), fc.constantFrom(...USERS), fc.integer({ min: 0, max: 5000 })), { maxLength: 30 }).map((hits) => {
    const config = defaultFederationConfig(["contoso.com"]);
    config.accessEdge.MaxContactsPerDiscoveredPartner = 2;
    return hits.reduce((state, [partner, user, now]) => applyThrottle(state, config, partner, `sip:${user}@contoso.com`, now).state, emptyThrottleState());
  }),
  { nil: undefined },
);

const RUNS = { numRuns: 500 };

function blockedDomainOf(config: FederationConfig, request: PolicyRequest): boolean {
  const party = parseSipAddress(request.direction === "inbound" ? request.from : request.to);
  return config.blockedDomains.some((b) => b.Identity === party?.domain);
}

describe("policy engine properties (fast-check)", () => {
  it("FED-12: for any config and request the verdict is deterministic and does not change its inputs", () => {
    fc.assert(
      fc.property(configArb, requestArb, throttleArb, (config, request, throttle) => {
        const before = JSON.stringify([config, request, throttle]);
        const first = decide(config, request, throttle);
        const second = decide(structuredClone(config), structuredClone(request), throttle && structuredClone(throttle));
        expect(second).toEqual(first);
        expect(JSON.stringify([config, request, throttle])).toBe(before);
      }),
      RUNS,
    );
  });

  it("FED-12: allowed iff there is no refusal; every verdict names at least one rule; refusals use 403/404/480/504", () => {
    fc.assert(
      fc.property(configArb, requestArb, throttleArb, (config, request, throttle) => {
        const verdict = decide(config, request, throttle);
        expect(verdict.allowed).toBe(verdict.refusal === undefined);
        expect(verdict.allowed).toBe(verdict.route !== undefined);
        expect(verdict.rules.length).toBeGreaterThan(0);
        expect(new Set(verdict.steps.map((s) => s.rule))).toEqual(new Set(verdict.rules));
        if (verdict.refusal) expect([403, 404, 480, 504]).toContain(verdict.refusal.status);
        if (verdict.allowed) expect(verdict.verification).toBeDefined();
      }),
      RUNS,
    );
  });

  it("FED-6: a blocked domain is never allowed, in or out", () => {
    fc.assert(
      fc.property(configArb, requestArb, throttleArb, (config, request, throttle) => {
        fc.pre(blockedDomainOf(config, request));
        expect(decide(config, request, throttle).allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it("FED-1: with AllowFederatedUsers false nothing federated is allowed", () => {
    fc.assert(
      fc.property(configArb, requestArb, throttleArb, (config, request, throttle) => {
        config.accessEdge.AllowFederatedUsers = false;
        expect(decide(config, request, throttle).allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it("FED-11: only discovered-partner verdicts carry throttle state, and only when FED-2 took part", () => {
    fc.assert(
      fc.property(configArb, requestArb, throttleArb, (config, request, throttle) => {
        const verdict = decide(config, request, throttle);
        if (verdict.nextThrottleState !== undefined) expect(verdict.rules).toContain("FED-2");
        if (verdict.rules.includes("FED-11")) expect(request.direction).toBe("inbound");
      }),
      RUNS,
    );
  });
});
