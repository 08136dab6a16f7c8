/**
 * `edgesim import --map SANDBOX=REAL` (issue 14, item 5): Get-CsService -EdgeServer
 * prints FQDNs and ports but no addresses, so the admin's own addresses come from
 * --map and are kept as the topology's realAddresses, for `edgesim ports --addresses real`.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importShellOutput } from "../../harness/import/index.ts";
import { parseTopology } from "../../harness/topology/load.ts";
import { TopologyConfigError } from "../../harness/topology/config-error.ts";
import { AddressMapError, parseMapOption, resolveRealAddresses, withRealAddresses } from "../../harness/net/real-addresses.ts";
import { computePortPlan } from "../../harness/net/port-plan.ts";

const FORMAT_LIST = readFileSync(join(import.meta.dirname, "../fixtures/import/contoso-format-list.txt"));
const imported = (map: string[]) => importShellOutput([{ file: "contoso-format-list.txt", bytes: FORMAT_LIST }], { name: "imported", partners: new Map(), realAddresses: map.map(parseMapOption) });

describe("edgesim import --map", () => {
  it("PORT-2: the mapped addresses are kept in the topology and print on the imported edge pool's VIP rows", () => {
    const r = imported(["vip-access=203.0.113.10", "edge1/external-access=203.0.113.11", "internal=10.0.0.0/8"]);
    expect(r.yaml).toMatch(/realAddresses:\n\s+# the admin's own addresses from --map.*never bound or dialled\n\s+- sandbox: vip-access\n\s+real: 203\.0\.113\.10/);
    const t = parseTopology(r.yaml, "imported.yaml");
    expect(t.realAddresses.map((e) => `${e.sandbox}=${e.real}`)).toEqual(["vip-access=203.0.113.10", "edge1/external-access=203.0.113.11", "internal=10.0.0.0/8"]);
    const plan = computePortPlan(t);
    const real = withRealAddresses(t, plan, resolveRealAddresses(t, t.realAddresses));
    const sip = real.rules.find((x) => x.id === "002-ext-vip-sip-5061-in")!;
    expect(sip.destination.addresses).toEqual(["203.0.113.10"]);
    expect(real.unmappedRules.has("002-ext-vip-sip-5061-in")).toBe(false);
    // PORT-1 rows of the imported one-node pool: edge1's access address is mapped, its A/V address is not.
    expect(real.rules.find((x) => x.id === "002-ext-node-http-80-out")!.source.addresses).toEqual(["203.0.113.11"]);
    expect(real.unmappedRules.get("002-ext-node-stun-udp-in")).toEqual(["127.30.1.12"]);
  });

  it("without --map the imported topology carries no realAddresses (Get-CsService prints none)", () => {
    expect(imported([]).yaml).not.toContain("realAddresses");
  });

  it("a bad --map is refused with the value and why; a name the imported plan lacks fails validation at its line", () => {
    expect(() => parseMapOption("vip-access=203.0.113.256")).toThrow(AddressMapError);
    expect(() => parseMapOption("vip-access=203.0.113.256")).toThrow("--map vip-access=203.0.113.256: '203.0.113.256' is not an IPv4 address or CIDR");
    expect(() => parseMapOption("=203.0.113.1")).toThrow(/expected SANDBOX=REAL/);
    const r = imported(["edge2/internal=172.16.0.2"]);
    let problems: TopologyConfigError["problems"] = [];
    try {
      parseTopology(r.yaml, "imported.yaml");
    } catch (err) {
      if (!(err instanceof TopologyConfigError)) throw err;
      problems = err.problems;
    }
    const line = r.yaml.split("\n").findIndex((l) => l.includes("sandbox: edge2/internal")) + 1;
    expect(problems).toEqual([expect.objectContaining({ line, field: "realAddresses[0].sandbox", message: expect.stringContaining("no interface 'edge2/internal'") })]);
  });
});
