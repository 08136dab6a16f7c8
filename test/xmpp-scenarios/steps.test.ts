/**
 * The XMPP scenario sentences (harness/scenarios/steps/xmpp-*.ts) can fail and say why:
 * an expectation that does not hold names what was found, a sentence about a user the
 * topology lacks fails its action, a hostile stream cannot be faked against real Prosody,
 * and everything a scenario started (Prosody, @xmpp/client processes) is gone when it
 * ends. The shipped xmpp-*.yaml files are run by test/scenarios/runner.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScenario } from "../../harness/scenarios/runner.ts";
import type { ScenarioOutcome } from "../../harness/scenarios/types.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { addressingAt, TEST_STATE_DIR } from "../kit/world.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { presenceWord, stateOfAvailability, stateOfStanza } from "../../harness/scenarios/steps/xmpp-presence.ts";
import type { ReceivedStanza } from "../../partners/xmpp/xmpp-user.ts";

const dir = mkdtempSync(join(tmpdir(), "edgesim-xmpp-scenarios-"));
const BASE = ZONE_BASE.xmppScenarios;
const opts = { addressing: addressingAt(BASE), stateDir: TEST_STATE_DIR, privileged: false };
const ours = new RegExp(`127\\.(${BASE}|${BASE + 1}|${BASE + 2}|${BASE + 3})\\.`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, steps: string[], extra = ""): Promise<ScenarioOutcome> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\ntopology: contoso\n${extra}steps:\n${steps.map((s) => `  - '${s.replace(/'/g, "''")}'`).join("\n")}\n`);
  return runScenario(file, opts);
}

const step = (o: ScenarioOutcome, text: string) => {
  const s = o.steps.find((x) => x.step === text);
  if (!s) throw new Error(`no step '${text}' in the outcome: ${o.steps.map((x) => x.step).join(" | ")}`);
  return s;
};

/** Processes of ours still running: Prosody whose config binds our zones, @xmpp/client users dialling them. */
function leftovers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited while we looked
    }
    const config = args[args.indexOf("--config") + 1];
    if (args.some((a) => a.endsWith("prosody")) && config) {
      try {
        if (ours.test(readFileSync(config, "utf8"))) found.push(`prosody ${pid}`);
      } catch {
        // its folder is gone: it was stopped
      }
    }
    if (args.some((a) => a.endsWith("user-process.ts")) && args.some((a) => ours.test(a))) found.push(`xmpp user ${pid}`);
  }
  return found;
}

describe("XMPP scenario sentences", () => {
  it("XMPP-4: presence words map to the state each side shows", () => {
    const cases: { word: string; availability: number; state: string; stanza: Omit<ReceivedStanza, "xml"> }[] = [
      { word: "available", availability: 3500, state: "available", stanza: { name: "presence", attrs: {} } },
      { word: "away", availability: 15500, state: "away", stanza: { name: "presence", attrs: {}, show: "away" } },
      { word: "xa", availability: 15500, state: "away", stanza: { name: "presence", attrs: {}, show: "xa" } },
      { word: "busy", availability: 6500, state: "dnd", stanza: { name: "presence", attrs: {}, show: "dnd" } },
      { word: "offline", availability: 18500, state: "unavailable", stanza: { name: "presence", attrs: { type: "unavailable" } } },
    ];
    for (const c of cases) {
      expect(presenceWord(c.word), c.word).toMatchObject({ availability: c.availability, state: c.state });
      expect(stateOfAvailability(c.availability), c.word).toBe(c.state);
      expect(stateOfStanza({ ...c.stanza, xml: "" }), c.word).toBe(c.state);
    }
    expect(stateOfStanza({ name: "presence", attrs: { type: "subscribed" }, xml: "" })).toBeUndefined();
    expect(() => presenceWord("sleepy")).toThrow(/not a presence/);
  });

  it("XMPP-4: a delivered IM passes `expect delivered`; stream-error and presence expectations that do not hold say what was found", async () => {
    const o = await run("wrong-expectations", [
      'romeo@jabber.test sends "hi" to alice@contoso.test over XMPP',
      "expect delivered",
      "expect stream error policy-violation",
      "expect alice sees romeo dnd",
    ]);
    expect(step(o, "expect delivered").ok).toBe(true);
    expect(step(o, "expect stream error policy-violation")).toMatchObject({ ok: false, detail: expect.stringMatching(/^no stream error: .*delivered/) });
    expect(step(o, "expect alice sees romeo dnd")).toMatchObject({ ok: false, detail: expect.stringContaining("(no presence received), expected dnd") });
    expect(o.ok).toBe(false);
  }, 60_000);

  it("XMPP-3: expecting the wrong stream error for a DOCTYPE fails and names restricted-xml", async () => {
    const o = await run("wrong-stream-error", ["jabber.test sends a DOCTYPE to carol@contoso.test", "expect stream error policy-violation", "expect refused by XMPP-3"]);
    expect(step(o, "expect stream error policy-violation")).toMatchObject({ ok: false, detail: expect.stringMatching(/^stream error restricted-xml: /) });
    expect(step(o, "expect refused by XMPP-3").ok).toBe(true);
  }, 60_000);

  it("FED-9: a sentence about a partner user the topology lacks fails its action and lists the users", async () => {
    const o = await run("unknown-user", ['juliet@jabber.test sends "hi" to alice@contoso.test over XMPP', "expect delivered"]);
    expect(o.steps[0]).toMatchObject({ kind: "action", ok: false, detail: expect.stringContaining("jabber.test has no user juliet@jabber.test in the topology (users: romeo@jabber.test)") });
    expect(o.steps[1]!.detail).toBe("stopped after a failed action");
  }, 60_000);

  peerIt(PEERS.prosody)("XMPP-3: a hostile stream cannot impersonate real Prosody, and the scenario's Prosody and XMPP users stop with the world", async () => {
    const o = await run(
      "prosody-cleanup",
      ["jabber.test runs on Prosody", 'romeo@jabber.test sends "hi" to alice@contoso.test over XMPP', "expect delivered", "jabber.test sends a DOCTYPE"],
      "set:\n  organisation.edgePool.loadBalancing: dns\n",
    );
    expect(step(o, "expect delivered").ok).toBe(true);
    expect(step(o, "jabber.test sends a DOCTYPE")).toMatchObject({ ok: false, detail: expect.stringContaining("did not accept jabber.test's dialback key") });
    expect(leftovers()).toEqual([]);
  }, 60_000);
});
