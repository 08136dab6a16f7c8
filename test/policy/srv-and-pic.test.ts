import { describe, expect, it } from "vitest";
import { requiresClientAuthEku } from "../../edge/policy/cert-names.ts";
import { decide } from "../../edge/policy/decide.ts";
import type { EdgeLoadBalancing, PartnerProduct, SrvRecord } from "../../edge/policy/srv.ts";
import { failoverPolicy, orderSrvTargets } from "../../edge/policy/srv.ts";
import { federationConfig, outbound } from "./fixtures.ts";

const rec = (target: string, priority: number, weight: number): SrvRecord => ({ target, priority, weight, port: 5061 });
/** A random source that returns the given values in turn. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe("DNS-1 RFC 2782 ordering of _sipfederationtls._tcp answers", () => {
  const cases: { name: string; records: SrvRecord[]; random: () => number; order: string[] }[] = [
    { name: "DNS-1: lower priority comes first whatever the weights", records: [rec("b", 20, 100), rec("a", 10, 1)], random: sequence(0.99), order: ["a", "b"] },
    { name: "DNS-1: within a priority a low random picks the first weighted entry", records: [rec("a", 10, 60), rec("b", 10, 40)], random: sequence(0.1), order: ["a", "b"] },
    { name: "DNS-1: within a priority a high random picks by running weight sum", records: [rec("a", 10, 60), rec("b", 10, 40)], random: sequence(0.9), order: ["b", "a"] },
    { name: "DNS-1: zero-weight entries are placed first and win only when the random sum is 0", records: [rec("a", 10, 10), rec("z", 10, 0)], random: sequence(0), order: ["z", "a"] },
    { name: "DNS-1: a zero-weight entry loses to any positive pick", records: [rec("z", 10, 0), rec("a", 10, 10)], random: sequence(0.5), order: ["a", "z"] },
    { name: "DNS-1: all-zero weights keep the answer order", records: [rec("a", 10, 0), rec("b", 10, 0), rec("c", 10, 0)], random: sequence(0.7), order: ["a", "b", "c"] },
    { name: "DNS-1: priorities are grouped, each group weighted on its own", records: [rec("c", 2, 1), rec("a", 1, 1), rec("d", 2, 99), rec("b", 1, 99)], random: sequence(0.9), order: ["b", "a", "d", "c"] },
    { name: "DNS-1: a lone '.' target means no service", records: [rec(".", 0, 0)], random: sequence(0.5), order: [] },
  ];
  for (const c of cases) it(c.name, () => expect(orderSrvTargets(c.records, c.random).map((r) => r.target)).toEqual(c.order));

  it("DNS-1: weighted selection follows the weights over many draws", () => {
    let seed = 42;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let firstIsHeavy = 0;
    for (let i = 0; i < 2000; i++) if (orderSrvTargets([rec("light", 0, 25), rec("heavy", 0, 75)], lcg)[0]!.target === "heavy") firstIsHeavy++;
    expect(firstIsHeavy / 2000).toBeGreaterThan(0.68);
    expect(firstIsHeavy / 2000).toBeLessThan(0.82);
  });

  it("DNS-1: ordering returns every record once and does not modify its input", () => {
    const records = [rec("a", 1, 5), rec("b", 0, 5), rec("c", 1, 0)];
    const copy = structuredClone(records);
    expect(orderSrvTargets(records, sequence(0.3)).map((r) => r.target).sort()).toEqual(["a", "b", "c"]);
    expect(records).toEqual(copy);
  });
});

describe("DNS-5 failover by partner product", () => {
  const cases: { name: string; product: PartnerProduct; lb: EdgeLoadBalancing; next: boolean }[] = [
    { name: "DNS-5: a Lync 2013 partner fails over to the next DNS-balanced edge", product: "lync2013", lb: "dns", next: true },
    { name: "DNS-5: a Lync 2010 partner fails over to the next DNS-balanced edge", product: "lync2010", lb: "dns", next: true },
    { name: "DNS-5: an OCS 2007 R2 partner does not fail over", product: "ocs2007r2", lb: "dns", next: false },
    { name: "DNS-5: an OCS 2007 partner does not fail over", product: "ocs2007", lb: "dns", next: false },
    { name: "DNS-5: a public IM provider does not fail over", product: "publicIm", lb: "dns", next: false },
    { name: "DNS-5: an XMPP partner does not fail over", product: "xmpp", lb: "dns", next: false },
    { name: "DNS-5: behind an HLB there is one VIP target, failover happens in the HLB", product: "ocs2007", lb: "hlb", next: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const policy = failoverPolicy(c.product, c.lb);
      expect(policy).toMatchObject({ tryNextTarget: c.next, rule: "DNS-5" });
      if (c.lb === "hlb") expect(policy.text).toMatch(/VIP/);
    });
  }
});

describe("PIC-2 clientAuth EKU towards AOL", () => {
  const config = federationConfig();
  const cases: { name: string; to: string; required: boolean; cfg?: typeof config }[] = [
    { name: "PIC-2: the route to AOL requires the clientAuth EKU on our certificate", to: "sip:x@aol.com", required: true },
    { name: "PIC-2: the route to Messenger does not", to: "sip:x@hotmail.com", required: false },
    { name: "PIC-2: a hosting provider route does not", to: "sip:x@tailspin.onmicrosoft.com", required: false },
    { name: "PIC-2: an SRV route does not", to: "sip:x@fabrikam.com", required: false },
    { name: "PIC-2: an explicit requiresClientAuthEku on a public provider wins", to: "sip:x@hotmail.com", required: true, cfg: federationConfig((c) => (c.publicProviders[0]!.requiresClientAuthEku = true)) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = decide(c.cfg ?? config, outbound(c.to));
      expect(verdict.allowed).toBe(true);
      expect(requiresClientAuthEku(verdict.route!)).toBe(c.required);
    });
  }
});
