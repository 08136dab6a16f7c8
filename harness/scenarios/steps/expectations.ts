/**
 * Expectations every feature's actions share. They read conventional fields of
 * the last action's result (ActionResult.data):
 *   delivered: boolean   - the request reached its target (or, for explain, would)
 *   status: number       - the final response code, when there was one
 *   rules: string[]      - rule IDs that decided it (from the verdict or the trace)
 *   verification: "verifiable" | "unverifiable"
 *   detail: string       - what to print when an expectation fails
 */
import type { ExpectationKind, ActionResult, Check } from "../types.ts";

const RULE = "([A-Z]+-\\d+)";

function rulesOf(last: ActionResult): string[] {
  const r = last.data.rules;
  return Array.isArray(r) ? r.map(String) : [];
}

function need(last: ActionResult | undefined): ActionResult {
  if (!last) throw new RangeError("an expectation needs an action before it");
  return last;
}

function describe(last: ActionResult): string {
  const status = last.data.status !== undefined ? ` ${String(last.data.status)}` : "";
  const rules = rulesOf(last);
  return `${last.summary}${status}${rules.length ? ` (rules ${rules.join(", ")})` : ""}`;
}

export const EXPECTATIONS: ExpectationKind[] = [
  {
    name: "delivered",
    example: "expect delivered, verifiable",
    pattern: /^expect (?:delivered|allowed)(?:,? (verifiable|unverifiable))?(?: (?:by|via) (.+))?$/i,
    check(_ctx, last, m): Check {
      const l = need(last);
      if (l.data.delivered !== true) return { ok: false, detail: `not delivered: ${describe(l)}` };
      if (m[1] && l.data.verification !== m[1].toLowerCase()) return { ok: false, detail: `delivered but ${String(l.data.verification ?? "with no verification mark")}, expected ${m[1]}` };
      if (m[2]) {
        const via = m[2].trim();
        const rules = rulesOf(l);
        const where = String(l.data.via ?? "");
        if (!rules.includes(via) && !where.includes(via)) return { ok: false, detail: `delivered, but not by/via ${via}: ${describe(l)}${where ? ` via ${where}` : ""}` };
      }
      return { ok: true, detail: describe(l) };
    },
  },
  {
    name: "refused",
    example: "expect refused 403 by FED-6",
    pattern: new RegExp(`^expect (?:refused|rejected)(?: (\\d{3}))?(?: by ${RULE})?$`, "i"),
    check(_ctx, last, m): Check {
      const l = need(last);
      if (l.data.delivered === true) return { ok: false, detail: `it was delivered: ${describe(l)}` };
      if (m[1] && Number(l.data.status) !== Number(m[1])) return { ok: false, detail: `refused with ${String(l.data.status)}, expected ${m[1]}: ${describe(l)}` };
      if (m[2] && !rulesOf(l).includes(m[2].toUpperCase())) return { ok: false, detail: `refused, but not by ${m[2]}: ${describe(l)}` };
      return { ok: true, detail: describe(l) };
    },
  },
  {
    name: "status",
    example: "expect status 504",
    pattern: /^expect status (\d{3})$/i,
    check(_ctx, last, m): Check {
      const l = need(last);
      return { ok: Number(l.data.status) === Number(m[1]), detail: describe(l) };
    },
  },
  {
    name: "rule",
    example: "expect rule DNS-5",
    pattern: new RegExp(`^expect rules? ${RULE}(?:,? ${RULE})*$`, "i"),
    check(_ctx, last, m): Check {
      const l = need(last);
      const wanted = m[0].replace(/^expect rules? /i, "").split(/,?\s+/).map((s) => s.toUpperCase());
      const missing = wanted.filter((r) => !rulesOf(l).includes(r));
      return { ok: missing.length === 0, detail: missing.length ? `no ${missing.join(", ")} in ${describe(l)}` : describe(l) };
    },
  },
  {
    name: "detail",
    example: 'expect detail "moved"',
    pattern: /^expect (?:detail|text) "([^"]+)"$/i,
    check(_ctx, last, m): Check {
      const l = need(last);
      const text = `${l.summary} ${String(l.data.detail ?? "")}`;
      return { ok: text.includes(m[1]!), detail: text };
    },
  },
];
