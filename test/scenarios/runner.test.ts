import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../../harness/events/bus.ts";
import { runScenario, scenarioTopology } from "../../harness/scenarios/runner.ts";
import { readScenarioFile } from "../../harness/scenarios/file.ts";
import { setPath } from "../../harness/scenarios/set-path.ts";
import { TopologyConfigError } from "../../harness/topology/config-error.ts";
import { projectPath } from "../../harness/paths/project-root.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { addressingAt, TEST_STATE_DIR } from "../kit/world.ts";

const dir = mkdtempSync(join(tmpdir(), "edgesim-scenarios-"));
const opts = { addressing: addressingAt(ZONE_BASE.scenarios), stateDir: TEST_STATE_DIR, privileged: false };

function scenario(name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

describe("the scenario runner", () => {
  it("a scenario whose expectations all hold passes, step by step", async () => {
    const file = scenario("ok", `name: ok\nsteps:\n  - explain alice@contoso.test to bob@fabrikam.test\n  - expect delivered, verifiable by FED-3\n`);
    const o = await runScenario(file, opts);
    expect(o.ok).toBe(true);
    expect(o.steps.map((s) => [s.line, s.kind, s.ok])).toEqual([[3, "action", true], [4, "expect", true]]);
  });

  it("FED-12: an expectation that does not hold fails the scenario and says what was found", async () => {
    const file = scenario("fails", `name: fails\nsteps:\n  - explain mallory@blocked.test to alice@contoso.test\n  - expect delivered\n`);
    const o = await runScenario(file, opts);
    expect(o.ok).toBe(false);
    expect(o.steps[1]!.ok).toBe(false);
    expect(o.steps[1]!.detail).toMatch(/not delivered: .*403.*FED-6/);
  });

  it("`set:` changes the topology before the world starts (FED-1: federation off)", async () => {
    const file = scenario("set", `name: set\nset:\n  federation.AllowFederatedUsers: false\nsteps:\n  - explain alice@contoso.test to bob@fabrikam.test\n  - expect refused 403 by FED-1\n`);
    expect((await runScenario(file, opts)).ok).toBe(true);
  });

  it("a sentence no step understands fails with the list of known sentences", async () => {
    const file = scenario("unknown", `name: unknown\nsteps:\n  - alice dances with bob\n  - explain alice@contoso.test to bob@fabrikam.test\n`);
    const o = await runScenario(file, opts);
    expect(o.ok).toBe(false);
    expect(o.steps[0]!.detail).toMatch(/no step understands this sentence; known sentences:[\s\S]*explain alice@contoso\.test to bob@fabrikam\.test/);
  });

  it("a bad scenario file names its file, line and field", () => {
    const file = scenario("bad", `name: bad\ntopology: contoso\nstepz:\n  - explain a@b.test to c@d.test\n`);
    try {
      readScenarioFile(file);
      expect.unreachable("the file should be refused");
    } catch (err) {
      expect(err).toBeInstanceOf(TopologyConfigError);
      const problems = (err as TopologyConfigError).problems;
      expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ file, line: 3, field: "stepz", message: expect.stringContaining("unknown field 'stepz': did you mean 'steps'?") }), expect.objectContaining({ field: "steps" })]));
    }
  });

  it("set paths select list items by field value", () => {
    const t = { partners: [{ domain: "a.test", certificate: { omitClientAuth: false } }, { domain: "b.test", certificate: { omitClientAuth: false } }] };
    setPath(t, "partners[domain=b.test].certificate.omitClientAuth", true);
    expect(t.partners.map((p) => p.certificate.omitClientAuth)).toEqual([false, true]);
    expect(() => setPath(t, "partners[domain=c.test].certificate", {})).toThrow(/no item with domain=c\.test/);
  });

  it("set paths follow the grammar of docs/scenarios.md: anything else is refused, not half read", () => {
    const t = { federation: { AllowFederatedUsers: true }, partners: [] as unknown[] };
    for (const bad of ["federation AllowFederatedUsers", "federation..AllowFederatedUsers", "partners[domain=]", "partners[0", "federation.*", "[0].x"]) expect(() => setPath(t, bad, 1), bad).toThrow(/not a path/);
    setPath(t, "partners[0]", { domain: "a.test" });
    expect(t.partners).toEqual([{ domain: "a.test" }]);
  });

  it("FED-6: a misspelt set: field gets a 'did you mean' at its line, in the same pass as a cross-field problem", () => {
    const file = scenario("set-typo", `name: typo\nset:\n  federation.EnablePartnerDiscovry: true\n  federation.blockedDomains[0].Identity: fabrikam.test\nsteps:\n  - explain alice@contoso.test to bob@fabrikam.test\n`);
    try {
      scenarioTopology(readScenarioFile(file), opts.addressing);
      expect.unreachable("the set: changes should be refused");
    } catch (err) {
      expect(err).toBeInstanceOf(TopologyConfigError);
      const problems = (err as TopologyConfigError).problems.map((p) => ({ line: p.line, field: p.field, message: p.message, rule: p.rule }));
      expect(problems).toEqual([
        { line: 3, field: "federation.EnablePartnerDiscovry", message: "after set: unknown field 'EnablePartnerDiscovry': did you mean 'EnablePartnerDiscovery'?", rule: undefined },
        expect.objectContaining({ line: 4, field: "federation.blockedDomains[0].Identity", rule: "FED-6" }),
      ]);
    }
  });
});

describe("every shipped scenario passes", () => {
  const shipped = readdirSync(projectPath("harness/scenarios")).filter((f) => f.endsWith(".yaml"));
  it("ships at least one scenario", () => expect(shipped.length).toBeGreaterThan(0));
  it.each(shipped)("%s", async (name) => {
    const bus = new EventBus();
    const drops = bus.record(["firewall.drop"]);
    const o = await runScenario(projectPath("harness/scenarios", name), { ...opts, bus, addressing: addressingAt(ZONE_BASE.scenarioFiles) });
    drops.stop();
    const failed = o.steps.filter((s) => !s.ok).map((s) => `line ${s.line}: ${s.step}: ${s.detail}`);
    expect(failed, failed.join("\n")).toEqual([]);
    // PORT-5: every drop is explained: it names the rule that is missing, the anti-spoofing check (MOB-3), or the address in no zone.
    const unexplained = drops.events.filter((e) => e.kind !== "firewall.drop" || (!e.rules.includes("PORT-5") && !e.rules.includes("MOB-3")) || !/missing|anti-spoofing|in no zone/.test(e.detail));
    expect(unexplained.map((e) => JSON.stringify(e)), "drops without an explanation").toEqual([]);
  }, 60_000);
});
