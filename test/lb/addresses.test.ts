/** HLB-4 (N + 1 public IPs per role) and HLB-5 (the Access VIP is each edge's default gateway), from the plan. */
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { publicAddresses } from "../../harness/cli/commands/addresses.ts";
import { buildAddressPlan } from "../../harness/world/address-plan.ts";
import { edgeRoutes } from "../../harness/world/edge-routes.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { topologyAt } from "../kit/world.ts";

const B = ZONE_BASE.lbUnit;

describe("HLB-4: public addresses", () => {
  const cases = [
    { name: "two servers, three roles, HLB (the seeds' example)", servers: 2, lb: "hlb" as const, total: 9, vips: 3 },
    { name: "one server, HLB", servers: 1, lb: "hlb" as const, total: 6, vips: 3 },
    { name: "four servers, HLB", servers: 4, lb: "hlb" as const, total: 15, vips: 3 },
    { name: "two servers, DNS load balancing (no VIPs)", servers: 2, lb: "dns" as const, total: 6, vips: 0 },
  ];
  for (const c of cases)
    it(`HLB-4: ${c.name} need ${c.total} public IPs`, () => {
      const t = topologyAt(B, "contoso", (t) => {
        t.organisation.edgePool.servers = Array.from({ length: c.servers }, (_, i) => `edge${i + 1}`);
        t.organisation.edgePool.loadBalancing = c.lb;
      });
      const plan = buildAddressPlan(t);
      const count = publicAddresses(t, plan);
      expect(count.total).toBe(c.total);
      expect(count.vips).toBe(c.vips);
      expect(count.addresses.filter((a) => a.kind === "VIP")).toHaveLength(c.vips);
      expect(new Set(count.addresses.map((a) => a.address)).size).toBe(c.total);
      for (const a of count.addresses) expect(plan.find((e) => e.address === a.address && e.zone === "perimeterExternal")).toHaveLength(1);
      for (const role of ["access", "webconf", "av"]) expect(count.addresses.filter((a) => a.role === role)).toHaveLength(c.total / 3);
    });

  it("HLB-4: `edgesim addresses --json` prints the 9 addresses of contoso and the formula", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgesim-addr-"));
    const file = join(dir, "t.yaml");
    writeFileSync(file, stringify(topologyAt(B)));
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, "../../harness/cli/bin.mjs"), "addresses", "--json", "-t", file]);
    const out = JSON.parse(stdout) as { total: number; formula: string; addresses: { host: string; address: string }[] };
    expect(out.total).toBe(9);
    expect(out.formula).toBe("3 roles x (2 servers + 1 VIP) = 9");
    expect(out.addresses.filter((a) => a.host.startsWith("vip-")).map((a) => a.address)).toEqual([`127.${B + 2}.0.10`, `127.${B + 2}.0.11`, `127.${B + 2}.0.12`]);
  });
});

describe("HLB-5: routing of the edges", () => {
  it("HLB-5: the Access Edge VIP is every edge's default gateway; internal networks by persistent static routes on the internal interface", () => {
    const t = topologyAt(B);
    const plan = buildAddressPlan(t);
    const routes = edgeRoutes(t, plan);
    for (const edge of t.organisation.edgePool.servers) {
      const mine = routes.filter((r) => r.edge === edge);
      expect(mine.filter((r) => r.destination === "default")).toEqual([{ edge, destination: "default", via: plan.byHost("vip-access").address, viaHost: "vip-access", iface: "external-access", persistent: true, rules: ["HLB-5"] }]);
      expect(mine.filter((r) => r.destination === t.addressing.internal)).toEqual([{ edge, destination: t.addressing.internal, iface: "internal", persistent: true, rules: ["HLB-5"] }]);
      expect(mine.filter((r) => r.iface === "internal" && r.destination === "default")).toEqual([]);
    }
  });

  it("DNS-5: with DNS load balancing there is no VIP to route through", () => {
    const t = topologyAt(B, "contoso", (t) => { t.organisation.edgePool.loadBalancing = "dns"; });
    const defaults = edgeRoutes(t, buildAddressPlan(t)).filter((r) => r.destination === "default");
    expect(defaults.map((r) => [r.via, r.rules])).toEqual([[undefined, ["DNS-5"]], [undefined, ["DNS-5"]]]);
  });
});
