/** "explain A to B": the offline verdict as a scenario action (no traffic). */
import type { ActionKind } from "../types.ts";
import { explainOffline } from "../../explain/offline.ts";

export const EXPLAIN_ACTIONS: ActionKind[] = [
  {
    name: "explain",
    example: "explain alice@contoso.test to bob@fabrikam.test",
    pattern: /^explain (\S+@\S+) to (\S+@\S+)$/i,
    async run(ctx, m) {
      const e = explainOffline(ctx.world.topology, m[1]!, m[2]!);
      const v = e.verdict;
      // The DNS steps name the rules of the connection that would follow (DNS-1, DNS-5, PIC-2).
      const dnsRules = [...e.dnsSteps, e.reachability?.reachable === false ? `${e.reachability.rule}` : ""].flatMap((s) => s.match(/\b[A-Z]+-\d+\b/g) ?? []);
      // Allowed by policy but unreachable is not delivered: the live edge answers 504.
      const status = v.refusal?.status ?? e.reachability?.status;
      return {
        kind: "explain",
        summary: `explain ${m[1]} -> ${m[2]}: ${e.headline}`,
        data: { delivered: e.deliverable, rules: [...new Set([...v.rules, ...dnsRules])], status, verification: v.verification, detail: v.steps.map((s) => `[${s.rule}] ${s.text}`).join("; ") + " " + e.dnsSteps.join("; "), via: v.route?.kind },
      };
    },
  },
];
