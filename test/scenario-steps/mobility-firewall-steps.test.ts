/**
 * The mobility and firewall scenario sentences on their failure paths, which the
 * shipped scenarios (all passing) do not exercise: expectations that must fail,
 * and say what was found; actions that refuse bad input with the reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import { runScenario } from "../../harness/scenarios/runner.ts";
import { ACTIONS, EXPECTATION_KINDS } from "../../harness/scenarios/steps/registry.ts";
import type { Check, ScenarioContext } from "../../harness/scenarios/types.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { TEST_STATE_DIR, addressingAt, startTestWorld, topologyAt } from "../kit/world.ts";

let world: World;
let ctx: ScenarioContext;
let stopRecording: () => void;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.scenarioSteps), { services: ["dns", "web", "reverse-proxy"] });
  const rec = world.bus.record();
  stopRecording = rec.stop;
  ctx = { world, events: rec.events, dir: "." };
}, 30_000);
afterAll(async () => {
  stopRecording?.();
  await world?.stop();
});
afterEach(() => worldFirewall(world.context).reset());

/** Runs one action sentence as the runner does (the first matching kind). */
async function act(text: string): Promise<void> {
  const kind = ACTIONS.find((a) => a.pattern.test(text));
  if (!kind) throw new RangeError(`no action understands "${text}"`);
  ctx.last = await kind.run(ctx, text.match(kind.pattern)!);
}

/** Checks one expectation sentence against the last action, as the runner does. */
async function check(text: string): Promise<Check> {
  const kind = EXPECTATION_KINDS.find((e) => e.pattern.test(text));
  if (!kind) throw new RangeError(`no expectation understands "${text}"`);
  return kind.check(ctx, ctx.last, text.match(kind.pattern)!);
}

describe("expectations that must fail after a phone's sign-in", () => {
  const cases: { name: string; setup: string[]; action: string; expectation: string; found: RegExp }[] = [
    {
      name: "MOB-3: 'expect delivered' after the firewall hairpin dropped the inside phone fails and names the failed step",
      setup: ["the external firewall hairpins"], action: "carol@contoso.test's phone signs in from inside", expectation: "expect delivered",
      found: /not delivered: .*create UCWA application failed.*MOB-3/,
    },
    {
      name: "MOB-3: 'expect no firewall drops' fails with the anti-spoofing drop",
      setup: ["the external firewall hairpins"], action: "carol@contoso.test's phone signs in from inside", expectation: "expect no firewall drops",
      found: /external firewall dropped client-carol: .*anti-spoofing/,
    },
    {
      name: "MOB-3: the anti-spoofing drop is the external firewall's, not the internal one's",
      setup: ["the external firewall hairpins"], action: "carol@contoso.test's phone signs in from inside", expectation: "expect dropped by the internal firewall",
      found: /not dropped by the internal firewall: external firewall dropped client-carol/,
    },
    {
      name: "MOB-3: an anti-spoofing drop names no missing rule, so a rule ID cannot be claimed for it",
      setup: ["the external firewall hairpins"], action: "carol@contoso.test's phone signs in from inside", expectation: "expect dropped by the external firewall, missing rule 000-mob-hairpin-443",
      found: /not dropped by the external firewall for missing rule 000-mob-hairpin-443/,
    },
    {
      name: "PORT-5: a drop for another missing rule than the one expected fails, naming the rule that was missing",
      setup: ["remove firewall rule 004-ext-http-80"], action: "alice@contoso.test's phone signs in from outside over HTTP only", expectation: "expect dropped by the external firewall, missing rule 004-ext-https-443",
      found: /\(missing rule 004-ext-http-80\)/,
    },
    {
      name: "PORT-5: 'expect refused' fails when the phone got through",
      setup: [], action: "alice@contoso.test's phone signs in from outside", expectation: "expect refused by PORT-5",
      found: /it was delivered: .*signed in/,
    },
    {
      name: "MOB-4: a step that passed fails 'expect step ... failed', saying it passed",
      setup: [], action: "alice@contoso.test's phone signs in from outside", expectation: 'expect step "autodiscover root over HTTPS" failed by MOB-4',
      found: /found: autodiscover root over HTTPS passed 200/,
    },
    {
      name: "MOB-1: a step that never ran fails with the list of steps that did",
      setup: [], action: "carol@contoso.test's phone signs in from inside", expectation: 'expect step "resolve lyncdiscoverinternal.contoso.test" failed',
      found: /no step "resolve lyncdiscoverinternal\.contoso\.test" ran; the steps: autodiscover root over HTTPS: passed/,
    },
    {
      name: "MOB-1: 'expect delivered via' the wrong autodiscover name fails (inside asks lyncdiscoverinternal)",
      setup: [], action: "carol@contoso.test's phone signs in from inside", expectation: "expect delivered via autodiscover lyncdiscover.contoso.test",
      found: /not by\/via autodiscover lyncdiscover\.contoso\.test: .* via Internal, autodiscover lyncdiscoverinternal\.contoso\.test/,
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      for (const s of c.setup) await act(s);
      await act(c.action);
      const r = await check(c.expectation);
      expect(r.ok, r.detail).toBe(false);
      expect(r.detail).toMatch(c.found);
    });
});

describe("actions refuse what they cannot do, and say why", () => {
  const cases: { name: string; before?: string[]; action: string; error: RegExp }[] = [
    { name: "PORT-5: a rule ID the world does not have lists the rules in force", action: "remove firewall rule 999-no-such-rule", error: /no firewall rule '999-no-such-rule' in force; rules in force: .*004-ext-https-443/ },
    { name: "PORT-5: removing a rule twice says it is known but not in force", before: ["remove firewall rule 004-ext-http-80"], action: "remove firewall rule 004-ext-http-80", error: /004-ext-http-80 is a known rule, but not in force/ },
    { name: "PORT-4: a label two rules in force share asks for the ID", action: 'remove firewall rule "HTTPS/TCP/443"', error: /names 2 rules in force \(004-ext-https-443, 004-int-owa-443\): say which by ID/ },
    { name: "MOB-1: a remote user's phone cannot sign in from inside", action: "alice@contoso.test's phone signs in from inside", error: /alice@contoso\.test's device is in the internet zone .* signs in from outside, not inside/ },
    { name: "MOB-1: a user the organisation does not have", action: "zed@contoso.test's phone signs in from outside", error: /zed@contoso\.test is not a user of Contoso/ },
    { name: "PORT-5: a probe from a host the address plan does not have", action: "nowhere-host connects to sip.contoso.test on TCP 5061", error: /the address plan has no host 'nowhere-host'/ },
  ];
  for (const c of cases)
    it(c.name, async () => {
      for (const s of c.before ?? []) await act(s);
      await expect(act(c.action)).rejects.toThrow(c.error);
    });

  it("PORT-5: a firewall expectation after an action that reports no drops is an error, not a pass", async () => {
    await act("restore firewall rules");
    await expect(Promise.resolve().then(() => check("expect no firewall drops"))).rejects.toThrow(/does not report firewall drops/);
  });
});

describe("firewall sentences change the running world", () => {
  it("PORT-5: 'restore firewall rules' puts back every removed rule and keeps the hairpin mode (MOB-3)", async () => {
    const fw = worldFirewall(world.context);
    const before = fw.model.rules.map((r) => r.id);
    await act("the external firewall hairpins");
    await act("remove firewall rule 004-int-https-4443");
    await act('remove firewall rule "HTTP/TCP/8080"');
    expect(fw.model.rules.map((r) => r.id)).not.toContain("004-int-http-8080");
    await act("restore firewall rules");
    expect(ctx.last?.summary).toBe("restored 004-int-http-8080, 004-int-https-4443"); // in the plan's (seed 004's) order
    expect(fw.model.rules.map((r) => r.id).sort()).toEqual([...before].sort());
    expect(fw.model.hairpin).toBe("external-firewall");
  });

  it("PORT-5: a probe the firewalls pass but nothing answers is not delivered, and says the firewalls passed it", async () => {
    // This world runs only the web services: nothing listens on the Access Edge VIP.
    await act("fabrikam-edge1 connects to sip.contoso.test on TCP 5061");
    const r = await check("expect delivered");
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/nothing listens there \(ECONNREFUSED\): the firewalls passed it/);
    expect(ctx.last?.data.rules).toEqual(["PORT-2", "DNS-1"]);
    expect((await check("expect no firewall drops")).ok).toBe(true);
  });
});

describe("a shipped-style scenario with a wrong expectation fails under the runner", () => {
  it("MOB-4: expecting HTTPS autodiscover to work without the lyncdiscover SAN fails at that line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgesim-mobility-steps-"));
    const file = join(dir, "wrong.yaml");
    writeFileSync(file, [
      "name: wrong",
      "set:",
      "  organisation.reverseProxy.certificate.omitNames: [lyncdiscover.contoso.test]",
      "steps:",
      "  - alice@contoso.test's phone signs in from outside over HTTPS only",
      "  - expect delivered",
      "  - expect refused by MOB-4",
      "",
    ].join("\n"));
    const o = await runScenario(file, { addressing: addressingAt(ZONE_BASE.scenarioStepsRun), stateDir: TEST_STATE_DIR, privileged: false });
    expect(o.ok).toBe(false);
    expect(o.steps.map((s) => [s.line, s.ok])).toEqual([[5, true], [6, false], [7, true]]);
    expect(o.steps[1]!.detail).toMatch(/not delivered: .*autodiscover root over HTTPS failed.*MOB-4/);
  }, 60_000);
});
