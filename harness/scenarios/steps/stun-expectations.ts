/**
 * Expectations about the STUN/TURN sentences that the shared ones cannot say (they read
 * the fields stun-steps.ts puts on its results):
 *   expect mapped address is the client's own | the VIP     (HLB-2 vs HLB-6: XOR-MAPPED-ADDRESS)
 *   expect answered from the VIP | the address it targeted | edge1   (HLB-2: who answered)
 *   expect no answer                                          (HLB-6: the client never got one)
 *   expect relay on a physical A/V IP | edge1's physical A/V IP      (HLB-3)
 */
import type { ActionResult, Check, ExpectationKind, ScenarioContext } from "../types.ts";
import { addrText, type Addr } from "./stun-client.ts";
import { avEdgeAt, plannedAt } from "./stun-state.ts";

function stunResult(last: ActionResult | undefined, what: string): ActionResult {
  if (!last) throw new RangeError(`'${what}' needs a STUN/TURN action before it`);
  if (!last.kind.startsWith("stun.") && !last.kind.startsWith("turn.")) throw new RangeError(`'${what}' is about a STUN/TURN action, and the action before it was ${last.kind}`);
  return last;
}

const addr = (v: unknown): Addr | undefined => (v && typeof v === "object" && "address" in v && "port" in v ? (v as Addr) : undefined);
const shown = (v: unknown) => (addr(v) ? addrText(addr(v)!) : "none");

function said(l: ActionResult): string {
  return `${l.summary}\n      ${String(l.data.detail ?? "")}`;
}

export const STUN_EXPECTATIONS: ExpectationKind[] = [
  {
    name: "stun.mapped",
    example: "expect mapped address is the client's own",
    pattern: /^expect mapped address (?:is|names) (the client's own|the VIP|the balancer)$/i,
    check(_ctx, last, m): Check {
      const l = stunResult(last, m[0]);
      const wanted = /client/i.test(m[1]!) ? "client" : "vip";
      const kind = String(l.data.mappedKind ?? (addr(l.data.mapped) ? "other" : "none"));
      return { ok: kind === wanted, detail: `mapped ${shown(l.data.mapped)} for client ${shown(l.data.client)} (${kind}): ${said(l)}` };
    },
  },
  {
    name: "stun.answered-from",
    example: "expect answered from the VIP",
    pattern: /^expect answered from (the VIP|the address it targeted|(\S+?)(?:'s own IP)?)$/i,
    check(ctx: ScenarioContext, last, m): Check {
      const l = stunResult(last, m[0]);
      const from = addr(l.data.answeredFrom);
      if (!from) return { ok: false, detail: `no answer came: ${said(l)}` };
      const target = addr(l.data.target);
      const what = m[1]!.toLowerCase();
      const ok =
        what === "the vip" ? plannedAt(ctx, from.address)?.vip === true
          : what === "the address it targeted" ? !!target && target.address === from.address && target.port === from.port
            : avEdgeAt(ctx, from.address) === m[2]!.toLowerCase();
      return { ok, detail: `answered from ${addrText(from)}, targeted ${shown(l.data.target)}: ${said(l)}` };
    },
  },
  {
    name: "stun.no-answer",
    example: "expect no answer",
    pattern: /^expect no answer$/i,
    check(_ctx, last, m): Check {
      const l = stunResult(last, m[0]);
      return { ok: l.data.answeredFrom === undefined, detail: said(l) };
    },
  },
  {
    name: "turn.relay-on",
    example: "expect relay on edge1's physical A/V IP",
    pattern: /^expect relay on (?:a|(\S+?)'s) physical A\/V IP$/i,
    check(_ctx, last, m): Check {
      const l = stunResult(last, m[0]);
      const edge = typeof l.data.relayEdge === "string" ? l.data.relayEdge : undefined;
      const ok = edge !== undefined && edge !== "?" && (!m[1] || edge === m[1].toLowerCase());
      return { ok, detail: `relay ${shown(l.data.relayed)} on ${edge ?? "no edge's physical A/V IP"}: ${said(l)}` };
    },
  },
];
