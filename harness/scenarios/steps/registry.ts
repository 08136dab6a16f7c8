/**
 * The registry of scenario sentences. A feature adds its actions here (one line:
 * spread its list in). Order matters only where two patterns could match the
 * same sentence: the first wins.
 */
import type { ActionKind, ExpectationKind } from "../types.ts";
import { EXPECTATIONS } from "./expectations.ts";
import { EXPLAIN_ACTIONS } from "./explain-steps.ts";

export const ACTIONS: ActionKind[] = [...EXPLAIN_ACTIONS];
export const EXPECTATION_KINDS: ExpectationKind[] = [...EXPECTATIONS];

export function registerActions(kinds: ActionKind[]): void {
  for (const k of kinds) if (!ACTIONS.some((a) => a.name === k.name)) ACTIONS.push(k);
}
