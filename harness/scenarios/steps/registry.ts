/**
 * The registry of scenario sentences. A feature adds its actions here (one line:
 * spread its list in). Order matters only where two patterns could match the
 * same sentence: the first wins.
 */
import type { ActionKind, ExpectationKind } from "../types.ts";
import { EXPECTATIONS } from "./expectations.ts";
import { EXPLAIN_ACTIONS } from "./explain-steps.ts";
import { SIP_ACTIONS } from "./sip-steps.ts";
import { BURST_ACTIONS } from "./burst-steps.ts";
import { MOBILITY_ACTIONS } from "./mobility-steps.ts";
import { FIREWALL_ACTIONS } from "./firewall-steps.ts";
import { FIREWALL_EXPECTATIONS } from "./firewall-expectations.ts";
import { CALL_ACTIONS } from "./call-steps.ts";
import { XMPP_ACTIONS } from "./xmpp-steps.ts";
import { XMPP_EXPECTATIONS } from "./xmpp-expectations.ts";
import { STUN_ACTIONS } from "./stun-steps.ts";
import { STUN_EXPECTATIONS } from "./stun-expectations.ts";

export const ACTIONS: ActionKind[] = [
  ...EXPLAIN_ACTIONS,
  ...SIP_ACTIONS,
  ...BURST_ACTIONS,
  ...MOBILITY_ACTIONS,
  ...FIREWALL_ACTIONS,
  ...CALL_ACTIONS,
  ...XMPP_ACTIONS,
  ...STUN_ACTIONS,
];
export const EXPECTATION_KINDS: ExpectationKind[] = [
  ...EXPECTATIONS,
  ...FIREWALL_EXPECTATIONS,
  ...XMPP_EXPECTATIONS,
  ...STUN_EXPECTATIONS,
];

export function registerActions(kinds: ActionKind[]): void {
  for (const k of kinds) if (!ACTIONS.some((a) => a.name === k.name)) ACTIONS.push(k);
}
