import { describe, expect, it } from "vitest";
import { decide } from "../../edge/policy/decide.ts";
import type { ThrottleState } from "../../edge/policy/throttle.ts";
import { applyThrottle, emptyThrottleState, recordOutcome, SUSPICIOUS_MIN_FAILURES } from "../../edge/policy/throttle.ts";
import type { Verdict } from "../../edge/policy/verdict.ts";
import { discoveredPeer, federationConfig, hostedPeer, inbound, peer } from "./fixtures.ts";

const config = federationConfig();

/** Send `count` messages from `from` at time `now`, threading the throttle state through decide(). */
function burst(count: number, from: string, now: number, state: ThrottleState | undefined, remote = discoveredPeer("litware.com")): { verdicts: Verdict[]; state: ThrottleState | undefined } {
  const verdicts: Verdict[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    const verdict = decide(config, inbound(from, remote, "sip:alice@contoso.com", { now }), current);
    current = verdict.nextThrottleState ?? current;
    verdicts.push(verdict);
  }
  return { verdicts, state: current };
}

describe("FED-11 discovered-partner throttling", () => {
  it("FED-11: 20 messages in one second from a discovered partner pass, the 21st is refused with event 14603", () => {
    const { verdicts } = burst(21, "sip:x@litware.com", 1_000, undefined);
    expect(verdicts.slice(0, 20).every((v) => v.allowed)).toBe(true);
    const last = verdicts[20]!;
    expect(last.allowed).toBe(false);
    expect(last.refusal).toMatchObject({ status: 480, diagnostics: { code: 52111 } });
    expect(last.events).toEqual([expect.objectContaining({ id: 14603, rule: "FED-11", partner: "litware.com" })]);
  });

  it("FED-11: the next second opens a new window", () => {
    const first = burst(21, "sip:x@litware.com", 1_000, undefined);
    const second = burst(1, "sip:x@litware.com", 2_000, first.state);
    expect(second.verdicts[0]!.allowed).toBe(true);
  });

  it("FED-11: one rate event per window, not one per refused message", () => {
    const { verdicts } = burst(25, "sip:x@litware.com", 1_000, undefined);
    expect(verdicts.flatMap((v) => v.events ?? []).filter((e) => e.id === 14603)).toHaveLength(1);
  });

  it("FED-11: DiscoveredPartnerStandardRate sets the limit", () => {
    const cfg = federationConfig((c) => (c.accessEdge.DiscoveredPartnerStandardRate = 3));
    let state = emptyThrottleState();
    const allowed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const result = applyThrottle(state, cfg, "litware.com", "sip:alice@contoso.com", 5_000);
      state = result.state;
      allowed.push(result.allowed);
    }
    expect(allowed).toEqual([true, true, true, false]);
  });

  const allowedPartners: { name: string; from: string; remote: ReturnType<typeof peer> }[] = [
    { name: "FED-11: an allowed partner server (FED-4) is not throttled at 100 messages per second", from: "sip:x@northwind.com", remote: peer(["sip.northwind.com"]) },
    { name: "FED-11: an allowed domain (FED-3) is not throttled at 100 messages per second", from: "sip:x@fabrikam.com", remote: peer(["sip.fabrikam.com"], ["sip.fabrikam.com"]) },
    { name: "FED-11: a provider's traffic (FED-5) is not throttled at 100 messages per second", from: "sip:x@t.onmicrosoft.com", remote: hostedPeer("sipfed.online.lync.com") },
  ];
  for (const c of allowedPartners) {
    it(c.name, () => {
      const { verdicts, state } = burst(100, c.from, 1_000, undefined, c.remote);
      expect(verdicts.every((v) => v.allowed)).toBe(true);
      expect(verdicts.some((v) => v.rules.includes("FED-11"))).toBe(false);
      expect(state).toBeUndefined();
    });
  }

  it("FED-11: applyThrottle leaves an allowed partner's state untouched", () => {
    const state = emptyThrottleState();
    const result = applyThrottle(state, config, "Fabrikam.com", "sip:alice@contoso.com", 0);
    expect(result).toMatchObject({ allowed: true, events: [] });
    expect(result.state).toBe(state);
  });

  it("FED-11: the 1001st distinct contact puts the partner on the watch list, then everything is blocked", () => {
    let state = emptyThrottleState();
    for (let i = 0; i < 1000; i++) {
      const result = applyThrottle(state, config, "litware.com", `sip:user${i}@contoso.com`, i * 1000);
      expect(result.allowed).toBe(true);
      state = result.state;
    }
    const over = applyThrottle(state, config, "litware.com", "sip:user1000@contoso.com", 2_000_000);
    expect(over).toMatchObject({ allowed: false, refusal: "watchListed" });
    expect(over.events).toContainEqual(expect.objectContaining({ id: 14603, partner: "litware.com" }));
    const known = applyThrottle(over.state, config, "litware.com", "sip:user0@contoso.com", 2_001_000);
    expect(known).toMatchObject({ allowed: false, refusal: "watchListed" });
  });

  it("FED-11: repeated contacts to the same URI do not count towards MaxContactsPerDiscoveredPartner", () => {
    const cfg = federationConfig((c) => (c.accessEdge.MaxContactsPerDiscoveredPartner = 2));
    let state = emptyThrottleState();
    for (const [i, uri] of ["sip:a@contoso.com", "sip:A@Contoso.com", "sip:b@contoso.com", "sip:a@contoso.com"].entries()) {
      const result = applyThrottle(state, cfg, "litware.com", uri, i * 1000);
      expect(result.allowed).toBe(true);
      state = result.state;
    }
    expect(applyThrottle(state, cfg, "litware.com", "sip:c@contoso.com", 9_000).refusal).toBe("watchListed");
  });

  it("FED-11: EnableDiscoveredPartnerContactsLimit false turns the contact limit off", () => {
    const cfg = federationConfig((c) => { c.accessEdge.MaxContactsPerDiscoveredPartner = 1; c.accessEdge.EnableDiscoveredPartnerContactsLimit = false; });
    const first = applyThrottle(emptyThrottleState(), cfg, "litware.com", "sip:a@contoso.com", 0);
    expect(applyThrottle(first.state, cfg, "litware.com", "sip:b@contoso.com", 1000).allowed).toBe(true);
  });

  it("FED-11: a watch-listed partner is refused by decide() with 403 and the rule named", () => {
    const cfg = federationConfig((c) => (c.accessEdge.MaxContactsPerDiscoveredPartner = 1));
    const first = decide(cfg, inbound("sip:x@litware.com", discoveredPeer("litware.com"), "sip:alice@contoso.com"));
    const second = decide(cfg, inbound("sip:x@litware.com", discoveredPeer("litware.com"), "sip:carol@contoso.com", { now: 10 }), first.nextThrottleState);
    expect(second).toMatchObject({ allowed: false, refusal: { status: 403, diagnostics: { code: 52110 } } });
    expect(second.rules).toContain("FED-11");
  });

  it("FED-11: a suspicious failure ratio cuts the partner to 1 message per second with event 14603", () => {
    let state = applyThrottle(emptyThrottleState(), config, "litware.com", "sip:a@contoso.com", 0).state;
    for (let i = 0; i < SUSPICIOUS_MIN_FAILURES; i++) state = recordOutcome(state, "litware.com", false);
    const first = applyThrottle(state, config, "litware.com", "sip:a@contoso.com", 10_000);
    expect(first.allowed).toBe(true);
    expect(first.events).toContainEqual(expect.objectContaining({ id: 14603, text: expect.stringMatching(/1 message per second/) }));
    const second = applyThrottle(first.state, config, "litware.com", "sip:a@contoso.com", 10_500);
    expect(second).toMatchObject({ allowed: false, refusal: "rateLimited" });
  });

  it("FED-11: a partner with mostly successful outcomes is not cut", () => {
    let state = applyThrottle(emptyThrottleState(), config, "litware.com", "sip:a@contoso.com", 0).state;
    for (let i = 0; i < SUSPICIOUS_MIN_FAILURES; i++) state = recordOutcome(state, "litware.com", false);
    for (let i = 0; i < 30; i++) state = recordOutcome(state, "litware.com", true);
    const next = applyThrottle(state, config, "litware.com", "sip:a@contoso.com", 10_000);
    const again = applyThrottle(next.state, config, "litware.com", "sip:a@contoso.com", 10_001);
    expect(again.allowed).toBe(true);
    expect(state.partners["litware.com"]!.slowed).toBe(false);
  });

  it("FED-11: the discovered-partner report (event 14601) is raised once per DiscoveredPartnerReportPeriodMinutes", () => {
    const start = applyThrottle(emptyThrottleState(), config, "litware.com", "sip:a@contoso.com", 0);
    expect(start.events).toEqual([]);
    const before = applyThrottle(start.state, config, "adatum.com", "sip:a@contoso.com", 59 * 60_000);
    expect(before.events.some((e) => e.id === 14601)).toBe(false);
    const after = applyThrottle(before.state, config, "litware.com", "sip:a@contoso.com", 60 * 60_000);
    expect(after.events).toContainEqual(expect.objectContaining({ id: 14601, text: expect.stringMatching(/2 partner\(s\): adatum\.com, litware\.com/) }));
  });

  it("FED-11: throttling never modifies the state it was given", () => {
    const state = emptyThrottleState();
    const snapshot = JSON.stringify(state);
    applyThrottle(state, config, "litware.com", "sip:a@contoso.com", 0);
    recordOutcome(state, "litware.com", false);
    expect(JSON.stringify(state)).toBe(snapshot);
  });
});

describe("FED-11 failure ratio counts the edge's own refusals", () => {
  const unknown = (i: number) => `sip:nobody${i}@contoso.com`;

  it("FED-11: a 404 the edge gives a discovered partner for an unknown user counts as a failure", () => {
    const v = decide(config, inbound("sip:x@litware.com", discoveredPeer("litware.com"), unknown(1), { now: 1_000 }));
    expect(v.refusal).toMatchObject({ status: 404 });
    expect(v.nextThrottleState?.partners["litware.com"]).toMatchObject({ failed: 1, succeeded: 0 });
    expect(v.steps.at(-1)?.rule).toBe("FED-9");
    expect(v.rules).toContain("FED-11");
  });

  it("FED-11: 403 (FED-9 policy) and 480 (FED-7 contacts) refusals count too", () => {
    const cfg = federationConfig((c) => (c.accessEdge.DiscoveredPartnerVerificationLevel = "AlwaysUnverifiable"));
    const noPolicy = decide(config, inbound("sip:x@litware.com", discoveredPeer("litware.com"), "sip:bob@contoso.com", { now: 1_000 }));
    expect(noPolicy.refusal?.status).toBe(403);
    expect(noPolicy.nextThrottleState?.partners["litware.com"]?.failed).toBe(1);
    const notContact = decide(cfg, inbound("sip:x@litware.com", discoveredPeer("litware.com"), "sip:dave@contoso.com", { now: 1_000 }));
    expect(notContact.refusal?.status).toBe(480);
    expect(notContact.nextThrottleState?.partners["litware.com"]?.failed).toBe(1);
  });

  it("FED-11: the throttle's own refusals (rate limit) do not count, so a busy partner is not punished twice", () => {
    const cfg = federationConfig((c) => (c.accessEdge.DiscoveredPartnerStandardRate = 1));
    const first = decide(cfg, inbound("sip:x@litware.com", discoveredPeer("litware.com"), undefined, { now: 1_000 }));
    const limited = decide(cfg, inbound("sip:x@litware.com", discoveredPeer("litware.com"), undefined, { now: 1_000 }), first.nextThrottleState);
    expect(limited.refusal?.status).toBe(480);
    expect(limited.nextThrottleState?.partners["litware.com"]?.failed).toBe(0);
  });

  it("FED-11: a discovered partner that enumerates unknown addresses is cut to 1 message per second (event 14603)", () => {
    let state: ThrottleState | undefined;
    for (let i = 0; i < SUSPICIOUS_MIN_FAILURES; i++) {
      const v = decide(config, inbound("sip:x@litware.com", discoveredPeer("litware.com"), unknown(i), { now: 1_000 + i * 1_000 }), state);
      expect(v.refusal?.status).toBe(404);
      state = v.nextThrottleState;
    }
    const { verdicts } = burst(3, "sip:x@litware.com", 60_000, state);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false, false]);
    expect(verdicts[0]!.events).toEqual([expect.objectContaining({ id: 14603, rule: "FED-11", partner: "litware.com", text: expect.stringMatching(/suspicious failure ratio \(10 failed, 0 succeeded\): cut to 1 message per second/) })]);
    expect(verdicts[1]!.refusal).toMatchObject({ status: 480, diagnostics: { code: 52111 } });
    expect(verdicts[1]!.refusal?.diagnostics.text).toMatch(/exceeded 1 message\(s\) per second \(suspicious partner\)/);
  });

  it("FED-11: the same unknown addresses from an allowed partner change nothing (not throttled)", () => {
    const v = decide(config, inbound("sip:x@fabrikam.com", peer(["sip.fabrikam.com"], ["sip.fabrikam.com"]), unknown(1), { now: 1_000 }));
    expect(v.refusal?.status).toBe(404);
    expect(v.nextThrottleState).toBeUndefined();
  });
});
