/**
 * Issue 12 item 5: the HLB, A/V call and federation scenarios with the kernel balancer
 * must reach the userland balancer's verdicts (test/scenarios runs them with the userland
 * one). The scenarios where the two may differ, and why, are in docs/load-balancer.md
 * ("Where the two balancers differ"); for those, only the documented steps may fail (whether
 * they do depends on where the source hash puts the scenario's client, so on its addresses). Runs in this process's private namespace.
 *
 * Not a test file of its own: world.test.ts imports it, so these worlds and that file's never run
 * at the same time. They share the namespace, the zone base and the nftables table `ip edgesim`
 * (each world's balancer replaces the table), so two files side by side would undo each other.
 */
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { runScenario } from "../../harness/scenarios/runner.ts";
import { projectPath } from "../../harness/paths/project-root.ts";
import { netnsStatus } from "../../harness/netns/netns.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { addressingAt, TEST_STATE_DIR } from "../kit/world.ts";

const ns = netnsStatus();
const opts = { addressing: addressingAt(ZONE_BASE.lbKernel), stateDir: TEST_STATE_DIR, privileged: false, balancer: "kernel" as const };
/** Scenario -> the steps (by their sentence) that fail with the kernel balancer only, and why. */
const DIFFER: Record<string, { steps: RegExp; why: string }> = {
  "lb-av-no-affinity.yaml": { steps: /^expect (refused 438 by HLB-6|detail "edge1 and edge2")$/, why: "per-flow, not per-datagram, round robin: one socket's Allocate stays on one edge" },
  "lb-av-answer-from-physical.yaml": { steps: /^expect (rule HLB-6|detail "a connected client drops those answers")$/, why: "same verdict (no answer), but no lb.forward event carries HLB-6" },
  "av-call-snat-misconfigured.yaml": { steps: /^expect detail "the balancer dropped them"$/, why: "bob's checks to the VIP-named candidate still fail (no socket or rule for that VIP port), but no lb.forward event records the drop" },
  "dns-lb-ocs2007-hlb.yaml": { steps: /^expect delivered via edge1$/, why: "the source hash puts nancy's edge on edge2 first; the userland pool's first pick is edge1" },
  "av-call.yaml": { steps: /^expect (delivered via physical A\/V IP|detail "50\/50 packets received"|detail "not through the A\/V VIP")$/, why: "one host, one conntrack table: alice's direct packets to the edge (HLB-3) from the port she allocated through the VIP clash with the VIP flow's reply tuple, and the kernel remaps their source port, so the edge does not know her (437)" },
  "lb-failover.yaml": { steps: /^(expect delivered via edge1|expect relay on edge1's physical A\/V IP|expect detail "is lost"|alice refreshes her TURN relay on edge1|expect detail "the balancer handed it to edge2")$/, why: "the source hash puts alice on edge2 first; the scenario stops edge1" },
};
const files = readdirSync(projectPath("harness/scenarios")).filter((f) => /^(lb-|av-call|federation-|dns-lb)/.test(f) && f.endsWith(".yaml"));

describe.skipIf(!ns.private)(`scenarios with the kernel balancer (${ns.why})`, () => {
  it.each(files.filter((f) => !DIFFER[f]))("%s: same verdicts as the userland balancer", async (name) => {
    const o = await runScenario(projectPath("harness/scenarios", name), opts);
    const failed = o.steps.filter((s) => !s.ok).map((s) => `line ${s.line}: ${s.step}: ${s.detail}`);
    expect(failed, failed.join("\n")).toEqual([]);
  }, 90_000);

  it.each(Object.keys(DIFFER).filter((f) => files.includes(f)))("%s: differs at most where docs/load-balancer.md says", async (name) => {
    const o = await runScenario(projectPath("harness/scenarios", name), opts);
    const failed = o.steps.filter((s) => !s.ok && !s.step.startsWith("("));
    expect(failed.filter((s) => !DIFFER[name]!.steps.test(s.step)).map((s) => `line ${s.line}: ${s.step}: ${s.detail}`)).toEqual([]);
  }, 90_000);
});
