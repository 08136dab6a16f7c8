/**
 * The STUN/TURN scenario sentences (harness/scenarios/steps/stun-steps.ts) against a running
 * default world (no NAT on the A/V VIP, source affinity): what each action finds, that each
 * STUN expectation fails when the finding says otherwise (so a shipped scenario cannot pass
 * by accident), and the errors that name what is wrong. Then `edgesim run --pcap` on the
 * shipped SNAT scenario, read back by tshark (HLB-6: the inside leg leaves from the balancer).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import type { World } from "../../harness/world/world.ts";
import type { RunningHlb } from "../../harness/world/hlb-service.ts";
import { ACTIONS, EXPECTATION_KINDS } from "../../harness/scenarios/steps/registry.ts";
import type { ActionResult, ScenarioContext } from "../../harness/scenarios/types.ts";
import { projectPath } from "../../harness/paths/project-root.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { startTestWorld, topologyAt, TEST_STATE_DIR } from "../kit/world.ts";

const B = ZONE_BASE.lbScenarios;
const VIP_AV = `127.${B + 2}.0.12`;
const EDGE1_AV = `127.${B + 2}.1.12`;
const EDGE2_AV = `127.${B + 2}.2.12`;
const ALICE = `127.${B + 3}.1.1`;

/** One sentence as the runner takes it: an expectation about the last action, else an action. */
async function step(ctx: ScenarioContext, text: string): Promise<{ ok: boolean; detail: string; result?: ActionResult }> {
  for (const e of EXPECTATION_KINDS) {
    const m = text.match(e.pattern);
    if (m) return e.check(ctx, ctx.last, m);
  }
  const a = ACTIONS.find((x) => x.pattern.test(text));
  if (!a) throw new RangeError(`no sentence matches '${text}'`);
  ctx.last = await a.run(ctx, text.match(a.pattern)!);
  return { ok: true, detail: ctx.last.summary, result: ctx.last };
}

describe("STUN/TURN sentences in a default world", () => {
  let world: World;
  let ctx: ScenarioContext;
  let stopRecording: () => void = () => undefined;
  beforeAll(async () => {
    world = await startTestWorld(topologyAt(B));
    const rec = world.bus.record();
    stopRecording = rec.stop;
    ctx = { world, events: rec.events, dir: tmpdir() };
  }, 60_000);
  afterAll(async () => {
    stopRecording();
    await world?.stop();
  });

  it("HLB-2: a client that sent to the VIP is answered from the VIP, with its own address mapped", async () => {
    const r = (await step(ctx, "a STUN client at alice's address asks av.contoso.test for its address")).result!;
    const client = r.data.client as { address: string; port: number };
    expect(client.address).toBe(ALICE);
    expect(r.data.answeredFrom).toEqual({ address: VIP_AV, port: 3478 });
    expect(r.data.mapped).toEqual(client);
    expect(r.data.rules).toContain("HLB-2");
    expect(r.data.rules).not.toContain("HLB-6");
  });

  describe("HLB-2: a client that sent to edge1's own IP is answered from it; each expectation holds only when the finding says so", () => {
    beforeAll(async () => {
      await step(ctx, "a STUN client at alice's address asks edge1-av.contoso.test for its address");
    });
    it.each([
      { name: "answered from edge1's own IP holds", sentence: "expect answered from edge1's own IP", ok: true },
      { name: "answered from the address it targeted holds", sentence: "expect answered from the address it targeted", ok: true },
      { name: "mapped address is the client's own holds", sentence: "expect mapped address is the client's own", ok: true },
      { name: "answered from the VIP fails", sentence: "expect answered from the VIP", ok: false },
      { name: "answered from edge2 fails", sentence: "expect answered from edge2", ok: false },
      { name: "mapped address is the VIP fails", sentence: "expect mapped address is the VIP", ok: false },
      { name: "no answer fails", sentence: "expect no answer", ok: false },
    ])("$name", async ({ sentence, ok }) => {
      const r = await step(ctx, sentence);
      expect(r.ok, r.detail).toBe(ok);
      expect(r.detail).toContain(EDGE1_AV);
    });
  });

  it("HLB-3: the relay allocated through the VIP is on an edge's physical A/V IP; naming the other edge fails", async () => {
    const r = (await step(ctx, "alice allocates a TURN relay at av.contoso.test")).result!;
    expect(r.data.delivered).toBe(true);
    const relayed = r.data.relayed as { address: string };
    expect([EDGE1_AV, EDGE2_AV]).toContain(relayed.address);
    expect(r.data.rules).toContain("HLB-3");
    const edge = relayed.address === EDGE1_AV ? "edge1" : "edge2";
    const other = edge === "edge1" ? "edge2" : "edge1";
    expect((await step(ctx, `expect relay on ${edge}'s physical A/V IP`)).ok).toBe(true);
    expect((await step(ctx, "expect relay on a physical A/V IP")).ok).toBe(true);
    expect((await step(ctx, `expect relay on ${other}'s physical A/V IP`)).ok).toBe(false);
    const refreshed = (await step(ctx, `alice refreshes her TURN relay on ${edge}`)).result!;
    expect(refreshed.data.delivered, String(refreshed.data.detail)).toBe(true);
    await expect(step(ctx, `alice refreshes her TURN relay on ${other}`)).rejects.toThrow(`alice@contoso.test allocated no relay on ${other}`);
  });

  it.each([
    { name: "an unknown user names the users", sentence: "a STUN client at zoe's address asks av.contoso.test for its address", error: /'zoe' is not a user of Contoso .*users: alice, carol/ },
    { name: "an unknown edge names the pool's servers", sentence: "stop edge9's A/V Edge", error: /edge9 is not a server of our edge pool .*servers: edge1, edge2/ },
    { name: "a name with no A record says so", sentence: "a STUN client at alice's address asks nowhere.contoso.test for its address", error: /nowhere\.contoso\.test/ },
  ])("$name", async ({ sentence, error }) => {
    await expect(step(ctx, sentence)).rejects.toThrow(error);
  });

  it("a STUN expectation after an action that is not STUN/TURN says so", async () => {
    const saved = ctx.last;
    ctx.last = { kind: "sip.send", summary: "a message", data: {} };
    await expect(step(ctx, "expect no answer")).rejects.toThrow(/is about a STUN\/TURN action, and the action before it was sip\.send/);
    ctx.last = saved;
  });

  it("DNS-5: behind the balancer, a stopped Access Edge leaves the Access VIP's rotation before the step ends", async () => {
    const r = (await step(ctx, "stop edge2's Access Edge")).result!;
    const vip = (world.service("hlb") as RunningHlb).vips.get("vip-access:5061")!;
    expect(vip.pool.isUp("edge2")).toBe(false);
    expect(String(r.data.detail)).toMatch(/took edge2 out of the Access VIP's rotation/);
  }, 45_000);
});

describe("edgesim run --pcap", () => {
  const run = promisify(execFile);
  peerIt(PEERS.tshark)("HLB-6: the pcap of lb-av-snat-misconfigured.yaml shows the inside leg leaving from the balancer (tshark -r)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgesim-lb-pcap-"));
    writeFileSync(join(dir, "world.yaml"), stringify(topologyAt(B)));
    const shipped = readFileSync(projectPath("harness/scenarios/lb-av-snat-misconfigured.yaml"), "utf8");
    expect(shipped).toMatch(/^topology: contoso$/m);
    writeFileSync(join(dir, "snat.yaml"), shipped.replace(/^topology: contoso$/m, "topology: world.yaml"));
    const pcap = join(dir, "snat.pcap");
    const { stdout } = await run(process.execPath, [projectPath("harness/cli/bin.mjs"), "run", "--pcap", pcap, "--state-dir", TEST_STATE_DIR, join(dir, "snat.yaml")], { timeout: 60_000 });
    expect(stdout).toContain("all scenarios passed");
    expect(stdout).toMatch(/pcap: \d+ packets in /);
    const out = await run("tshark", ["-r", pcap, "-Y", "stun", "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "stun.att.ipv4", "-e", "_ws.col.Info"], { timeout: 30_000 });
    const rows = out.stdout.trim().split("\n").map((l) => l.split("|"));
    // Outside: alice -> VIP. Inside: the VIP (not alice) -> the edge: the SNAT rewrite, leg by leg.
    expect(rows.filter((r) => r[0] === ALICE).map((r) => r[1])).toEqual([VIP_AV]);
    const inside = rows.filter((r) => r[1] === EDGE1_AV || r[1] === EDGE2_AV);
    expect(inside.length).toBe(1);
    expect(inside[0]![0]).toBe(VIP_AV);
    expect(inside[0]![3]).toMatch(/Binding Request/);
    // The edge's answer names the balancer in XOR-MAPPED-ADDRESS, as tshark decodes it.
    const answer = rows.find((r) => r[0] === inside[0]![1] && r[1] === VIP_AV);
    expect(answer?.[2]).toBe(VIP_AV);
    expect(rows.find((r) => r[1] === ALICE)?.[2]).toBe(VIP_AV);
  }, 90_000);
});
