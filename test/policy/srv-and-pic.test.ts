import { describe, expect, it } from "vitest";
import { requiresClientAuthEku } from "../../edge/policy/cert-names.ts";
import { decide } from "../../edge/policy/decide.ts";
import type { EdgeLoadBalancing, PartnerProduct, SrvRecord } from "../../edge/policy/srv.ts";
import { connectingPartnerFailover, orderSrvTargets } from "../../edge/policy/srv.ts";
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

describe("DNS-5: how a partner connecting to OUR pool fails over, by its product", () => {
  const cases: { name: string; product: PartnerProduct; lb: EdgeLoadBalancing; sticks: boolean; failsOver: boolean }[] = [
    { name: "DNS-5: a Lync 2013 partner tries the next edge of our DNS-load-balanced pool", product: "lync2013", lb: "dns", sticks: false, failsOver: true },
    { name: "DNS-5: a Lync 2010 partner tries the next edge of our DNS-load-balanced pool", product: "lync2010", lb: "dns", sticks: false, failsOver: true },
    { name: "DNS-5: an OCS 2007 R2 partner stays with the first edge that answered and does not fail over", product: "ocs2007r2", lb: "dns", sticks: true, failsOver: false },
    { name: "DNS-5: an OCS 2007 partner stays with the first edge that answered and does not fail over", product: "ocs2007", lb: "dns", sticks: true, failsOver: false },
    { name: "DNS-5: a public IM provider stays with the first edge that answered and does not fail over", product: "publicIm", lb: "dns", sticks: true, failsOver: false },
    { name: "DNS-5: an XMPP partner stays with the first edge that answered and does not fail over", product: "xmpp", lb: "dns", sticks: true, failsOver: false },
    { name: "DNS-5: behind our HLB an OCS 2007 partner sticks to the one VIP, which fails over for it", product: "ocs2007", lb: "hlb", sticks: true, failsOver: true },
    { name: "DNS-5: behind our HLB a Lync 2013 partner fails over through the VIP", product: "lync2013", lb: "hlb", sticks: false, failsOver: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const f = connectingPartnerFailover(c.product, c.lb);
      expect(f).toMatchObject({ sticksToFirstEdge: c.sticks, failsOver: c.failsOver, rule: "DNS-5" });
      expect(f.text).toMatch(c.lb === "hlb" ? /VIP/ : c.sticks ? /first edge .* does not fail over/ : /next edge/);
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
