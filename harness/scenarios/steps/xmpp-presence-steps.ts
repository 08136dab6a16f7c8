/**
 * XMPP presence sentences (XMPP-4, RFC 6121): an XMPP user sends a directed presence
 * to one of our users (4.6: without a roster entry nothing else reaches them), one of
 * our users publishes an availability through the gateway to the XMPP contacts that
 * subscribed (and to a named one), and an XMPP user subscribes to one of our users
 * (the gateway approves on the user's behalf). A presence the gateway does not send
 * (FED-9 EnableXmppAccess, XMPP-5 SBA user, XMPP-2) is explained with the policy's verdict.
 */
import type { ActionKind, ActionResult, ScenarioContext } from "../types.ts";
import { domainOf } from "../../explain/offline.ts";
import { decideXmppPartner } from "../../../edge/policy/xmpp-partner.ts";
import { federationConfigFromTopology } from "../../topology/federation-config.ts";
import { xmppScene, rulesIn, settle, XMPP_WAIT_MS, type XmppScene } from "./xmpp-scene.ts";
import { PRESENCE_WORDS, presenceWord, stateOfAvailability, stateOfStanza } from "./xmpp-presence.ts";
import { ownCode } from "../../../edge/policy/diagnostics.ts";

function result(ctx: ScenarioContext, scene: XmppScene, first: number, kind: string, head: string, delivered: boolean, extra: { rules?: string[]; why?: string; seen?: string; stanzaError?: string } = {}): ActionResult {
  const t = scene.traceOf(ctx.events.slice(first));
  const how = delivered ? (extra.seen ?? "seen") : (extra.why ?? `not seen within ${XMPP_WAIT_MS / 1000} s`);
  const stream = t.streamError ? `; our edge sent stream error ${t.streamError} (${t.streamErrorText ?? ""})` : "";
  return {
    kind,
    summary: `${head}: ${how}${stream}`,
    data: {
      delivered,
      rules: [...new Set([...t.rules, ...(extra.rules ?? [])])],
      via: t.via.join(" "),
      ...(extra.stanzaError ? { stanzaError: extra.stanzaError } : {}),
      ...(t.streamError ? { streamError: t.streamError } : {}),
      detail: `${how}${stream}; via ${t.via.join(", ") || "(no XMPP hop)"}${t.auth.length ? `; new streams: ${t.auth.join("; ")}` : ""}`,
    },
  };
}

async function partnerPresence(ctx: ScenarioContext, scene: XmppScene, from: string, word: string, note: string | undefined, to: string | undefined): Promise<ActionResult> {
  if (!to || !scene.isInternal(to)) throw new RangeError(`an XMPP user's presence reaches one of our users only when directed to them (RFC 6121 4.6): say '${from} sets presence ${word} for alice@contoso.test'`);
  const w = presenceWord(word);
  const user = await scene.user(from);
  const presences = scene.gateway.users.user(to).presences;
  const before = presences.length;
  const first = ctx.events.length;
  user.presence({ to, ...(w.show ? { show: w.show } : {}), ...(w.unavailable ? { type: "unavailable" } : {}), ...(note !== undefined ? { status: note } : {}) });
  const seen = () => presences.slice(before).some((p) => p.from.toLowerCase().includes(from) && stateOfAvailability(p.availability) === w.state && (note === undefined || p.note === note));
  await settle(ctx, first, seen);
  return result(ctx, scene, first, "xmpp.presence", `${from} sets presence ${word} for ${to}`, seen());
}

async function internalPresence(ctx: ScenarioContext, scene: XmppScene, from: string, word: string, note: string | undefined, to: string | undefined): Promise<ActionResult> {
  const w = presenceWord(word);
  const targets = to ? [to] : [...(scene.subscribers.get(from) ?? [])];
  if (targets.length === 0) throw new RangeError(`no XMPP contact subscribed to ${from} in this scenario and the sentence names none: add 'for romeo@jabber.test', or let romeo subscribe first`);
  const config = federationConfigFromTopology(ctx.world.topology);
  const refused = targets.map((t) => decideXmppPartner(config, { localUser: `sip:${from}`, remoteDomain: domainOf(t) })).filter((v) => !v.allowed);
  const users = await Promise.all(targets.map((t) => scene.user(t)));
  const before = users.map((u) => u.received.length);
  const first = ctx.events.length;
  const sent = scene.gateway.gateway.publishPresence(`sip:${from}`, w.availability, note, to ? [to] : []);
  const seen = () => users.every((u, i) => u.received.slice(before[i]).some((s) => (s.attrs.from ?? "").toLowerCase().startsWith(from) && stateOfStanza(s) === w.state && (note === undefined || s.status === note)));
  const head = `${from} sets presence ${word} (${w.availability}) for ${targets.join(", ")}`;
  if (sent === 0 && refused.length > 0) {
    const why = refused.map((v) => `${v.refusal?.diagnostics.text ?? "refused"}${v.refusal ? ` (${ownCode(v.refusal.diagnostics.code)})` : ""}`).join("; ");
    return result(ctx, scene, first, "xmpp.presence", head, false, { rules: refused.flatMap((v) => v.rules.slice(-1)), why: `not sent by the gateway: ${why}` });
  }
  await settle(ctx, first, seen);
  return result(ctx, scene, first, "xmpp.presence", head, seen());
}

export const XMPP_PRESENCE_ACTIONS: ActionKind[] = [
  {
    name: "xmpp.presence",
    example: 'romeo@jabber.test sets presence away ["at lunch"] for alice@contoso.test / alice@contoso.test sets presence busy [for romeo@jabber.test]',
    pattern: new RegExp(`^(\\S+@\\S+) sets presence (${PRESENCE_WORDS})(?: "([^"]*)")?(?: for (\\S+@\\S+))?$`, "i"),
    async run(ctx, m) {
      const [from, word, note, to] = [m[1]!.toLowerCase(), m[2]!.toLowerCase(), m[3], m[4]?.toLowerCase()];
      const scene = xmppScene(ctx.world);
      return scene.isInternal(from) ? internalPresence(ctx, scene, from, word, note, to) : partnerPresence(ctx, scene, from, word, note, to);
    },
  },
  {
    name: "xmpp.subscribe",
    example: "romeo@jabber.test subscribes to alice@contoso.test",
    pattern: /^(\S+@\S+) subscribes to (\S+@\S+)$/i,
    async run(ctx, m) {
      const [from, to] = [m[1]!.toLowerCase(), m[2]!.toLowerCase()];
      const scene = xmppScene(ctx.world);
      if (scene.isInternal(from) || !scene.isInternal(to)) throw new RangeError(`only an XMPP user can subscribe to one of our users here (the gateway does not subscribe for internal users): ${from} -> ${to}`);
      const user = await scene.user(from);
      const before = user.received.length;
      const first = ctx.events.length;
      user.presence({ to, type: "subscribe" });
      const fromTo = (x: { attrs: Record<string, string> }) => (x.attrs.from ?? "").toLowerCase().startsWith(to);
      const answer = () => user.received.slice(before).find((s) => s.name === "presence" && fromTo(s) && ["subscribed", "unsubscribed", "error"].includes(s.attrs.type ?? ""));
      // Prosody hands 'subscribed' only to resources that fetched the roster (RFC 6121 3.1.6), which our
      // @xmpp/client user does not; the presence the gateway sends right after approving shows it too.
      const presence = () => user.received.slice(before).find((s) => fromTo(s) && stateOfStanza(s) !== undefined);
      await settle(ctx, first, () => answer() !== undefined || presence() !== undefined);
      const a = answer();
      const approved = a ? a.attrs.type === "subscribed" : presence() !== undefined;
      if (approved) scene.subscribers.set(to, (scene.subscribers.get(to) ?? new Set()).add(from));
      const how = a?.attrs.type === "subscribed" ? "approved (subscribed)" : approved ? `approved (${to}'s presence arrived)` : undefined;
      return result(ctx, scene, first, "xmpp.subscribe", `${from} subscribes to ${to}`, approved, {
        ...(how ? { seen: how } : {}),
        ...(a && !approved ? { why: a.attrs.type === "error" ? `stanza error ${a.errorCondition ?? ""} "${a.errorText ?? ""}"` : "unsubscribed (refused)" } : {}),
        ...(a?.attrs.type === "error" ? { stanzaError: a.errorCondition ?? "undefined-condition", rules: rulesIn(a.errorText) } : {}),
      });
    },
  },
];
