/**
 * One cell of the who-can-talk-to-whom matrix: one of our users (standing for
 * their external access policy, FED-9), one partner domain, a direction and a
 * modality, with the verdict and the rule that decided it.
 */
import type { Verdict } from "../../edge/policy/index.ts";
import type { Reachability } from "../explain/reachability.ts";

export type Modality = "im" | "av" | "xmpp";
export type MatrixDirection = "outbound" | "inbound";

export interface MatrixSubject {
  /** Our user (a SIP address in one of our domains). */
  user: string;
  policy: string;
  /** How many users this one stands for (same policy; 1 with --all-users). */
  represents: number;
}

export interface MatrixCell {
  user: string;
  policy: string;
  partner: string;
  /** The partner's product, when the topology describes it. */
  product?: string;
  direction: MatrixDirection;
  modality: Modality;
  /** The remote address used for the cell (the partner's first user, or user@domain). */
  remote: string;
  /** The policy allows it. */
  allowed: boolean;
  /** Allowed and reachable: what the live edge delivers (an allowed route DNS leads nowhere ends in 504, DNS-1/DNS-3). */
  deliverable: boolean;
  /** Outbound allowed cells: whether DNS leads to the next hop (harness/explain/reachability.ts). */
  reachability?: Reachability;
  /** The rule that decided: the refusing rule, the rule that left the route unreachable, or for a delivery the rule that classified the partner. */
  rule: string;
  /** The rule chain, in order (FED-12). */
  rules: string[];
  /** The SIP status of a refusal (403, 404, ...) or of an unreachable route (504). */
  status?: number;
  verdict: Verdict;
}

export interface Matrix {
  topology: string;
  subjects: MatrixSubject[];
  domains: string[];
  cells: MatrixCell[];
}

export function cellKey(c: Pick<MatrixCell, "user" | "partner" | "direction" | "modality">): string {
  return `${c.user}|${c.partner}|${c.direction}|${c.modality}`;
}

/** The class rules that say why a partner was let in or routed (FED-2/3/4/5/8, XMPP-2). */
const CLASS_RULES = new Set(["FED-2", "FED-3", "FED-4", "FED-5", "FED-8", "XMPP-2"]);

export function decidingRule(v: Verdict): string {
  if (!v.allowed) return v.steps.at(-1)?.rule ?? "?";
  const route = v.route && "rule" in v.route ? v.route.rule : undefined;
  if (route) return route;
  const classRule = [...v.steps].reverse().find((s) => CLASS_RULES.has(s.rule));
  return classRule?.rule ?? v.steps.at(-1)?.rule ?? "?";
}
