/**
 * HLB-6, the A/V misconfigurations seen from a call: SNAT on the A/V VIP (zones 240) and
 * the edge answering from its physical IP a client that targeted the VIP (zones 244).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { callFindings, placeCall, type CallReport } from "../../harness/clients/av-call/index.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

/** What a call needs: no web, reverse proxy, conferencing or XMPP services. */
const CALL_SERVICES = ["dns", "av-edge", "frontend", "access-edge", "remote-users", "sip-partners", "hlb"];

interface Run { world: World; report: CallReport; events: EdgeEvent[] }
const runs: Record<"snat" | "physical", Run | undefined> = { snat: undefined, physical: undefined };

async function call(base: number, edit: Parameters<typeof topologyAt>[2]): Promise<Run> {
  const world = await startTestWorld(topologyAt(base, "contoso", edit), { services: CALL_SERVICES });
  const rec = world.bus.record();
  try {
    const report = await placeCall(world, "alice@contoso.test", "bob@fabrikam.test", { packets: 20 });
    return { world, report, events: rec.events };
  } catch (err) {
    await world.stop();
    throw err;
  } finally {
    rec.stop();
  }
}

beforeAll(async () => {
  runs.snat = await call(ZONE_BASE.avCallSnat, (t) => void (t.organisation.edgePool.nat.av = "snat"));
  runs.physical = await call(ZONE_BASE.avCallRefused, (t) => void (t.organisation.edgePool.avAnswerFrom = "physical"));
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(runs).map((r) => r?.world.stop()));
});

const srflxOf = (r: Run) => r.report.caller.candidates.find((c) => c.type === "srflx");

describe("HLB-6: SNAT on the A/V VIP", () => {
  it("HLB-6: alice's server-reflexive candidate names the balancer (the A/V VIP), not her address", () => {
    const r = runs.snat!;
    expect(srflxOf(r)?.address).toBe(r.world.plan.byHost("vip-av").address);
    expect(srflxOf(r)?.address).not.toBe(r.world.plan.byHost("client-alice").address);
  });

  it("HLB-6: bob's checks to that candidate die at the balancer's SNAT session, traced with HLB-6", () => {
    const r = runs.snat!;
    const toSrflx = r.report.callee.checks.filter((c) => c.pair.remote.type === "srflx");
    expect(toSrflx.length).toBeGreaterThan(0);
    expect(toSrflx.every((c) => !c.ok)).toBe(true);
    const relay = r.report.callee.candidates.find((c) => c.type === "relay")!;
    const drops = r.events.filter((e) => e.kind === "lb.forward" && e.rules.includes("HLB-6") && e.detail.includes(`got a datagram from ${relay.address}:${relay.port}, not its server: dropped`));
    expect(drops.length).toBeGreaterThan(0);
    const f = callFindings(r.report, r.events, r.world.plan);
    expect(f.findings.join("\n")).toMatch(/HLB-6: .*names the load balancer/);
    expect(f.findings.join("\n")).toMatch(/HLB-6: .*the balancer dropped them/);
  });

  it("HLB-6/HLB-3: the allocation was made for the balancer's SNAT address, so alice's requests to the edge that holds it get 437: her relay is dead and the call has no media path", () => {
    const r = runs.snat!;
    const relay = r.report.caller.candidates.find((c) => c.type === "relay")!;
    expect([1, 2].map((n) => r.world.plan.byHost(`edge${n}`, "external-av").address)).toContain(relay.address);
    expect(r.report.caller.problems.join(" ")).toMatch(/relay permissions: .* answered CreatePermission with 437/);
    expect(r.report.selected).toBeUndefined();
    expect(r.report.callee.mediaReceived).toBe(0);
    const f = callFindings(r.report, r.events, r.world.plan);
    expect(f.delivered).toBe(false);
    expect(f.findings.join("\n")).toMatch(/HLB-6: alice's allocation was made for the address the balancer put on her Allocate \(SNAT\)/);
  });
});

describe("HLB-6: the A/V Edge answers from its physical IP a client that targeted the VIP", () => {
  it("HLB-2/PORT-5: every answer from the wrong address is dropped (by alice's client, or first by the external firewall), so she has neither srflx nor relay candidate", () => {
    const r = runs.physical!;
    expect(r.report.caller.candidates.map((c) => c.type)).toEqual(["host"]);
    // A stateful external firewall has no flow for physical-IP:3478 -> alice (she sent to the VIP); it passes the answer
    // only by 002-ext-node-rtp-udp-out (OCS 2007 partners), when alice's random port happens to be in 50000-59999.
    // Then her client drops it instead: a connected socket's kernel takes answers from the targeted address only.
    expect(r.report.caller.problems.join(" ")).toMatch(/not the address the client targeted|external firewall dropped \d+ bytes from .*missing/);
  });

  it("HLB-6: the call is set up but finds no media path, and the findings say why with HLB-6", () => {
    const r = runs.physical!;
    expect(r.report.invite.status).toBe(200);
    expect(r.report.selected).toBeUndefined();
    const f = callFindings(r.report, r.events, r.world.plan);
    expect(f.delivered).toBe(false);
    expect(f.rules).toContain("HLB-6");
    expect(f.findings.join("\n")).toContain("ICE found no working pair");
  });
});
