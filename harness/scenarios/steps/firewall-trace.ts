/**
 * What the firewalls did during one scenario action, read from the trace
 * (PORT-5): the firewall.drop events with the firewall and the missing rule's ID
 * (check.ts words it "missing rule <id> (...)"), and the rule IDs of every
 * firewall event, passes included (a pass by 000-mob-hairpin-443 says MOB-3).
 * Actions put these in ActionResult.data.drops and .rules; the firewall
 * expectations read them.
 */
import type { EdgeEvent, FirewallEvent } from "../../../edge/events/types.ts";

export interface FirewallDrop {
  /** The simulated host whose socket was dropped (the dialler, or the listener that reset the peer). */
  host: string;
  firewall: string;
  /** The ID of the rule that would have passed it, when the catalogue knows one. */
  ruleId?: string;
  rules: string[];
  detail: string;
}

export interface FirewallTrace {
  drops: FirewallDrop[];
  /** Rule IDs of every firewall event, drops and passes, in order of first appearance. */
  rules: string[];
}

const MISSING_RULE = /missing rule (\S+)/;

export function firewallTrace(events: readonly EdgeEvent[]): FirewallTrace {
  const fw = events.filter((e): e is FirewallEvent => e.kind === "firewall.drop" || e.kind === "firewall.pass");
  const drops = fw
    .filter((e) => e.kind === "firewall.drop")
    .map((e) => {
      const id = MISSING_RULE.exec(e.detail)?.[1];
      return { host: e.host, firewall: e.firewall, ...(id ? { ruleId: id } : {}), rules: e.rules, detail: e.detail };
    });
  return { drops, rules: [...new Set(fw.flatMap((e) => e.rules))] };
}

/** Runs an action and returns what it returned with the firewall events it caused (scenario steps run one at a time). */
export async function withFirewallTrace<T>(events: readonly EdgeEvent[], run: () => Promise<T>): Promise<{ value: T; trace: FirewallTrace }> {
  const from = events.length;
  const value = await run();
  return { value, trace: firewallTrace(events.slice(from)) };
}

export function describeDrop(d: FirewallDrop): string {
  return `${d.firewall} firewall dropped ${d.host}${d.ruleId ? ` (missing rule ${d.ruleId})` : ""}: ${d.detail}`;
}
