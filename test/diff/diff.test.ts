import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { diffTopologies } from "../../harness/diff/diff.ts";
import { checkExpectations } from "../../harness/diff/expect.ts";
import { loadTopology } from "../../harness/topology/registry.ts";
import type { Topology } from "../../harness/topology/schema.ts";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../harness/cli/bin.mjs");
const FIXTURES = join(import.meta.dirname, "../fixtures/import");
const dir = mkdtempSync(join(tmpdir(), "edgesim-diff-"));
const contoso = loadTopology("contoso");

function edited(edit: (t: Topology) => void): Topology {
  const t = structuredClone(contoso);
  edit(t);
  return t;
}

function file(name: string, t: Topology | string): string {
  const path = join(dir, name);
  writeFileSync(path, typeof t === "string" ? t : stringify(t));
  return path;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [BIN, ...args]).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
}

const blockFabrikam = (t: Topology) => {
  t.federation.allowedDomains = t.federation.allowedDomains.filter((d) => d.Identity !== "fabrikam.test");
  t.federation.blockedDomains.push({ Identity: "fabrikam.test" });
};

describe("edgesim diff (offline)", () => {
  it("property: diff X X is empty for generated topologies", () => {
    const partnerDomains = contoso.partners.map((p) => p.domain).filter((d) => d !== "jabber.test");
    const arb = fc.record({
      federation: fc.boolean(),
      discovery: fc.boolean(),
      lists: fc.array(fc.constantFrom("allowed", "blocked", "none"), { minLength: partnerDomains.length, maxLength: partnerDomains.length }),
      policies: fc.array(fc.record({ fed: fc.boolean(), xmpp: fc.boolean(), cloud: fc.boolean() }), { minLength: 2, maxLength: 2 }),
      userPolicies: fc.array(fc.constantFrom("Global", "NoFederation"), { minLength: 4, maxLength: 4 }),
      sba: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    });
    fc.assert(
      fc.property(arb, (g) => {
        const t = edited((t) => {
          t.federation.AllowFederatedUsers = g.federation;
          t.federation.EnablePartnerDiscovery = g.discovery;
          t.federation.allowedDomains = partnerDomains.filter((_, i) => g.lists[i] === "allowed").map((Identity) => ({ Identity, MarkForMonitoring: false }));
          t.federation.blockedDomains = partnerDomains.filter((_, i) => g.lists[i] === "blocked").map((Identity) => ({ Identity }));
          t.organisation.externalAccessPolicies.forEach((p, i) => Object.assign(p, { EnableFederationAccess: g.policies[i]!.fed, EnableXmppAccess: g.policies[i]!.xmpp, EnablePublicCloudAccess: g.policies[i]!.cloud }));
          t.organisation.users.forEach((u, i) => Object.assign(u, { policy: g.userPolicies[i], homedOnSba: g.sba[i] }));
        });
        const d = diffTopologies(t, structuredClone(t));
        expect(d.cellsCompared).toBeGreaterThan(0);
        expect(d.changes).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it("FED-6: blocking a partner changes exactly that partner's cells, each to a FED-6 refusal, with the rule chains before and after", () => {
    const d = diffTopologies(contoso, edited(blockFabrikam));
    expect(d.changes.length).toBeGreaterThan(0);
    expect(new Set(d.changes.map((c) => c.partner))).toEqual(new Set(["fabrikam.test"]));
    for (const c of d.changes) {
      expect(c.after).toMatchObject({ allowed: false, status: 403 });
      expect(c.after!.rules).toContain("FED-6");
      expect(c.before!.rules.length).toBeGreaterThan(0);
    }
    // dave (FED-9) was already refused: outbound FED-9 still decides first (no change); inbound only the reason changes.
    expect(d.changes.find((c) => c.user === "dave@contoso.test" && c.direction === "outbound")).toBeUndefined();
    expect(d.changes.find((c) => c.user === "dave@contoso.test" && c.direction === "inbound" && c.modality === "im")).toMatchObject({ kind: "reason", before: { allowed: false, rule: "FED-9" }, after: { allowed: false, rule: "FED-6" } });
  });

  it("FED-9: moving a user to another policy is compared user for user (the mover is its own representative)", () => {
    const d = diffTopologies(contoso, edited((t) => void (t.organisation.users.find((u) => u.uri === "carol@contoso.test")!.policy = "NoFederation")));
    expect(new Set(d.changes.map((c) => c.user))).toEqual(new Set(["carol@contoso.test"]));
    expect(d.changes.find((c) => c.partner === "fabrikam.test" && c.direction === "outbound" && c.modality === "im")).toMatchObject({ kind: "verdict", before: { allowed: true, policy: "Global" }, after: { allowed: false, rule: "FED-9", policy: "NoFederation" } });
  });

  it("a user added or removed shows as added/removed cells", () => {
    const d = diffTopologies(contoso, edited((t) => void (t.organisation.users = t.organisation.users.filter((u) => u.uri !== "erin@contoso.test"))));
    expect(d.changes.length).toBeGreaterThan(0);
    expect(d.changes.every((c) => c.kind === "removed" && c.user === "erin@contoso.test" && c.after === undefined)).toBe(true);
  });

  it("--expect: intended changes pass, others fail, and an intended change that did not happen is reported", () => {
    const d = diffTopologies(contoso, edited(blockFabrikam));
    const all = checkExpectations(d.changes, [{ partner: "fabrikam.test", to: "refused" }]);
    expect([all.unexpected.length, all.unmet.length]).toEqual([0, 0]);
    const partial = checkExpectations(d.changes, [{ partner: "fabrikam.test", direction: "inbound" }, { partner: "litware.test" }]);
    expect(partial.unexpected.every((c) => c.direction === "outbound")).toBe(true);
    expect(partial.unexpected.length).toBeGreaterThan(0);
    expect(partial.unmet).toEqual([{ partner: "litware.test" }]);
  });
});

// Each CLI run starts a node process that loads the whole program: seconds on a busy 2-core machine.
describe("edgesim diff: the CLI's exit codes and output", { timeout: 90_000 }, () => {
  const before = file("before.yaml", contoso);
  const after = file("after.yaml", edited(blockFabrikam));

  it("exit 0 when nothing changes", async () => {
    const r = await cli("diff", before, file("same.yaml", structuredClone(contoso)));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ cells compared, 0 changed/);
  });

  it("exit 1 when something changes, with the rule chains before and after (FED-6)", async () => {
    const r = await cli("diff", before, after);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/carol@contoso\.test -> fabrikam\.test im: allowed \(FED-3\) => refused 403 \(FED-6\)\n\s+before \(policy Global\): FED-9 > FED-1 > FED-6 > FED-3 > FED-7\n\s+after\s+\(policy Global\): FED-9 > FED-1 > FED-6/);
  });

  it("--json carries the same changes and the exit code", async () => {
    const r = await cli("diff", before, after, "--json");
    const j = JSON.parse(r.stdout) as { exitCode: number; changes: { partner: string; after: { rule: string } }[] };
    expect([r.code, j.exitCode]).toEqual([1, 1]);
    expect(j.changes.every((c) => c.partner === "fabrikam.test")).toBe(true);
  });

  it("--expect: exit 0 when every change was intended, 1 when one was not or an intended one did not happen", async () => {
    const all = file("expect-all.yaml", "changes:\n  - { partner: fabrikam.test, reason: CHG-1 block fabrikam }\n");
    expect((await cli("diff", before, after, "--expect", all)).code).toBe(0);
    const some = file("expect-some.yaml", "changes:\n  - { partner: fabrikam.test, direction: inbound }\n");
    const r = await cli("diff", before, after, "--expect", some);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/UNEXPECTED\s+\S+ -> fabrikam\.test/);
    const unmet = file("expect-unmet.yaml", "changes:\n  - { partner: fabrikam.test }\n  - { partner: litware.test, to: refused }\n");
    const u = await cli("diff", before, after, "--expect", unmet);
    expect(u.code).toBe(1);
    expect(u.stdout).toMatch(/Intended changes that did not happen:\n\s+partner=litware\.test to=refused/);
  });

  it("exit 2 on an error: a bad topology, a missing file, a bad --expect file", async () => {
    const bad = await cli("diff", before, file("bad.yaml", "name: Bad Name\n"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:1:\d+: name:/);
    expect((await cli("diff", before, join(dir, "missing.yaml"))).code).toBe(2);
    const badExpect = await cli("diff", before, after, "--expect", file("bad-expect.yaml", "changes:\n  - { partnr: x }\n"));
    expect(badExpect.code).toBe(2);
    expect(badExpect.stderr).toMatch(/bad-expect\.yaml: changes\.0: Unrecognized key/i);
  });

  it("--shard I/N --json splits the changed cells across runners and --merge joins them into one verdict and exit code", async () => {
    const whole = diffTopologies(contoso, edited(blockFabrikam));
    const shards = [];
    for (const i of [1, 2]) {
      const r = await cli("diff", before, after, "--json", "--shard", `${i}/2`);
      expect(r.code).toBe(1);
      shards.push(file(`shard-${i}.json`, r.stdout));
    }
    const parts = shards.map((f) => (JSON.parse(readFileSync(f, "utf8")) as { changes: unknown[] }).changes.length);
    expect(parts[0]! + parts[1]!).toBe(whole.changes.length);
    expect(parts.every((n) => n > 0)).toBe(true);
    const merged = await cli("diff", "--merge", ...shards);
    expect(merged.code).toBe(1);
    expect((JSON.parse(merged.stdout) as { changes: unknown[]; shards: number }).changes).toHaveLength(whole.changes.length);
    const missing = await cli("diff", "--merge", shards[0]!);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing shard 2\/2/);
  }, 240_000);

  it("two folders of Management Shell output compare like two topologies", async () => {
    const b = join(dir, "shell-before");
    const a = join(dir, "shell-after");
    mkdirSync(b);
    mkdirSync(a);
    const text = readFileSync(join(FIXTURES, "contoso-format-list.txt"), "utf8");
    writeFileSync(join(b, "all.txt"), text);
    writeFileSync(join(a, "all.txt"), text.replace("ExternalAccessPolicy : NoFederation", "ExternalAccessPolicy : "));
    const r = await cli("diff", b, a);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/dave@contoso\.example -> fabrikam\.example im: refused 403 \(FED-9\) => allowed \(FED-3\)/);
  });
});
