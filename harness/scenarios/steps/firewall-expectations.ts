/**
 * Expectations the shared ones cannot say (their rule pattern is a rule ID such
 * as PORT-5, not a firewall rule's name):
 *
 *   expect dropped by the internal firewall, missing rule 004-int-https-4443   (PORT-5)
 *   expect dropped by the external firewall                                   (e.g. MOB-3 anti-spoofing)
 *   expect no firewall drops
 *   expect step "autodiscover root over HTTPS" failed by MOB-4
 *   expect step "autodiscover root over HTTP" passed
 *
 * The first three read ActionResult.data.drops (firewall-trace.ts); the step
 * expectation reads data.steps ({ what, ok, rules }) of a multi-step action such
 * as a phone's sign-in.
 */
import type { ActionResult, Check, ExpectationKind } from "../types.ts";
import { describeDrop, type FirewallDrop } from "./firewall-trace.ts";

function need(last: ActionResult | undefined): ActionResult {
  if (!last) throw new RangeError("an expectation needs an action before it");
  return last;
}

function dropsOf(last: ActionResult): FirewallDrop[] {
  const d = last.data.drops;
  if (!Array.isArray(d)) throw new RangeError(`the action before (${last.kind}) does not report firewall drops: this expectation follows a sign-in or a connection probe`);
  return d as FirewallDrop[];
}

interface StepRecord { what: string; ok: boolean; rules: string[]; status?: number; error?: string }

export const FIREWALL_EXPECTATIONS: ExpectationKind[] = [
  {
    name: "firewall.dropped",
    example: "expect dropped by the internal firewall, missing rule 004-int-https-4443",
    pattern: /^expect dropped by the (external|internal) firewall(?:,? missing rule (\S+))?$/i,
    check(_ctx, last, m): Check {
      const l = need(last);
      const drops = dropsOf(l);
      const firewall = m[1]!.toLowerCase();
      const hit = drops.find((d) => d.firewall === firewall && (!m[2] || d.ruleId === m[2]));
      if (hit) return { ok: true, detail: describeDrop(hit) };
      const seen = drops.length ? drops.map(describeDrop).join("; ") : "no firewall dropped anything";
      return { ok: false, detail: `not dropped by the ${firewall} firewall${m[2] ? ` for missing rule ${m[2]}` : ""}: ${seen} (${l.summary})` };
    },
  },
  {
    name: "firewall.none",
    example: "expect no firewall drops",
    pattern: /^expect no firewall drops$/i,
    check(_ctx, last): Check {
      const drops = dropsOf(need(last));
      return { ok: drops.length === 0, detail: drops.length ? drops.map(describeDrop).join("; ") : "no drops" };
    },
  },
  {
    name: "step",
    example: 'expect step "autodiscover root over HTTPS" failed by MOB-4',
    pattern: /^expect step "([^"]+)" (passed|failed)(?: by ([A-Z]+-\d+))?$/i,
    check(_ctx, last, m): Check {
      const l = need(last);
      const steps = l.data.steps;
      if (!Array.isArray(steps)) throw new RangeError(`the action before (${l.kind}) has no steps: this expectation follows a phone's sign-in`);
      const records = steps as StepRecord[];
      const named = records.filter((s) => s.what.toLowerCase() === m[1]!.toLowerCase());
      const list = records.map((s) => `${s.what}: ${s.ok ? "passed" : "failed"}`).join("; ");
      if (named.length === 0) return { ok: false, detail: `no step "${m[1]}" ran; the steps: ${list}` };
      const wantOk = m[2]!.toLowerCase() === "passed";
      const rule = m[3]?.toUpperCase();
      const hit = named.find((s) => s.ok === wantOk && (!rule || s.rules.includes(rule)));
      const show = (s: StepRecord) => `${s.what} ${s.ok ? "passed" : "failed"}${s.status !== undefined ? ` ${s.status}` : ""}${s.error ? ` (${s.error})` : ""}${s.rules.length ? ` [${s.rules.join(", ")}]` : ""}`;
      return hit ? { ok: true, detail: show(hit) } : { ok: false, detail: `expected "${m[1]}" to have ${m[2]}${rule ? ` by ${rule}` : ""}, found: ${named.map(show).join("; ")}` };
    },
  },
];
