/**
 * SIP sentences: a user sends an IM (SIP MESSAGE) through the Access Edge, and a
 * partner's edge is stopped or started. The result says whether the recipient
 * really received it (delivered), how the edge marked it (FED-7), the final
 * status and the rule IDs the trace recorded for it (FED-12), and which hosts
 * handled it (via: e.g. fabrikam-edge2 after a failover, DNS-5).
 */
import type { ActionKind, ScenarioContext } from "../types.ts";
import { frontEndOf } from "../../world/frontend-service.ts";
import { sipPartnerOf } from "../../world/sip-partners-service.ts";
import { partnerServing, domainOf } from "../../explain/offline.ts";
import type { ReceivedMessage } from "../../../partners/sip/index.ts";
import type { Inbox } from "../../../partners/sip/index.ts";
import { ownCode } from "../../../edge/policy/diagnostics.ts";

const DELIVERY_WAIT_MS = 5000;

function isOurs(ctx: ScenarioContext, uri: string): boolean {
  return ctx.world.topology.organisation.sipDomains.includes(domainOf(uri));
}

function partnerOf(ctx: ScenarioContext, uri: string) {
  const p = partnerServing(ctx.world.topology, domainOf(uri));
  if (!p) throw new RangeError(`no partner in the topology serves ${domainOf(uri)}`);
  return sipPartnerOf(ctx.world, p.domain);
}

function inboxOf(ctx: ScenarioContext, uri: string): Inbox<ReceivedMessage> {
  return isOurs(ctx, uri) ? frontEndOf(ctx.world).user(uri).inbox : partnerOf(ctx, uri).user(uri).inbox;
}

/** Waits for this message (by sender and text) among what the recipient receives. */
async function received(inbox: Inbox<ReceivedMessage>, from: string, text: string): Promise<ReceivedMessage | undefined> {
  const match = (m: ReceivedMessage) => m.text === text && m.from.toLowerCase().split("@")[0] === from.toLowerCase().split("@")[0];
  const already = inbox.received.find(match);
  if (already) return already;
  const deadline = Date.now() + DELIVERY_WAIT_MS;
  while (Date.now() < deadline) {
    const m = await inbox.next(deadline - Date.now()).catch(() => undefined);
    if (!m) return undefined;
    if (match(m)) return m;
  }
  return undefined;
}

export const SIP_ACTIONS: ActionKind[] = [
  {
    name: "sip.send",
    example: 'alice@contoso.test sends "hello" to bob@fabrikam.test',
    pattern: /^(\S+@\S+) sends "([^"]*)" to (\S+@\S+)$/i,
    async run(ctx, m) {
      const [from, text, to] = [m[1]!.toLowerCase(), m[2]!, m[3]!.toLowerCase()];
      const first = ctx.events.length;
      const sender = isOurs(ctx, from) ? frontEndOf(ctx.world).user(from) : partnerOf(ctx, from).user(from);
      const result = await sender.sendMessage(to, text);
      const got = result.status >= 200 && result.status < 300 ? await received(inboxOf(ctx, to), from, text) : undefined;
      const events = ctx.events.slice(first);
      const diagRules = result.diagnostics?.text.match(/\b[A-Z]+-\d+\b/g) ?? [];
      const rules = [...new Set([...events.flatMap((e) => e.rules), ...diagRules])];
      const via = [...new Set(events.filter((e) => e.kind.startsWith("sip.") || e.kind === "policy.verdict").map((e) => e.host))];
      const verification = got?.verification === "verified" ? "verifiable" : got?.verification === "unverified" ? "unverifiable" : undefined;
      const diag = result.diagnostics ? `; ms-diagnostics ${ownCode(result.diagnostics.code)} "${result.diagnostics.text}"` : "";
      return {
        kind: "sip.send",
        summary: `${from} -> ${to}: ${result.status} ${result.reason}${got ? ", received" : result.status < 300 ? ", but never received" : ""}`,
        data: { delivered: got !== undefined, status: result.status, rules, verification, via: via.join(" "), detail: `${result.reason}${diag}; via ${via.join(", ")}` },
      };
    },
  },
  {
    name: "partner.edge",
    example: "stop fabrikam.test edge1",
    pattern: /^(stop|start) (\S+\.\S+) (\S+)$/i,
    async run(ctx, m) {
      const partner = sipPartnerOf(ctx.world, m[2]!.toLowerCase());
      const edge = partner.edge(m[3]!);
      if (m[1]!.toLowerCase() === "stop") await edge.stop();
      else await edge.start();
      return { kind: "partner.edge", summary: `${m[2]} ${m[3]} ${m[1]!.toLowerCase() === "stop" ? "stopped" : "started"}`, data: {} };
    },
  },
];
