import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computePortPlan } from "../../harness/net/port-plan.ts";
import { renderPorts } from "../../harness/cli/commands/ports.ts";
import { loadTopology } from "../../harness/topology/registry.ts";
import { renderNftables } from "../../edge/firewall/nftables.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { SEED_PORT_TABLES } from "./seed-port-tables.ts";

const contoso = loadTopology("contoso");
const plan = computePortPlan(contoso);
const rowsOf = (table: string, rules = plan.rules) => rules.filter((r) => r.seed?.table === table);

/** "A/V/RTP/TCP/50000-59999" -> tcp, [50000, 59999]. */
function portsOfLabel(label: string): { protocol: string; ports: [number, number] } {
  const m = /\/(TCP|UDP)\/(\d+)(?:-(\d+))?$/.exec(label);
  if (!m) throw new Error(`seed label '${label}' has no /TCP|UDP/port ending`);
  return { protocol: m[1]!.toLowerCase(), ports: [Number(m[2]), Number(m[3] ?? m[2])] };
}

const TABLES: { rule: string; table: string; firewall: string }[] = [
  { rule: "PORT-1", table: "002-external-nodes", firewall: "external" },
  { rule: "PORT-3", table: "002-internal-nodes", firewall: "internal" },
  { rule: "PORT-2", table: "002-external-vips", firewall: "external" },
  { rule: "PORT-3", table: "002-internal-vips", firewall: "internal" },
  { rule: "PORT-4", table: "004-external", firewall: "external" },
  { rule: "PORT-4", table: "004-internal", firewall: "internal" },
];

describe("edgesim ports for the default topology reproduces the seeds' tables", () => {
  for (const c of TABLES) {
    it(`${c.rule}: ${c.table} row for row (protocol, ports, direction, source, destination, note)`, () => {
      const seed = SEED_PORT_TABLES[c.table]!;
      const computed = rowsOf(c.table);
      expect(computed.map((r) => r.seed!.row)).toEqual(seed.map((_, i) => i + 1));
      computed.forEach((r, i) => {
        const [direction, label, source, destination, note] = seed[i]!;
        const where = `${c.table} row ${i + 1} (${label})`;
        expect({ protocol: r.protocol, ports: r.ports }, where).toEqual(portsOfLabel(label));
        expect(r.direction, where).toBe(direction === "in" ? "inbound" : "outbound");
        expect(r.firewall, where).toBe(c.firewall);
        expect([r.seed!.source, r.seed!.destination, r.seed!.note], where).toEqual([source, destination, note]);
        expect(r.rules, where).toContain(c.rule);
      });
    });
  }

  it("PORT-1: the edge nodes' rows name the nodes' own addresses, not the VIPs", () => {
    const http = plan.rules.find((r) => r.id === "002-ext-node-http-80-out")!;
    expect(http.source.addresses).toEqual(["127.30.1.10", "127.30.2.10"]);
    const stun = plan.rules.find((r) => r.id === "002-ext-vip-stun-udp-in")!;
    expect(stun.destination.addresses).toEqual(["127.30.0.12"]);
  });

  it("PORT-4: the reverse proxy reaches the pool on 4443 and 8080 from its internal interface, at the front-end HLB's external web services VIP (MOB-5)", () => {
    for (const id of ["004-int-https-4443", "004-int-http-8080"]) {
      const r = plan.rules.find((x) => x.id === id)!;
      expect([r.source.addresses, r.destination.addresses]).toEqual([["127.20.9.1"], ["127.10.0.11"]]);
    }
  });
});

describe("PORT-5: only the rows the enabled features need", () => {
  const cases: { name: string; edit: (t: ReturnType<typeof loadTopology>) => void; gone: string[] }[] = [
    { name: "no XMPP federation: no 5269 and no 23456", edit: (t) => { t.federation.EnableXmppFederation = false; }, gone: ["002-int-node-xmpp-23456", "002-ext-vip-xmpp-in", "002-ext-vip-xmpp-out"] },
    { name: "no OCS 2007 partner: no inbound RTP and no outbound RTP/UDP", edit: (t) => { t.partners = t.partners.filter((p) => p.product !== "ocs2007"); }, gone: ["002-ext-node-rtp-udp-out", "002-ext-node-rtp-tcp-in", "002-ext-node-rtp-udp-in"] },
    { name: "federation off: no 5061 on the external VIP and no A/V federation", edit: (t) => { t.federation = { ...t.federation, AllowFederatedUsers: false, EnablePartnerDiscovery: false }; }, gone: ["002-ext-vip-sip-5061-in", "002-ext-vip-sip-5061-out", "002-ext-node-rtp-tcp-out", "002-ext-node-rtp-udp-out", "002-ext-node-rtp-tcp-in", "002-ext-node-rtp-udp-in"] },
    // PORT-5 follows the policy (FED-6, FED-2): a partner in the topology that no call would reach adds nothing.
    { name: "the OCS 2007 partner blocked (FED-6): its RTP rows go, the others stay", edit: (t) => { t.federation.blockedDomains.push({ Identity: "northwind.test" } as never); }, gone: ["002-ext-node-rtp-udp-out", "002-ext-node-rtp-tcp-in", "002-ext-node-rtp-udp-in"] },
    { name: "partner discovery off: the discovered OCS 2007 partner is not federated, its RTP rows go", edit: (t) => { t.federation.EnablePartnerDiscovery = false; }, gone: ["002-ext-node-rtp-udp-out", "002-ext-node-rtp-tcp-in", "002-ext-node-rtp-udp-in"] },
    { name: "the OCS 2007 partner switched to Lync 2013: no UDP 50000-59999 rows (PORT-1 corrected)", edit: (t) => { t.partners.find((p) => p.domain === "northwind.test")!.product = "lync2013"; }, gone: ["002-ext-node-rtp-udp-out", "002-ext-node-rtp-tcp-in", "002-ext-node-rtp-udp-in"] },
    { name: "every Lync/OCS partner blocked: no A/V federation rows at all", edit: (t) => { for (const d of ["fabrikam.test", "litware.test", "northwind.test", "adatum.test"]) t.federation.blockedDomains.push({ Identity: d } as never); }, gone: ["002-ext-node-rtp-tcp-out", "002-ext-node-rtp-udp-out", "002-ext-node-rtp-tcp-in", "002-ext-node-rtp-udp-in"] },
    { name: "no remote users: no SIP/TLS 443 on the Access VIP and no SIP over WSS (edgesim's own 8443)", edit: (t) => { t.federation.AllowOutsideUsers = false; }, gone: ["002-ext-vip-sip-443-in", "edgesim-ext-node-wss-8443-in"] },
  ];
  for (const c of cases)
    it(`PORT-5: ${c.name}`, () => {
      const t = structuredClone(contoso);
      c.edit(t);
      const ids = computePortPlan(t).rules.map((r) => r.id);
      expect(plan.rules.map((r) => r.id).filter((id) => !ids.includes(id)).sort()).toEqual([...c.gone].sort());
    });

  it("PORT-5: the A/V features say which partners are federated and why the others add no rows, with the policy's verdict", () => {
    const t = structuredClone(contoso);
    t.federation.blockedDomains.push({ Identity: "northwind.test" } as never);
    const features = computePortPlan(t).features;
    const why = (f: string) => features.find((x) => x.feature === f)!;
    expect(why("avFederation").why).toMatch(/fabrikam\.test \(lync2013\).*not federated, no rows: northwind\.test: .*refused 403 by FED-6; blocked\.test: .*refused 403 by FED-6/);
    expect(why("avOcs2007")).toMatchObject({ enabled: false });
  });

  it("PORT-5: the table and the CSV print whole prefixes (127.10.0.0/16), never the model's 127.10.", () => {
    const table = renderPorts({ topology: "contoso", format: "table" });
    const csv = renderPorts({ topology: "contoso", format: "csv" });
    for (const text of [table, csv]) {
      expect(text).toContain("127.10.0.0/16");
      expect(text).not.toMatch(/127\.\d+\.(?![\d])/);
    }
    const json = JSON.parse(renderPorts({ topology: "contoso", format: "json" })) as { zones: Record<string, string>; rules: { id: string; destination: { addresses: string[] } }[] };
    expect(json.zones.internal).toBe("127.10.0.0/16");
    expect(json.rules.find((r) => r.id === "004-int-owa-443")!.destination.addresses).toEqual(["127.10.0.0/16"]);
  });

  it("PORT-5: --without autodiscoverHttp drops 80 and 8080 only; --with mobilityPush adds 5223 on both firewalls", () => {
    const lean = computePortPlan(contoso, { autodiscoverHttp: false }).rules.map((r) => r.id);
    expect(plan.rules.map((r) => r.id).filter((id) => !lean.includes(id))).toEqual(["004-ext-http-80", "004-int-http-8080"]);
    const push = computePortPlan(contoso, { mobilityPush: true }).rules.filter((r) => r.ports[0] === 5223);
    expect(push.map((r) => r.firewall).sort()).toEqual(["external", "internal"]);
  });

  it("PORT-5: `edgesim ports` prints every table, CSV and JSON with the same rules", () => {
    const table = renderPorts({ topology: "contoso", format: "table" });
    for (const c of TABLES) expect(table).toContain(c.table.startsWith("002") ? "Seed 002" : "Seed 004");
    for (const r of plan.rules) expect(table).toContain(r.id);
    const csv = renderPorts({ topology: "contoso", format: "csv" }).trim().split("\n");
    expect(csv.length).toBe(plan.rules.length + 1);
    expect(JSON.parse(renderPorts({ topology: "contoso", format: "json" })).rules.length).toBe(plan.rules.length);
    expect(renderPorts({ topology: "contoso", format: "table", notes: "seed" })).toContain("인증서 해지/CRL 검사 및 검색");
    expect(() => renderPorts({ topology: "contoso", format: "xml" })).toThrow(/--format must be one of/);
    expect(() => renderPorts({ topology: "contoso", format: "table", with: ["teleport"] })).toThrow(/unknown feature 'teleport'/);
  });
});

describe("the nftables export", () => {
  it("PORT-5: one table per firewall, policy drop, one accept per rule, naming the rule ID", () => {
    const text = renderNftables(plan.rules);
    expect(text).not.toContain("flush ruleset");
    expect(text.match(/policy drop;/g)?.length).toBe(2);
    for (const r of plan.rules) expect(text).toContain(`comment "${r.id}:`);
    expect(text).toContain("ip saddr 127.20.9.1 ip daddr 127.10.0.11 tcp dport 4443 ct state new accept");
    expect(text).toContain("ip daddr { 127.30.1.12, 127.30.2.12 } udp dport 50000-59999");
  });

  peerIt(PEERS.nft)("PORT-5: `nft -c -f` accepts the exported ruleset for the default topology and a lean one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgesim-nft-"));
    for (const [name, rules] of [["full", plan.rules], ["lean", computePortPlan(contoso, { xmpp: false, autodiscoverHttp: false }).rules]] as const) {
      const file = join(dir, `${name}.nft`);
      writeFileSync(file, renderNftables(rules));
      const r = await promisify(execFile)("nft", ["-c", "-f", file]).catch((err: { stderr?: string; message: string }) => ({ stdout: "", stderr: err.stderr ?? err.message, failed: true }));
      expect("failed" in r ? r.stderr : "", name).toBe("");
    }
  });
});
