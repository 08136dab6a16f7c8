/**
 * `edgesim ports --addresses real` (issue 14, item 5): the admin's own addresses
 * in place of the sandbox's 127.x plan, from the topology's realAddresses and
 * --map SANDBOX=REAL. Rows nothing maps are flagged, never silently mixed.
 */
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPorts, PortsUsageError } from "../../harness/cli/commands/ports.ts";
import { parseTopology } from "../../harness/topology/load.ts";
import { TopologyConfigError, type ConfigProblem } from "../../harness/topology/config-error.ts";
import { TOPOLOGIES } from "../../harness/topology/registry.ts";
import { PEERS, peerIt } from "../kit/peers.ts";

const contosoText = readFileSync(TOPOLOGIES.contoso!.file, "utf8");

/** What an admin of contoso's two-node HLB edge pool would map: every planned host the rule set names. */
const FULL_MAP = [
  "vip-access=198.51.100.10", "vip-webconf=198.51.100.11", "vip-av=198.51.100.12",
  "edge1/external-access=198.51.100.21", "edge1/external-av=198.51.100.23",
  "edge2/external-access=198.51.100.31", "edge2/external-av=198.51.100.33",
  "vip-internal=172.16.0.10", "edge1/internal=172.16.0.21", "edge2/internal=172.16.0.31",
  "fe01=10.1.0.11", "vip-web-external=10.1.0.50",
  "reverse-proxy/external=198.51.100.80", "reverse-proxy/internal=172.16.0.80",
  "internal=10.0.0.0/8",
];

const real = (format: string, map: string[], topology = "contoso") => renderPorts({ topology, format, addresses: "real", map });

interface JsonRule { id: string; source: { addresses: string[] }; destination: { addresses: string[] }; unmappedSandboxAddresses: string[] }
const jsonRules = (text: string) => (JSON.parse(text) as { rules: JsonRule[] }).rules;
/** The ruleset without its comment lines: what `nft -f` installs. */
const rulesOnly = (nft: string) => nft.split("\n").filter((l) => !l.trim().startsWith("#")).join("\n");
const byId = (rules: JsonRule[], id: string) => rules.find((r) => r.id === id)!;

describe("edgesim ports --addresses real", () => {
  it("PORT-1: the edge nodes' rows carry each node's real public address (table, CSV, JSON)", () => {
    const rules = jsonRules(real("json", FULL_MAP));
    expect(byId(rules, "002-ext-node-http-80-out").source.addresses).toEqual(["198.51.100.21", "198.51.100.31"]);
    expect(byId(rules, "002-ext-node-rtp-udp-in").destination.addresses).toEqual(["198.51.100.23", "198.51.100.33"]);
    expect(byId(rules, "002-ext-node-http-80-out").unmappedSandboxAddresses).toEqual([]);
    const csv = real("csv", FULL_MAP).split("\n");
    const row = csv.find((l) => l.includes(",002-ext-node-http-80-out,"))!;
    expect(row).toContain("198.51.100.21 198.51.100.31");
    expect(row.endsWith(",")).toBe(true); // last column: no sandbox address left
    const table = real("table", FULL_MAP);
    expect(table).toContain("Every address is mapped.");
    expect(table).toMatch(/002-ext-node-http-80-out .*\[198\.51\.100\.21 198\.51\.100\.31\]/);
  });

  it("PORT-2: the VIP rows carry the real VIPs, and the nftables export has no sandbox address left", () => {
    const rules = jsonRules(real("json", FULL_MAP));
    expect(byId(rules, "002-ext-vip-sip-5061-in").destination.addresses).toEqual(["198.51.100.10"]);
    expect(byId(rules, "002-ext-vip-stun-udp-in").destination.addresses).toEqual(["198.51.100.12"]);
    const nft = real("nftables", FULL_MAP);
    expect(nft).toContain("ip daddr 198.51.100.10 tcp dport 5061 ct state new accept");
    expect(nft).toContain("ip saddr 10.0.0.0/8 ip daddr 198.51.100.80 tcp dport 443");
    expect(rulesOnly(nft)).not.toMatch(/127\.\d+\.\d+\.\d+/);
    expect(nft).not.toContain("NOT INSTALLED");
  });

  it("PORT-3: the zone and host mappings of a topology file's realAddresses apply without --map", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgesim-real-"));
    const file = join(dir, "contoso-real.yaml");
    writeFileSync(file, `${contosoText}\nrealAddresses:\n  - sandbox: vip-internal\n    real: 172.16.0.10\n    note: internal HLB VIP\n  - sandbox: fe01\n    real: 10.1.0.11\n`);
    const rules = jsonRules(real("json", [], file));
    expect(byId(rules, "002-int-vip-avauth-5062").source.addresses).toEqual(["10.1.0.11"]);
    expect(byId(rules, "002-int-vip-avauth-5062").destination.addresses).toEqual(["172.16.0.10"]);
    // --map comes after the file's entries, so it wins for the same plan entry.
    expect(byId(jsonRules(real("json", ["fe01=10.9.9.9"], file)), "002-int-vip-avauth-5062").source.addresses).toEqual(["10.9.9.9"]);
  });

  it("PORT-5: rows nothing maps are flagged in every format and left out of the nftables ruleset", () => {
    const map = ["vip-access=198.51.100.10", "edge1/external-access=198.51.100.21"];
    const json = JSON.parse(real("json", map)) as { addresses: string; unmapped: { sandbox: string; name: string; rules: string[] }[]; rules: JsonRule[] };
    expect(json.addresses).toBe("real");
    const http = byId(json.rules, "002-ext-node-http-80-out");
    expect(http.source.addresses).toEqual(["198.51.100.21", "127.30.2.10"]);
    expect(http.unmappedSandboxAddresses).toEqual(["127.30.2.10"]);
    expect(json.unmapped).toContainEqual(expect.objectContaining({ sandbox: "127.30.2.10", name: "edge2/external-access" }));
    expect(byId(json.rules, "002-ext-vip-sip-5061-in").unmappedSandboxAddresses).toEqual([]);

    const table = real("table", map);
    expect(table).toContain("127.30.2.10 (sandbox: UNMAPPED)");
    expect(table).toContain("add --map edge2/external-access=REAL");
    expect(real("csv", map).split("\n").find((l) => l.includes(",002-ext-node-http-80-out,"))!.endsWith(",127.30.2.10")).toBe(true);

    const nft = real("nftables", map);
    const installed = rulesOnly(nft);
    expect(installed).not.toMatch(/127\.\d+\.\d+\.\d+/);
    expect(nft).toContain("# NOT INSTALLED: 002-ext-node-http-80-out still has sandbox address 127.30.2.10");
    expect(installed).toContain("ip daddr 198.51.100.10 tcp dport 5061");
  });

  it("the default stays the sandbox plan, unchanged", () => {
    expect(renderPorts({ topology: "contoso", format: "nftables" })).toBe(renderPorts({ topology: "contoso", format: "nftables", addresses: "sandbox" }));
    expect(renderPorts({ topology: "contoso", format: "csv" })).not.toContain("unmapped");
  });

  peerIt(PEERS.nft)("PORT-5: `nft -c -f` accepts the real-address ruleset, with and without unmapped rows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgesim-nft-real-"));
    for (const [name, map] of [["full", FULL_MAP], ["partial", FULL_MAP.slice(0, 3)]] as const) {
      const file = join(dir, `${name}.nft`);
      writeFileSync(file, real("nftables", [...map]));
      const r = await promisify(execFile)("nft", ["-c", "-f", file]).catch((err: { stderr?: string; message: string }) => ({ stdout: "", stderr: err.stderr ?? err.message, failed: true }));
      expect("failed" in r ? r.stderr : "", name).toBe("");
    }
  });
});

describe("bad --map values get a clear error", () => {
  const cases: [string, string[], RegExp][] = [
    ["a sandbox address as the real one", ["vip-access=127.0.0.5"], /127\.0\.0\.0\/8, the sandbox's own range/],
    ["not an address", ["vip-access=203.0.113"], /not an IPv4 address or CIDR/],
    ["an octet out of range", ["vip-access=203.0.113.300"], /not an IPv4 address or CIDR/],
    ["host bits in a CIDR", ["internal=10.1.2.3/8"], /host bits set: did you mean 10\.0\.0\.0\/8\?/],
    ["no '='", ["vip-access"], /expected SANDBOX=REAL/],
    ["a host the plan does not have", ["vip-acess=203.0.113.10"], /the address plan has no host 'vip-acess'/],
    ["a host with several interfaces", ["edge1=203.0.113.10"], /edge1 has 4 interfaces: name one \(edge1\/internal, edge1\/external-access/],
    ["a 127.x address the plan does not use", ["127.30.7.7=203.0.113.10"], /127\.30\.7\.7 is not an address of the plan/],
  ];
  for (const [what, map, message] of cases)
    it(`${what}: ${map.join(" ")}`, () => {
      expect(() => real("table", map)).toThrow(PortsUsageError);
      expect(() => real("table", map)).toThrow(message);
    });

  it("--map without --addresses real is refused rather than ignored", () => {
    expect(() => renderPorts({ topology: "contoso", format: "table", map: ["vip-access=203.0.113.10"] })).toThrow(/use it with --addresses real/);
    expect(() => renderPorts({ topology: "contoso", format: "table", addresses: "production" })).toThrow(/--addresses must be sandbox or real/);
  });

  it("a 127.x address or zone of the plan is a valid sandbox side", () => {
    const rules = jsonRules(real("json", ["127.30.0.10=198.51.100.10", "127.10.0.0/16=10.0.0.0/8"]));
    expect(byId(rules, "002-ext-vip-sip-5061-in").destination.addresses).toEqual(["198.51.100.10"]);
    expect(byId(rules, "000-mob-hairpin-443").source.addresses).toEqual(["10.0.0.0/8"]);
  });
});

describe("realAddresses in a topology file", () => {
  function problemsOf(text: string): ConfigProblem[] {
    try {
      parseTopology(text, "real.yaml");
    } catch (err) {
      if (err instanceof TopologyConfigError) return err.problems;
      throw err;
    }
    throw new Error("expected the topology to be refused");
  }
  const lineOf = (text: string, needle: string, after = 0) => text.split("\n").findIndex((l, i) => i >= after && l.includes(needle)) + 1;

  it("a real address in 127.0.0.0/8 is reported as file:line: field: why", () => {
    const text = `${contosoText}\nrealAddresses:\n  - sandbox: vip-access\n    real: 127.1.2.3\n`;
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ file: "real.yaml", line: lineOf(text, "real: 127.1.2.3"), field: "realAddresses[0].real", message: expect.stringContaining("the sandbox's own range") }),
    ]);
  });

  it("a sandbox side the plan lacks, or one mapped twice, is reported at its line", () => {
    const text = `${contosoText}\nrealAddresses:\n  - sandbox: edge9/internal\n    real: 10.0.0.9\n  - sandbox: vip-av\n    real: 198.51.100.12\n  - sandbox: vip-av\n    real: 198.51.100.13\n`;
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ file: "real.yaml", line: lineOf(text, "sandbox: edge9/internal"), field: "realAddresses[0].sandbox", message: expect.stringContaining("no interface 'edge9/internal'") }),
      expect.objectContaining({ file: "real.yaml", line: lineOf(text, "sandbox: vip-av", lineOf(text, "198.51.100.12")), field: "realAddresses[2].sandbox", message: expect.stringContaining("already mapped at realAddresses[1]") }),
    ]);
  });
});
