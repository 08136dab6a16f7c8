import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildMatrix } from "../../harness/matrix/matrix.ts";
import { diffTopologies } from "../../harness/diff/diff.ts";
import { checkCellsLive, confirmChangesLive } from "../../harness/diff/live.ts";
import { confirmChangesInWorlds } from "../../harness/diff/live-worlds.ts";
import { diffExitCode } from "../../harness/diff/format.ts";
import { canMakeNamespace } from "../../harness/netns/reexec.ts";
import { readlinkSync } from "node:fs";
import { importShellOutput } from "../../harness/import/index.ts";
import { parseTopology } from "../../harness/topology/load.ts";
import type { MatrixCell } from "../../harness/matrix/cells.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { addressingAt, TEST_STATE_DIR, topologyAt } from "../kit/world.ts";

const WORLD = { stateDir: TEST_STATE_DIR, privileged: false };

function pick(cells: MatrixCell[], wanted: [string, string, string, string][]): MatrixCell[] {
  return wanted.map(([user, partner, direction, modality]) => {
    const c = cells.find((x) => x.user === user && x.partner === partner && x.direction === direction && x.modality === modality);
    if (!c) throw new Error(`no cell ${user} ${partner} ${direction} ${modality}`);
    return c;
  });
}

function explainLive(checks: Awaited<ReturnType<typeof checkCellsLive>>): string[] {
  return checks.map((c) => `${c.sentence}: offline ${c.cell.allowed ? "allowed" : `refused by ${c.cell.rule}`}, live ${c.status} (${c.detail})`);
}

describe("round trip: topology -> matrix -> the same verdicts live (real sockets)", { timeout: 180_000 }, () => {
  it("FED-3/FED-4/FED-5/FED-6/FED-9/XMPP-2/XMPP-5: a sample of contoso's cells delivers exactly where the matrix says", async () => {
    const t = topologyAt(ZONE_BASE.diffLive);
    const m = buildMatrix(t);
    const sample = pick(m.cells, [
      ["carol@contoso.test", "fabrikam.test", "outbound", "im"], // FED-3 allowed
      ["dave@contoso.test", "fabrikam.test", "outbound", "im"], // FED-9 refused
      ["carol@contoso.test", "blocked.test", "inbound", "im"], // FED-6 refused
      ["carol@contoso.test", "litware.test", "inbound", "im"], // FED-4 allowed
      ["carol@contoso.test", "tailspin.test", "inbound", "im"], // FED-5 allowed
      ["dave@contoso.test", "litware.test", "inbound", "im"], // FED-9 refused
      ["carol@contoso.test", "jabber.test", "inbound", "xmpp"], // XMPP-2 allowed
      ["erin@contoso.test", "jabber.test", "inbound", "xmpp"], // XMPP-5 refused
      ["carol@contoso.test", "jabber.test", "outbound", "xmpp"], // XMPP-2 allowed
    ]);
    expect(sample.map((c) => c.allowed)).toEqual([true, false, false, true, true, false, true, false, true]);
    const checks = await checkCellsLive(t, "before", sample, WORLD);
    expect(checks.filter((c) => c.status !== "agrees"), explainLive(checks).join("\n")).toEqual([]);
  });

  it("an imported configuration starts as a world and its matrix holds live (FED-3, FED-6, FED-9)", async () => {
    const text = readFileSync(join(import.meta.dirname, "../fixtures/import/contoso-format-list.txt"));
    const r = importShellOutput([{ file: "contoso.txt", bytes: text }], { name: "imported", partners: new Map() });
    const t: Topology = { ...parseTopology(r.yaml, "imported.yaml"), addressing: addressingAt(ZONE_BASE.diffLive) };
    const sample = pick(buildMatrix(t).cells, [
      ["alice@contoso.example", "fabrikam.example", "outbound", "im"],
      ["dave@contoso.example", "fabrikam.example", "outbound", "im"],
      ["alice@contoso.example", "spam.example", "inbound", "im"],
      ["alice@contoso.example", "litware.example", "inbound", "im"],
    ]);
    expect(sample.map((c) => [c.allowed, c.rule])).toEqual([[true, "FED-3"], [false, "FED-9"], [false, "FED-6"], [true, "FED-4"]]);
    const checks = await checkCellsLive(t, "after", sample, WORLD);
    expect(checks.filter((c) => c.status !== "agrees"), explainLive(checks).join("\n")).toEqual([]);
  });
});

describe("edgesim diff --live", { timeout: 240_000 }, () => {
  it("FED-6: every changed cell of blocking a partner is confirmed in both worlds", async () => {
    const before = topologyAt(ZONE_BASE.diffLive);
    const after = topologyAt(ZONE_BASE.diffLive, "contoso", (t) => {
      t.federation.allowedDomains = t.federation.allowedDomains.filter((d) => d.Identity !== "litware.test");
      t.federation.blockedDomains.push({ Identity: "litware.test" });
    });
    const d = diffTopologies(before, after);
    const im = d.changes.filter((c) => c.modality === "im" && c.kind === "verdict");
    expect(im.length).toBeGreaterThan(0);
    const checks = await confirmChangesLive(before, after, im, WORLD);
    expect(checks).toHaveLength(im.length * 2);
    expect(checks.filter((c) => c.status !== "agrees"), explainLive(checks).join("\n")).toEqual([]);
    expect(checks.filter((c) => c.side === "after").every((c) => c.delivered === false)).toBe(true);
  });
});

/** The worker is this checkout's edgesim (vitest's own argv[1] is not). */
const WORKER = [process.execPath, join(import.meta.dirname, "../../harness/cli/bin.mjs"), "diff-live-worker"];
const namespaces = canMakeNamespace();

function blockLitware() {
  const before = topologyAt(ZONE_BASE.diffLive);
  const after = topologyAt(ZONE_BASE.diffLive, "contoso", (t) => {
    t.federation.allowedDomains = t.federation.allowedDomains.filter((d) => d.Identity !== "litware.test");
    t.federation.blockedDomains.push({ Identity: "litware.test" });
  });
  return { before, after, im: diffTopologies(before, after).changes.filter((c) => c.modality === "im" && c.kind === "verdict") };
}

describe("edgesim diff --live in several worlds at once (issue 14, item 4)", { timeout: 240_000 }, () => {
  it.skipIf(!namespaces.ok)("FED-6: the BEFORE and AFTER worlds run at once, each in its own network namespace on the same 127.x plan, and every changed cell agrees", async () => {
    const { before, after, im } = blockLitware();
    expect(before.addressing).toEqual(after.addressing);
    const r = await confirmChangesInWorlds(before, after, im, { ...WORLD, concurrency: 2, workerCommand: WORKER });
    expect(r.mode).toBe("namespaces");
    expect(r.failures).toEqual([]);
    expect(r.namespaceIds).toHaveLength(2);
    expect(new Set(r.namespaceIds).size).toBe(2);
    expect(r.namespaceIds).not.toContain(readlinkSync("/proc/self/ns/net"));
    expect(r.checks).toHaveLength(im.length * 2);
    expect(r.checks.filter((c) => c.status !== "agrees"), explainLive(r.checks).join("\n")).toEqual([]);
    expect(r.checks.filter((c) => c.side === "after").every((c) => c.delivered === false)).toBe(true);
  });

  it("FED-6: with namespaces off the worlds run one after the other in this process, and the result says so", async () => {
    const { before, after, im } = blockLitware();
    const r = await confirmChangesInWorlds(before, after, im.slice(0, 1), { ...WORLD, namespaces: "off", workerCommand: WORKER });
    expect(r.mode).toBe("sequential");
    expect(r.why).toMatch(/no network namespace could be made \(namespaces turned off\): the worlds ran one after the other/);
    expect(r.checks.map((c) => [c.side, c.status])).toEqual([["before", "agrees"], ["after", "agrees"]]);
  });

  it.skipIf(!namespaces.ok)("a world whose process fails leaves its cells unconfirmed with the reason, and the diff exits 2", async () => {
    const { before, after, im } = blockLitware();
    const r = await confirmChangesInWorlds(before, after, im.slice(0, 1), { ...WORLD, workerCommand: ["sh", "-c", "echo no world here >&2; exit 3", "worker"] });
    expect(r.failures).toHaveLength(2);
    expect(r.failures[0]).toMatch(/world's process exited 3: no world here/);
    expect(r.checks.every((c) => c.status === "unconfirmed")).toBe(true);
    expect(diffExitCode({ diff: { ...diffTopologies(before, after), changes: im.slice(0, 1) }, live: r.checks, liveWorlds: r })).toBe(2);
  });
});
