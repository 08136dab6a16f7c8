import { describe, expect, it } from "vitest";
import { check } from "../../edge/firewall/check.ts";
import type { FirewallModel, FirewallRule } from "../../edge/firewall/types.ts";
import type { FiveTuple } from "../../edge/events/types.ts";
import { computePortPlan, firewallModel } from "../../harness/net/port-plan.ts";
import { loadTopology } from "../../harness/topology/registry.ts";

const plan = computePortPlan(loadTopology("contoso"));
const model = (): FirewallModel => firewallModel(plan);
const meta = { host: "test" };

/** A concrete tuple a rule is meant to pass: its first source/destination address, or one from the zone on that side. */
function tupleFor(r: FirewallRule): FiveTuple {
  const zoneSide = (dir: "src" | "dst"): string => {
    const towardsTrusted = r.direction === "inbound";
    const outer = r.firewall === "external" ? ["127.40.", "127.30."] : ["127.20.", "127.10."];
    const [lessTrusted, moreTrusted] = outer as [string, string];
    const prefix = (dir === "src") === towardsTrusted ? lessTrusted : moreTrusted;
    return `${prefix}77.7`;
  };
  const pick = (addresses: string[], dir: "src" | "dst") => {
    const a = addresses[0];
    if (!a) return zoneSide(dir);
    return a.endsWith(".") ? `${a}2.9` : a;
  };
  return { transport: r.protocol === "udp" ? "udp" : "tcp", srcAddress: pick(r.source.addresses, "src"), srcPort: 40000, dstAddress: pick(r.destination.addresses, "dst"), dstPort: r.ports[1] };
}

describe("the firewall decision (PORT-5)", () => {
  for (const r of plan.rules.filter((x) => x.firewall === "external" || x.source.addresses.length > 0 || x.destination.addresses.length > 0))
    it(`PORT-5: ${r.id} passes its own traffic, and removing it drops that traffic naming ${r.id}`, () => {
      const t = tupleFor(r);
      const m = model();
      const ok = check(m, t, meta);
      expect(ok.allowed, ok.detail).toBe(true);
      expect(ok.firewall).toBe(r.firewall);
      m.rules = m.rules.filter((x) => x.id !== r.id);
      const d = check(m, t, meta);
      // Another rule may cover the same tuple (e.g. three 443 rows); then the drop must not happen at all.
      const covered = m.rules.some((x) => check({ ...m, rules: [x] }, t, meta).allowed);
      if (covered) return expect(d.allowed).toBe(true);
      expect(d.allowed).toBe(false);
      expect(d.firewall).toBe(r.firewall);
      expect(d.rule?.id).toBe(r.id);
      expect(d.rules).toEqual(["PORT-5", ...r.rules]);
      expect(d.detail).toContain(`missing rule ${r.id}`);
    });

  const cases: { name: string; tuple: FiveTuple; allowed: boolean; firewall?: string; rules?: string[]; detail?: RegExp }[] = [
    { name: "same zone crosses no firewall", tuple: { transport: "tcp", srcAddress: "127.10.2.2", srcPort: 1, dstAddress: "127.10.1.1", dstPort: 443 }, allowed: true },
    { name: "perimeter sides share the perimeter network", tuple: { transport: "tcp", srcAddress: "127.20.9.1", srcPort: 1, dstAddress: "127.30.9.1", dstPort: 9 }, allowed: true },
    { name: "the internet cannot reach an internal server", tuple: { transport: "tcp", srcAddress: "127.40.1.1", srcPort: 1, dstAddress: "127.10.1.1", dstPort: 4443 }, allowed: false, firewall: "external", rules: ["PORT-5"], detail: /no enabled or known feature/ },
    { name: "the internet cannot reach the pool's 4443 through the perimeter (only the reverse proxy may)", tuple: { transport: "tcp", srcAddress: "127.30.1.10", srcPort: 1, dstAddress: "127.10.1.1", dstPort: 4443 }, allowed: false, firewall: "internal" },
    { name: "a UDP packet does not match a TCP rule", tuple: { transport: "udp", srcAddress: "127.40.1.1", srcPort: 1, dstAddress: "127.30.0.10", dstPort: 5061 }, allowed: false, firewall: "external" },
    { name: "an address in no zone is refused", tuple: { transport: "tcp", srcAddress: "127.0.0.2", srcPort: 1, dstAddress: "127.30.0.10", dstPort: 5061 }, allowed: false, rules: ["PORT-5"], detail: /in no zone/ },
    { name: "127.0.0.1 (a real peer that cannot pick its source) is on the internet: passed by the internet's rule", tuple: { transport: "tcp", srcAddress: "127.0.0.1", srcPort: 1, dstAddress: "127.30.0.10", dstPort: 5061 }, allowed: true, firewall: "external", detail: /002-ext-vip-sip-5061-in/ },
    { name: "127.0.0.1 is on the internet: it cannot reach an internal server", tuple: { transport: "tcp", srcAddress: "127.0.0.1", srcPort: 1, dstAddress: "127.10.1.1", dstPort: 5061 }, allowed: false, firewall: "external" },
    { name: "internal -> internet needs both firewalls (push, disabled by default)", tuple: { transport: "tcp", srcAddress: "127.10.2.2", srcPort: 1, dstAddress: "127.40.5.5", dstPort: 5223 }, allowed: false, firewall: "internal", rules: ["PORT-5", "PORT-5"] },
  ];
  for (const c of cases)
    it(`PORT-5: ${c.name}`, () => {
      const d = check(model(), c.tuple, meta);
      expect(d.allowed, d.detail).toBe(c.allowed);
      if (c.firewall) expect(d.firewall).toBe(c.firewall);
      if (c.rules) expect(d.rules).toEqual(c.rules);
      if (c.detail) expect(d.detail).toMatch(c.detail);
    });

  it("PORT-5: with push enabled, internal -> internet 5223 passes both firewalls", () => {
    const m = firewallModel(computePortPlan(loadTopology("contoso"), { mobilityPush: true }));
    expect(check(m, { transport: "tcp", srcAddress: "127.10.2.2", srcPort: 1, dstAddress: "127.40.5.5", dstPort: 5223 }, meta)).toMatchObject({ allowed: true, firewall: "external" });
  });

  it("MOB-3: hairpinning through the external firewall is dropped by anti-spoofing; on the reverse proxy it passes", () => {
    const t: FiveTuple = { transport: "tls", srcAddress: "127.10.2.2", srcPort: 1, dstAddress: "127.30.9.1", dstPort: 443 };
    expect(check(model(), t, meta)).toMatchObject({ allowed: true, firewall: "internal", rule: { id: "000-mob-hairpin-443" } });
    const m = model();
    m.hairpin = "external-firewall";
    const d = check(m, t, meta);
    expect(d).toMatchObject({ allowed: false, firewall: "external", rules: ["MOB-3", "PORT-5"] });
    expect(d.detail).toMatch(/anti-spoofing/);
  });
});
