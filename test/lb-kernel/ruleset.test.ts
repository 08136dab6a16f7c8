/**
 * The kernel balancer's rendering (edge/lb/kernel/ruleset.ts): the balancer model as
 * nftables text. Pure tests of what the rules say; test/lb-kernel/world.test.ts loads
 * them in a namespace and sends real packets.
 */
import { describe, expect, it } from "vitest";
import { deleteRuleset, mapName, mapUpdate, renderRuleset, slotAssignment, type KernelPool } from "../../edge/lb/kernel/ruleset.ts";

const edges = (iface: number) => [
  { server: "edge1", address: `127.30.1.${iface}` },
  { server: "edge2", address: `127.30.2.${iface}` },
];
const access: KernelPool = { vip: "vip-access", vipAddress: "127.30.0.10", ports: [{ port: 5061, transport: "tcp" }], backends: edges(1), nat: "snat", affinity: "source" };
const av: KernelPool = { vip: "vip-av", vipAddress: "127.30.0.12", ports: [{ port: 3478, transport: "udp" }, { port: 443, transport: "tcp" }], backends: edges(3), nat: "no-nat", affinity: "source", answerFrom: "targeted" };
const lines = (text: string, has: string) => text.split("\n").map((l) => l.trim()).filter((l) => l.includes(has));

describe("kernel balancer ruleset", () => {
  it("HLB-1: the Access VIP is DNATed to an edge by source-address hash and SNATed to the VIP", () => {
    const text = renderRuleset({ pools: [access] });
    expect(lines(text, "dnat ip to")).toEqual([expect.stringMatching(/^ip daddr 127\.30\.0\.10 tcp dport 5061 dnat ip to jhash ip saddr mod 2 seed 0x[0-9a-f]+ map @vip_access_5061 /)]);
    expect(lines(text, "snat ip to")).toEqual([expect.stringMatching(/^ct status dnat ct original ip daddr 127\.30\.0\.10 ct original protocol tcp ct original proto-dst 5061 snat ip to 127\.30\.0\.10 comment ".*HLB-1/)]);
  });

  it("HLB-2: the A/V VIP is DNATed on UDP 3478 and TCP 443 through one map (a client keeps its edge on both) and never SNATed", () => {
    const text = renderRuleset({ pools: [av] });
    expect(lines(text, "dnat ip to").map((l) => l.split(" comment")[0])).toEqual([
      expect.stringMatching(/^ip daddr 127\.30\.0\.12 udp dport 3478 dnat ip to jhash ip saddr mod 2 .* map @vip_av$/),
      expect.stringMatching(/^ip daddr 127\.30\.0\.12 tcp dport 443 dnat ip to jhash ip saddr mod 2 .* map @vip_av$/),
    ]);
    expect(lines(text, "snat ip to")).toEqual([]);
    expect(lines(text, "notrack")).toEqual([]);
  });

  it("HLB-6: nat.av snat SNATs the A/V VIP's flows to the VIP, on both ports", () => {
    const text = renderRuleset({ pools: [{ ...av, nat: "snat" }] });
    expect(lines(text, "snat ip to").map((l) => l.split(" snat ip to ")[1]!.split(" ")[0])).toEqual(["127.30.0.12", "127.30.0.12"]);
    expect(lines(text, "snat ip to").join("\n")).toContain("HLB-6");
  });

  it("HLB-6: avAnswerFrom physical leaves each edge's UDP 3478 answers untracked, so conntrack cannot rewrite them to the VIP", () => {
    const text = renderRuleset({ pools: [{ ...av, answerFrom: "physical" }] });
    expect(lines(text, "notrack").map((l) => l.split(" comment")[0])).toEqual(["ip saddr 127.30.1.3 udp sport 3478 notrack", "ip saddr 127.30.2.3 udp sport 3478 notrack"]);
    expect(lines(text, "snat ip to")).toEqual([]);
  });

  it("HLB-6: affinity none picks by round robin per new flow instead of the source hash", () => {
    const text = renderRuleset({ pools: [{ ...access, affinity: "none" }] });
    expect(lines(text, "dnat ip to")[0]).toContain("dnat ip to numgen inc mod 2 map @vip_access_5061");
    expect(text).not.toContain("jhash");
  });

  it("starts with every server in its own slot, replaces an older table, and deleteRuleset removes it all", () => {
    const text = renderRuleset({ table: "edgesim_t", pools: [access, av] });
    expect(text.startsWith("table ip edgesim_t\ndelete table ip edgesim_t\n")).toBe(true);
    expect(lines(text, "add element")).toEqual(["add element ip edgesim_t vip_access_5061 { 0 : 127.30.1.1, 1 : 127.30.2.1 }", "add element ip edgesim_t vip_av { 0 : 127.30.1.3, 1 : 127.30.2.3 }"]);
    expect(deleteRuleset({ table: "edgesim_t" })).toBe("delete table ip edgesim_t\n");
  });

  it("failover: a dead edge leaves the map, its slot goes to a survivor, the survivors keep theirs; no survivor empties the map", () => {
    const three: KernelPool = { ...access, backends: [...edges(1), { server: "edge3", address: "127.30.3.1" }] };
    expect(slotAssignment(three, ["edge1", "edge3"]).map((b) => b.server)).toEqual(["edge1", "edge1", "edge3"]);
    expect(mapUpdate({}, three, ["edge2"])).toBe("flush map ip edgesim vip_access_5061\nadd element ip edgesim vip_access_5061 { 0 : 127.30.2.1, 1 : 127.30.2.1, 2 : 127.30.2.1 }\n");
    expect(mapUpdate({}, three, [])).toBe("flush map ip edgesim vip_access_5061\n");
  });

  it("names one map per pool and refuses input nft would read otherwise", () => {
    expect(mapName(access)).toBe("vip_access_5061");
    expect(mapName(av)).toBe("vip_av");
    expect(() => renderRuleset({ pools: [{ ...access, vipAddress: "127.0.0.1; flush ruleset" }] })).toThrow(/VIP address .* is not an IPv4 address/);
    expect(() => renderRuleset({ pools: [{ ...access, backends: [] }] })).toThrow(/no backend servers/);
    expect(() => renderRuleset({ pools: [access, access] })).toThrow(/share the map name 'vip_access_5061'/);
  });
});
