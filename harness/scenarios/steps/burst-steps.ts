/**
 * Sentences that send many SIP MESSAGEs at once, for FED-11 (discovered-partner
 * throttling): a partner enumerating addresses that are not our users, and a
 * burst to one user. The result counts what was delivered and what was refused,
 * with the refusals' status, the rule IDs of the trace and the event log entries
 * the edge raised (14601, 14603) in `detail`.
 */
import type { ActionKind, ActionResult, ScenarioContext } from "../types.ts";
import { frontEndOf } from "../../world/frontend-service.ts";
import { sipPartnerOf } from "../../world/sip-partners-service.ts";
import { partnerServing, domainOf } from "../../explain/offline.ts";

interface Sent { to: string; status: number; reason: string; code?: number }

type Sender = { sendMessage(to: string, text: string): Promise<{ status: number; reason: string; diagnostics?: { code: number; text: string } }> };

function senderOf(ctx: ScenarioContext, uri: string): Sender {
  if (ctx.world.topology.organisation.sipDomains.includes(domainOf(uri))) return frontEndOf(ctx.world).user(uri);
  const p = partnerServing(ctx.world.topology, domainOf(uri));
  if (!p) throw new RangeError(`no partner in the topology serves ${domainOf(uri)}`);
  return sipPartnerOf(ctx.world, p.domain).user(uri);
}

function countBy(sent: Sent[]): string {
  const counts = new Map<string, number>();
  for (const s of sent) counts.set(`${s.status}${s.code ? ` (${s.code})` : ""}`, (counts.get(`${s.status}${s.code ? ` (${s.code})` : ""}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} x ${k}`).join(", ");
}

/** delivered: every message was; status: the last refusal's (what `expect refused 480` reads). */
function result(ctx: ScenarioContext, kind: string, head: string, sent: Sent[], first: number): ActionResult {
  const events = ctx.events.slice(first);
  const rules = [...new Set(events.flatMap((e) => e.rules))];
  const refused = sent.filter((s) => s.status >= 300);
  const logged = events.flatMap((e) => (e.kind === "note" && e.rules.includes("FED-11") ? [e.detail] : []));
  const delivered = sent.length - refused.length;
  return {
    kind,
    summary: `${head}: ${delivered} of ${sent.length} accepted; ${countBy(sent)}`,
    data: { delivered: refused.length === 0, status: refused.at(-1)?.status ?? sent.at(-1)?.status, rules, accepted: delivered, refused: refused.length, detail: logged.length ? logged.join("; ") : "no FED-11 event" },
  };
}

export const BURST_ACTIONS: ActionKind[] = [
  {
    name: "sip.enumerate",
    example: "nancy@northwind.test sends a message to each of 10 unknown users at contoso.test",
    pattern: /^(\S+@\S+) sends a message to each of (\d+) unknown users at (\S+\.\S+)$/i,
    async run(ctx, m) {
      const [from, count, domain] = [m[1]!.toLowerCase(), Number(m[2]), m[3]!.toLowerCase()];
      const sender = senderOf(ctx, from);
      const first = ctx.events.length;
      const sent: Sent[] = [];
      // One after another, as an address harvester would: each answer before the next try.
      for (let i = 1; i <= count; i++) {
        const to = `nobody${i}@${domain}`;
        const r = await sender.sendMessage(to, `is ${to} there?`);
        sent.push({ to, status: r.status, reason: r.reason, ...(r.diagnostics ? { code: r.diagnostics.code } : {}) });
      }
      return result(ctx, "sip.enumerate", `${from} -> ${count} unknown users at ${domain}`, sent, first);
    },
  },
  {
    name: "sip.burst",
    example: "nancy@northwind.test sends 5 messages to carol@contoso.test at once",
    pattern: /^(\S+@\S+) sends (\d+) messages to (\S+@\S+) at once$/i,
    async run(ctx, m) {
      const [from, count, to] = [m[1]!.toLowerCase(), Number(m[2]), m[3]!.toLowerCase()];
      const sender = senderOf(ctx, from);
      const first = ctx.events.length;
      const answers = await Promise.all(Array.from({ length: count }, (_, i) => sender.sendMessage(to, `burst ${i + 1}`)));
      const sent = answers.map((r) => ({ to, status: r.status, reason: r.reason, ...(r.diagnostics ? { code: r.diagnostics.code } : {}) }));
      return result(ctx, "sip.burst", `${from} -> ${to}, ${count} messages at once`, sent, first);
    },
  },
];
