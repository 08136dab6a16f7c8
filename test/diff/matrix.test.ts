import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { buildMatrix } from "../../harness/matrix/matrix.ts";
import { formatMatrix } from "../../harness/matrix/format.ts";
import { explainOffline } from "../../harness/explain/offline.ts";
import { loadTopology } from "../../harness/topology/registry.ts";
import type { MatrixCell } from "../../harness/matrix/cells.ts";
import { readFileSync } from "node:fs";
import { importShellOutput } from "../../harness/import/index.ts";
import { parseTopology } from "../../harness/topology/load.ts";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../harness/cli/bin.mjs");
const contoso = loadTopology("contoso");
const m = buildMatrix(contoso);
const cell = (user: string, partner: string, direction: string, modality: string): MatrixCell => {
  const c = m.cells.find((x) => x.user === user && x.partner === partner && x.direction === direction && x.modality === modality);
  if (!c) throw new Error(`no cell ${user} ${partner} ${direction} ${modality}`);
  return c;
};

describe("edgesim explain --matrix", () => {
  it("FED-12: every cell (SIP and XMPP) has the verdict and deliverability `edgesim explain --from --to` gives for the same request", () => {
    expect(m.cells.length).toBeGreaterThan(100);
    expect(m.cells.some((c) => c.modality === "xmpp")).toBe(true);
    for (const c of m.cells) {
      const method = c.modality === "av" ? "INVITE" : "MESSAGE";
      const [from, to] = c.direction === "outbound" ? [c.user, c.remote] : [c.remote, c.user];
      const e = explainOffline(contoso, from, to, method, 0);
      expect({ cell: `${from} -> ${to} ${method}`, allowed: c.allowed, deliverable: c.deliverable, rules: c.verdict.rules, status: c.verdict.refusal?.status }).toEqual({ cell: `${from} -> ${to} ${method}`, allowed: e.verdict.allowed, deliverable: e.deliverable, rules: e.verdict.rules, status: e.verdict.refusal?.status });
    }
  });

  it("FED-12: the same holds for an imported configuration (Tag: policies, direct federation, a provider, a blocked domain)", () => {
    const text = readFileSync(join(import.meta.dirname, "../fixtures/import/contoso-format-list.txt"));
    const t = parseTopology(importShellOutput([{ file: "c.txt", bytes: text }], { name: "imported", partners: new Map() }).yaml);
    const cells = buildMatrix(t, { allUsers: true }).cells;
    expect(new Set(cells.map((c) => c.rule))).toEqual(new Set(["FED-3", "FED-4", "FED-5", "FED-6", "FED-9", "FED-2", "XMPP-2"]));
    for (const c of cells) {
      const method = c.modality === "av" ? "INVITE" : "MESSAGE";
      const [from, to] = c.direction === "outbound" ? [c.user, c.remote] : [c.remote, c.user];
      const e = explainOffline(t, from, to, method, 0);
      expect({ cell: `${from} -> ${to} ${method}`, allowed: c.allowed, deliverable: c.deliverable, rules: c.verdict.rules }).toEqual({ cell: `${from} -> ${to} ${method}`, allowed: e.verdict.allowed, deliverable: e.deliverable, rules: e.verdict.rules });
    }
  });

  it("FED-9: one representative user per policy (and per FED-7 contacts / XMPP-5 SBA homing); --all-users lists everyone", () => {
    expect(m.subjects.map((s) => [s.user, s.policy])).toEqual([["alice@contoso.test", "Global"], ["carol@contoso.test", "Global"], ["dave@contoso.test", "NoFederation"], ["erin@contoso.test", "Global"]]);
    const t = structuredClone(contoso);
    t.organisation.users.push({ uri: "frank@contoso.test", policy: "NoFederation", contacts: [], homedOnSba: false, remote: false });
    const grouped = buildMatrix(t);
    expect(grouped.subjects.find((s) => s.policy === "NoFederation")).toEqual({ user: "dave@contoso.test", policy: "NoFederation", represents: 2 });
    expect(buildMatrix(t, { allUsers: true }).subjects).toHaveLength(5);
  });

  it("FED-9: a user whose policy lacks EnableFederationAccess is refused by FED-9 for every SIP partner, both ways", () => {
    const dave = m.cells.filter((c) => c.user === "dave@contoso.test" && c.modality !== "xmpp" && c.partner !== "blocked.test");
    expect(dave.length).toBeGreaterThan(0);
    for (const c of dave) expect([c.partner, c.direction, c.allowed, c.rule]).toEqual([c.partner, c.direction, false, "FED-9"]);
  });

  it("FED-6: the blocked domain is refused in and out, for IM and A/V, whatever the user's policy", () => {
    for (const c of m.cells.filter((x) => x.partner === "blocked.test")) expect([c.user, c.direction, c.modality, c.allowed, c.rule, c.status]).toEqual([c.user, c.direction, c.modality, false, c.user === "dave@contoso.test" && c.direction === "outbound" ? "FED-9" : "FED-6", 403]);
  });

  it("FED-3/FED-4/FED-5: the deciding rule of a delivery is the rule that classified the partner", () => {
    expect(cell("carol@contoso.test", "fabrikam.test", "outbound", "im")).toMatchObject({ allowed: true, rule: "FED-3" });
    expect(cell("carol@contoso.test", "litware.test", "inbound", "av")).toMatchObject({ allowed: true, rule: "FED-4" });
    expect(cell("carol@contoso.test", "aim.test", "outbound", "im")).toMatchObject({ allowed: true, deliverable: true, rule: "FED-5" });
    // FED-5 (since Lync Server 2010): a hosted domain needs the allowed list or discovery; contoso discovers it (FED-2) behind the provider's proxy.
    const hosted = cell("carol@contoso.test", "tailspin.test", "inbound", "im");
    expect(hosted).toMatchObject({ allowed: true, rule: "FED-2" });
    expect(hosted.rules).toEqual(expect.arrayContaining(["FED-5", "FED-2"]));
  });

  it("DNS-1: an allowed domain that DNS leads nowhere is 'unreachable 504', allowed by policy but never delivered", () => {
    const t = structuredClone(contoso);
    t.federation.allowedDomains.push({ Identity: "nowhere.test", MarkForMonitoring: false });
    const c = buildMatrix(t).cells.find((x) => x.user === "carol@contoso.test" && x.partner === "nowhere.test" && x.direction === "outbound" && x.modality === "im")!;
    expect(c).toMatchObject({ allowed: true, deliverable: false, rule: "DNS-1", status: 504 });
    expect(formatMatrix({ ...m, cells: [c] }, "csv")).toContain(",unreachable 504,DNS-1,");
  });

  it("XMPP-2 / XMPP-5: an XMPP partner has XMPP cells, not SIP ones; a user homed on an SBA is refused either way", () => {
    for (const direction of ["outbound", "inbound"]) {
      expect(cell("carol@contoso.test", "jabber.test", direction, "xmpp")).toMatchObject({ allowed: true, rule: "XMPP-2" });
      expect(cell("erin@contoso.test", "jabber.test", direction, "xmpp")).toMatchObject({ allowed: false, rule: "XMPP-5" });
    }
    expect(m.cells.filter((c) => c.partner === "jabber.test" && c.modality !== "xmpp")).toEqual([]);
  });

  it("csv, json and md carry the same cells", () => {
    const csv = formatMatrix(m, "csv").trim().split("\n");
    expect(csv[0]).toBe("user,policy,partner,product,direction,modality,verdict,rule,rules");
    expect(csv).toHaveLength(m.cells.length + 1);
    const json = JSON.parse(formatMatrix(m, "json")) as { cells: { allowed: boolean; steps: unknown[] }[] };
    expect(json.cells.map((c) => c.allowed)).toEqual(m.cells.map((c) => c.allowed));
    expect(formatMatrix(m, "md").trim().split("\n")).toHaveLength(m.cells.length + 2);
  });

  it("the CLI prints the matrix (--format csv) and refuses an unknown format with exit 2", async () => {
    const ok = await run(process.execPath, [BIN, "explain", "--matrix", "--format", "csv"]);
    expect(ok.stdout).toContain("dave@contoso.test,NoFederation,fabrikam.test,lync2013,outbound,im,refused 403,FED-9,FED-9");
    const bad = await run(process.execPath, [BIN, "explain", "--matrix", "--format", "xml"]).then(() => undefined, (e) => e as { code: number; stderr: string });
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toMatch(/--format xml: expected one of table, csv, json, md/);
  });
});
