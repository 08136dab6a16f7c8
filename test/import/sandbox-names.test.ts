import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importShellOutput } from "../../harness/import/index.ts";
import { parseTopology } from "../../harness/topology/load.ts";
import { buildZones } from "../../harness/dns/zones.ts";
import { buildAddressPlan } from "../../harness/world/address-plan.ts";
import { answerQuestion } from "../../harness/dns/answer.ts";

const text = readFileSync(join(import.meta.dirname, "../fixtures/import/contoso-format-list.txt"));
const t = parseTopology(importShellOutput([{ file: "c.txt", bytes: text }], { name: "imported", partners: new Map() }).yaml);
const plan = buildAddressPlan(t);
const zones = buildZones(t, plan);
const external = { name: "external" as const, sets: [zones.external] };

describe("the admin's own names are served by the sandbox's DNS only, on loopback", () => {
  it("DNS-1: the imported partner's SRV record and our access edge resolve in the external view to 127.x addresses", () => {
    const srv = answerQuestion(external, "_sipfederationtls._tcp.fabrikam.example", "SRV");
    expect(srv.rcode).toBe("NOERROR");
    expect(srv.answers.map((r) => (r.type === "SRV" ? `${r.target}:${r.port}` : ""))).toEqual(["sip.fabrikam.example:5061"]);
    const a = answerQuestion(external, "sip.contoso.example", "A");
    expect(a.answers.length).toBeGreaterThan(0);
    for (const r of [...a.answers, ...srv.additionals]) expect(r.type === "A" && r.address).toMatch(/^127\./);
  });

  it("a name the topology does not hold is refused, never looked up elsewhere; an unknown name under an imported domain is NXDOMAIN", () => {
    expect(answerQuestion(external, "www.example.org", "A").rcode).toBe("REFUSED");
    expect(answerQuestion(external, "com", "A").rcode).toBe("REFUSED");
    expect(answerQuestion(external, "nothing-here.fabrikam.example", "A").rcode).toBe("NXDOMAIN");
  });

  it("every address in the imported world's plan is in 127.0.0.0/8", () => {
    expect(plan.entries.length).toBeGreaterThan(10);
    for (const h of plan.entries) expect(h.address).toMatch(/^127\./);
  });
});
