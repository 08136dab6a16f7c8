/**
 * XMPP sentences (issue 5, docs/xmpp-federation.md): which server runs an XMPP
 * partner domain, one-to-one IM between an @xmpp/client user at the partner and an
 * internal user through our XMPP proxy (5269, XMPP-1/2/3, DNS-3) and the gateway
 * (23456, XMPP-4/5, FED-9), and a hostile partner stream (XMPP-3). Presence is in
 * xmpp-presence-steps.ts. Results use the conventional fields (delivered, rules, via,
 * detail) plus streamError (our edge refused the stream) and stanzaError (the sender
 * got an error back), which `expect stream error ...` / `expect stanza error ...` read.
 */
import type { ActionKind, ActionResult, ScenarioContext } from "../types.ts";
import { domainOf } from "../../explain/offline.ts";
import { frontEndOf } from "../../world/frontend-service.ts";
import { xmppScene, nextStanzaId, rulesIn, settle, waitUntil, XMPP_WAIT_MS, type XmppScene } from "./xmpp-scene.ts";
import { HostileStream, HOSTILE_INPUTS, hostileBytes } from "./xmpp-hostile.ts";
import { XMPP_PRESENCE_ACTIONS } from "./xmpp-presence-steps.ts";
import { xmppPartnerDomains } from "../../world/xmpp-partners-service.ts";
import { ownCode } from "../../../edge/policy/diagnostics.ts";

function outcome(ctx: ScenarioContext, scene: XmppScene, first: number, head: string, r: { delivered: boolean; where?: string; status?: number; stanzaError?: string; errorText?: string; refusal?: string }): ActionResult {
  const t = scene.traceOf(ctx.events.slice(first));
  const how = r.delivered
    ? `delivered${r.where ? ` to ${r.where}` : ""}`
    : r.refusal
      ? `refused: ${r.refusal}`
      : r.stanzaError
        ? `stanza error ${r.stanzaError}${r.errorText ? ` "${r.errorText}"` : ""}`
        : `not delivered within ${XMPP_WAIT_MS / 1000} s`;
  const stream = t.streamError ? `; our edge sent stream error ${t.streamError} (${t.streamErrorText ?? ""})` : "";
  return {
    kind: "xmpp.im",
    summary: `${head}: ${how}${stream}`,
    data: {
      delivered: r.delivered,
      ...(r.status !== undefined ? { status: r.status } : {}),
      rules: [...new Set([...t.rules, ...rulesIn(r.errorText), ...rulesIn(r.refusal)])],
      via: t.via.join(" "),
      ...(r.stanzaError ? { stanzaError: r.stanzaError } : {}),
      ...(t.streamError ? { streamError: t.streamError } : {}),
      detail: `${how}${stream}; via ${t.via.join(", ") || "(no XMPP hop)"}${t.auth.length ? `; new streams: ${t.auth.join("; ")}` : ""}`,
    },
  };
}

/** An @xmpp/client user at the partner sends an IM to one of our users. */
async function fromPartner(ctx: ScenarioContext, scene: XmppScene, from: string, to: string, text: string): Promise<ActionResult> {
  const user = await scene.user(from);
  const id = nextStanzaId();
  const hits = () => scene.imsOf(to).filter((i) => i.text === text && i.from.toLowerCase().includes(from));
  const matches = () => hits().length;
  const before = matches();
  const first = ctx.events.length;
  user.message(to, text, { id });
  const bounce = () => user.received.find((s) => s.attrs.id === id && s.attrs.type === "error");
  await settle(ctx, first, () => matches() > before || bounce() !== undefined);
  const err = bounce();
  const landed = hits()[before]?.where;
  return outcome(ctx, scene, first, `${from} -> ${to} over XMPP`, { delivered: matches() > before, ...(landed ? { where: landed } : {}), ...(err ? { stanzaError: err.errorCondition ?? "undefined-condition", ...(err.errorText ? { errorText: err.errorText } : {}) } : {}) });
}

/**
 * One of our users sends an IM to an XMPP contact. With the front end running and the domain on the
 * XMPP allowed-partner list, from the user's own SIP client: the pool hands a MESSAGE for that domain
 * to the gateway (XMPP-1) and answers 200, or 403 with ms-diagnostics. Otherwise (no front end, or a
 * domain the front end would route to SIP federation) the gateway is asked directly, as it would answer.
 */
async function fromInternal(ctx: ScenarioContext, scene: XmppScene, from: string, to: string, text: string): Promise<ActionResult> {
  const user = await scene.user(to);
  const errors = scene.gateway.users.user(from).errors;
  const errorsBefore = errors.length;
  const arrived = () => user.received.filter((s) => s.name === "message" && s.attrs.type !== "error" && s.body === text && (s.attrs.from ?? "").toLowerCase().startsWith(from)).length;
  const before = arrived();
  const first = ctx.events.length;
  const head = `${from} -> ${to} over XMPP`;
  const listed = ctx.world.topology.federation.xmppAllowedPartners.some((p) => p.Identity.toLowerCase() === domainOf(to));
  let status: number | undefined;
  if (listed && ctx.world.context.running.has("frontend")) {
    const r = await frontEndOf(ctx.world).user(from).sendMessage(to, text);
    status = r.status;
    if (r.status >= 300) return outcome(ctx, scene, first, `${head} (from the SIP client)`, { delivered: false, status, refusal: `${r.status} ${r.reason}${r.diagnostics ? `; ms-diagnostics ${ownCode(r.diagnostics.code)} "${r.diagnostics.text}"` : ""}` });
  } else {
    const sent = scene.gateway.gateway.sendIm(`sip:${from}`, to, text);
    if (!sent.ok) return outcome(ctx, scene, first, head, { delivered: false, refusal: `${sent.reason.startsWith(sent.rule) ? "" : `${sent.rule}: `}${sent.reason}${sent.code !== undefined ? ` (${sent.code})` : ""}` });
  }
  await settle(ctx, first, () => arrived() > before || errors.length > errorsBefore);
  const err = errors.slice(errorsBefore)[0];
  return outcome(ctx, scene, first, status !== undefined ? `${head} (from the SIP client: ${status})` : head, { delivered: arrived() > before, where: "the XMPP client", ...(status !== undefined ? { status } : {}), ...(err ? { stanzaError: err.condition, ...(err.text ? { errorText: err.text } : {}) } : {}) });
}

export const XMPP_ACTIONS: ActionKind[] = [
  {
    name: "xmpp.partner-server",
    example: "jabber.test runs on Prosody [with profile dialback|tls-dialback|tls-sasl|tls-secure] / on edgesim's XMPP server",
    pattern: /^(\S+\.\S+) runs on (prosody|edgesim's XMPP server)(?: with profile (dialback|tls-dialback|tls-sasl|tls-secure))?$/i,
    async run(ctx, m) {
      const [domain, prosody] = [m[1]!.toLowerCase(), m[2]!.toLowerCase() === "prosody"];
      if (!prosody && m[3]) throw new RangeError("a profile applies to Prosody only");
      const scene = xmppScene(ctx.world);
      const changed = await scene.runOn(domain, prosody ? "prosody" : "mini", m[3]?.toLowerCase() as Parameters<XmppScene["runOn"]>[2]);
      const now = scene.kindOf(domain);
      const what = now.kind === "prosody" ? `Prosody (profile ${now.profile ?? "tls-sasl"})` : "edgesim's minimal XMPP server";
      return { kind: "xmpp.partner-server", summary: `${domain} ${changed ? "now runs" : "already ran"} on ${what} at ${scene.addressOf(domain)}`, data: { server: now.kind, ...now } };
    },
  },
  {
    name: "xmpp.im",
    example: 'romeo@jabber.test sends "hi" to alice@contoso.test over XMPP / alice@contoso.test replies "hello" to romeo@jabber.test',
    pattern: /^(\S+@\S+) (?:sends "([^"]*)" to (\S+@\S+) over XMPP|replies "([^"]*)" to (\S+@\S+?)(?: over XMPP)?)$/i,
    async run(ctx, m) {
      const [from, text, to] = [m[1]!.toLowerCase(), m[2] ?? m[4]!, (m[3] ?? m[5]!).toLowerCase()];
      const scene = xmppScene(ctx.world);
      if (scene.isInternal(from) === scene.isInternal(to)) throw new RangeError(`over XMPP one side is one of our users and the other an XMPP partner's user: ${from} -> ${to}`);
      return scene.isInternal(to) ? fromPartner(ctx, scene, from, to, text) : fromInternal(ctx, scene, from, to, text);
    },
  },
  {
    name: "xmpp.hostile",
    example: "jabber.test sends a DOCTYPE|an oversized stanza|an entity|malformed XML [to alice@contoso.test]",
    pattern: /^(a partner|\S+\.\S+) sends (a DOCTYPE|an oversized stanza|an entity|malformed XML)(?: to (\S+@\S+))?$/i,
    async run(ctx, m) {
      const t = ctx.world.topology;
      const domain = m[1]!.toLowerCase() === "a partner" ? xmppPartnerDomains(t)[0]?.domain : m[1]!.toLowerCase();
      if (!domain) throw new RangeError("the topology has no XMPP partner");
      const kind = HOSTILE_INPUTS[m[2]!.toLowerCase()]!;
      const target = (m[3] ?? t.organisation.users[0]?.uri ?? "").toLowerCase();
      const scene = xmppScene(ctx.world);
      const from = t.partners.find((p) => p.domain === domain)?.users[0]?.replace(/^sip:/, "") ?? `mallory@${domain}`;
      const [address, ours, marker] = [scene.addressOf(domain), domainOf(target), nextStanzaId()];
      const open = () => HostileStream.open(ctx.world, domain, address, ours);
      const reached = (text: string) => () => scene.imsOf(target).some((i) => i.text === text);
      const s = await open();
      try {
        s.write(HostileStream.message(from, target, `${marker} before`));
        if (!(await waitUntil(reached(`${marker} before`)))) throw new Error(`the authenticated stream's first, harmless message never reached ${target}, so a missing delivery would prove nothing`);
        const first = ctx.events.length;
        s.write(hostileBytes(kind, from, target, `${marker} hostile`) + HostileStream.message(from, target, `${marker} after`));
        const condition = await s.streamError();
        const closed = await s.waitClosed();
        const trace = scene.traceOf(ctx.events.slice(first));
        // A barrier: a new stream's message reaching the target shows everything sent before it was handled.
        const probe = await open();
        probe.write(HostileStream.message(from, target, `${marker} probe`));
        const barrier = await waitUntil(reached(`${marker} probe`));
        probe.destroy();
        if (!barrier) throw new Error(`after the stream error ${condition ?? "(none)"}, a new stream's harmless message never reached ${target}: cannot tell whether anything leaked`);
        const leaked = scene.allInternalIms().flatMap((u) => u.items.filter((i) => i.text.startsWith(`${marker} hostile`) || i.text === `${marker} after`).map((i) => `${u.uri} got "${i.text.slice(0, 60)}"`));
        const how = `stream error ${condition ?? "(none)"}${trace.streamErrorText ? ` (${trace.streamErrorText})` : ""}, connection ${closed ? "closed" : "left open"}; reached internal users: ${leaked.length ? leaked.join(", ") : "nothing"}`;
        return {
          kind: "xmpp.hostile",
          summary: `${domain} sent ${m[2]} to ${target}: ${how}`,
          data: { delivered: leaked.length > 0, rules: trace.rules, via: trace.via.join(" "), ...(condition ? { streamError: condition } : {}), closed, detail: how },
        };
      } finally {
        s.destroy();
      }
    },
  },
  ...XMPP_PRESENCE_ACTIONS,
];
