/**
 * A/V call sentences (docs/av-call.md): our remote user calls a partner's user; the call
 * client signals through both Access Edges, gathers candidates from both A/V Edges, checks
 * pairs and sends counted media. The result uses the conventional fields: delivered (call set
 * up and every packet received both ways), rules (HLB-2/HLB-3/HLB-6/PORT-1 as observed, plus
 * the trace's), via ("relay on edge1's physical A/V IP ..."), detail (every finding).
 */
import type { ActionKind } from "../types.ts";
import { callFindings, placeCall } from "../../clients/av-call/index.ts";

export const CALL_ACTIONS: ActionKind[] = [
  {
    name: "av.call",
    example: "alice@contoso.test calls bob@fabrikam.test",
    pattern: /^(\S+@\S+) calls (\S+@\S+?)(?: with (\d{1,4}) packets)?$/i,
    async run(ctx, m) {
      const first = ctx.events.length;
      const report = await placeCall(ctx.world, m[1]!.toLowerCase(), m[2]!.toLowerCase(), m[3] ? { packets: Number(m[3]) } : {});
      const events = ctx.events.slice(first);
      const f = callFindings(report, events, ctx.world.plan);
      const rules = [...new Set([...f.rules, ...events.flatMap((e) => e.rules)])];
      return {
        kind: "av.call",
        summary: f.summary,
        data: { delivered: f.delivered, status: report.invite.status, rules, via: f.via, detail: f.findings.join("\n      "), report },
      };
    },
  },
];
