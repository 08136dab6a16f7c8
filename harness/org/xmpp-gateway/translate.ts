/**
 * Translation between XMPP stanzas and the internal SIP side's IM and presence
 * (XMPP-4): a one-to-one chat message becomes an instant message between SIP
 * URIs (text/plain), XMPP availability (<show/>, type='unavailable', RFC 6121 4.7)
 * maps to Lync availability codes and back. Multi-party (groupchat, MUC invites)
 * has no translation: XMPP-4 is peer-to-peer only.
 */
import { Jid } from "../../../edge/wire/xmpp/jid.ts";
import { NS } from "../../../edge/wire/xmpp/namespaces.ts";
import { xml, type XmlElement } from "../../../edge/wire/xmpp/xml-element.ts";

/** Lync availability codes (MS-PRES 3.7.5.x aggregate states). */
export const AVAILABILITY = { online: 3500, busy: 6500, doNotDisturb: 9500, beRightBack: 12500, away: 15500, offline: 18500 } as const;
export type Availability = (typeof AVAILABILITY)[keyof typeof AVAILABILITY];

export interface InternalIm {
  /** sip: URIs. */
  from: string;
  to: string;
  /** The XMPP side's full JID (for the reply). */
  xmppJid: string;
  contentType: "text/plain";
  body: string;
  id?: string;
}

export interface InternalPresence {
  from: string;
  to: string;
  xmppJid: string;
  availability: Availability;
  note?: string;
}

export type Translation =
  | { kind: "im"; im: InternalIm }
  | { kind: "presence"; presence: InternalPresence }
  | { kind: "subscription"; type: "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed" | "probe"; from: string; to: string; xmppJid: string }
  | { kind: "error"; from: string; to: string; condition: string; text?: string }
  | { kind: "ignored"; why: string }
  | { kind: "refused"; rule: string; condition: "feature-not-implemented" | "bad-request" | "service-unavailable"; why: string };

const MUC_USER = "http://jabber.org/protocol/muc#user";

export function sipUriOfJid(jid: Jid): string {
  return `sip:${jid.local ?? ""}@${jid.domain}`;
}

export function bareAddress(sipUri: string): string {
  return sipUri.replace(/^sips?:/i, "").toLowerCase();
}

function availabilityOfShow(show: string | undefined): Availability {
  if (show === "dnd") return AVAILABILITY.doNotDisturb;
  if (show === "away" || show === "xa") return AVAILABILITY.away;
  return AVAILABILITY.online;
}

/** RFC 6121 4.7.2.1: the <show/> for a Lync availability; undefined = available, null = unavailable. */
export function showOfAvailability(a: number): string | undefined | null {
  if (a >= AVAILABILITY.offline) return null;
  if (a >= AVAILABILITY.beRightBack) return "away";
  if (a >= AVAILABILITY.busy) return "dnd";
  return undefined;
}

/** An XMPP stanza from a partner, as what the internal side should see. */
export function fromXmpp(stanza: XmlElement): Translation {
  const from = Jid.tryParse(stanza.attr("from") ?? "");
  const to = Jid.tryParse(stanza.attr("to") ?? "");
  if (!from || !to || from.local === undefined || to.local === undefined) return { kind: "refused", rule: "XMPP-4", condition: "bad-request", why: "one-to-one IM needs user JIDs on both sides" };
  const base = { from: sipUriOfJid(from), to: sipUriOfJid(to), xmppJid: from.toString() };
  const type = stanza.attr("type");
  if (type === "error") {
    const err = stanza.getChild("error");
    const condition = err?.getChildElements().find((c) => c.attr("xmlns") === NS.stanzas && c.name !== "text")?.name ?? "undefined-condition";
    return { kind: "error", from: base.from, to: base.to, condition, ...(err?.getChildText("text") !== undefined ? { text: err.getChildText("text")! } : {}) };
  }
  if (stanza.name === "message") {
    if (type === "groupchat") return { kind: "refused", rule: "XMPP-4", condition: "feature-not-implemented", why: "group chat: XMPP federation is peer-to-peer only" };
    if (stanza.getChild("x", MUC_USER)) return { kind: "refused", rule: "XMPP-4", condition: "feature-not-implemented", why: "multi-user chat invitation: XMPP federation is peer-to-peer only" };
    const body = stanza.getChildText("body");
    if (body === undefined) return { kind: "ignored", why: "message without a body (chat state or receipt): nothing to show" };
    return { kind: "im", im: { ...base, contentType: "text/plain", body, ...(stanza.attr("id") ? { id: stanza.attr("id")! } : {}) } };
  }
  if (stanza.name === "presence") {
    if (type === undefined || type === "unavailable") {
      const availability = type === "unavailable" ? AVAILABILITY.offline : availabilityOfShow(stanza.getChildText("show"));
      const note = stanza.getChildText("status");
      return { kind: "presence", presence: { ...base, availability, ...(note !== undefined ? { note } : {}) } };
    }
    if (type === "subscribe" || type === "subscribed" || type === "unsubscribe" || type === "unsubscribed" || type === "probe") return { kind: "subscription", type, ...base };
    return { kind: "refused", rule: "XMPP-4", condition: "bad-request", why: `presence type '${type}'` };
  }
  return { kind: "refused", rule: "XMPP-4", condition: "service-unavailable", why: `${stanza.name} is not translated to SIP (IM and presence only)` };
}

export function imToXmpp(fromSip: string, toJid: string, body: string, id: string): XmlElement {
  return xml("message", { xmlns: NS.server, from: bareAddress(fromSip), to: toJid, type: "chat", id }, xml("body", {}, body));
}

export function presenceToXmpp(fromSip: string, toJid: string, availability: number, note?: string): XmlElement {
  const show = showOfAvailability(availability);
  const children = [...(show ? [xml("show", {}, show)] : []), ...(note ? [xml("status", {}, note)] : [])];
  return xml("presence", { xmlns: NS.server, from: bareAddress(fromSip), to: toJid, ...(show === null ? { type: "unavailable" } : {}) }, ...children);
}
