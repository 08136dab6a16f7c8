/**
 * The XMPP gateway of the front-end pool (XMPP-1, XMPP-4): links to every Edge's
 * internal address on 23456, translation between XMPP contacts and internal SIP
 * users for one-to-one IM and presence. Every stanza in either direction passes
 * decideXmppPartner (FED-9 EnableXmppAccess, XMPP-5 not on an SBA, FED-1
 * AllowFederatedUsers, FED-6, XMPP-2);
 * refusals are answered with a stanza error naming the rule, and traced.
 * Subscriptions from XMPP contacts are approved on the user's behalf (edgesim has
 * no user to ask) and remembered, so presence changes reach them.
 */
import type { EventSink } from "../../../edge/events/types.ts";
import type { FederationConfig } from "../../../edge/policy/config.ts";
import { decideXmppPartner } from "../../../edge/policy/xmpp-partner.ts";
import type { TlsIdentity } from "../../../edge/net/tls-identity.ts";
import type { ConnectionGate } from "../../../edge/net/gate.ts";
import { buildStanzaErrorReply, type StanzaErrorCondition } from "../../../edge/wire/xmpp/stanza-error.ts";
import { Jid } from "../../../edge/wire/xmpp/jid.ts";
import { xml, type XmlElement } from "../../../edge/wire/xmpp/xml-element.ts";
import { NS } from "../../../edge/wire/xmpp/namespaces.ts";
import { GatewayLink } from "./link.ts";
import type { InternalImSide } from "./internal-side.ts";
import { AVAILABILITY, bareAddress, fromXmpp, imToXmpp, presenceToXmpp } from "./translate.ts";

export interface XmppGatewayOptions {
  host: string;
  poolFqdn: string;
  identity: TlsIdentity;
  edges: { address: string; port: number; fqdn: string }[];
  /** The front end's own address, the source of the 23456 links (internal zone). */
  localAddress: string;
  /** PORT-5: the firewalls between the front end and the edges (002-int-node-xmpp-23456). Default: none modelled. */
  gate?: ConnectionGate;
  config: FederationConfig;
  events: EventSink;
  side: InternalImSide;
}

export type SendResult = { ok: true; id: string } | { ok: false; rule: string; reason: string; code?: number };

/** FED-9 52093/52094: the addressed JID is not one of our users (RFC 6120 8.3.3.8 item-not-found). */
const NOT_A_USER = new Set([52093, 52094]);
const REFUSAL_CONDITION: Record<string, StanzaErrorCondition> = { "FED-9": "forbidden", "XMPP-5": "forbidden", "XMPP-2": "not-allowed", "FED-6": "not-allowed", "FED-1": "not-allowed" };

export class XmppGateway {
  private readonly links: GatewayLink[];
  private readonly presence = new Map<string, { availability: number; note?: string }>();
  private readonly subscribers = new Map<string, Set<string>>();
  private next = 0;
  private ids = 0;

  constructor(private readonly options: XmppGatewayOptions) {
    this.links = options.edges.map((edge) => new GatewayLink({ host: options.host, identity: options.identity, edge, from: options.poolFqdn, events: options.events, localAddress: options.localAddress, ...(options.gate ? { gate: options.gate } : {}), onStanza: (s) => this.fromEdge(s) }));
  }

  async start(timeoutMs = 5000): Promise<void> {
    for (const l of this.links) l.start();
    // A firewall drop is known before any packet: no need to wait out the timeout when every link was dropped (PORT-5).
    if (this.links.every((l) => l.lastFailure?.startsWith("PORT-5"))) throw new XmppGatewayStartError(this.options.host, 0, this.linkFailures());
    const ready = await Promise.all(this.links.map((l) => l.whenReady(timeoutMs)));
    if (!ready.some(Boolean)) throw new XmppGatewayStartError(this.options.host, timeoutMs, this.linkFailures());
  }

  stop(): void {
    for (const l of this.links) l.stop();
  }

  /** XMPP-4: one internal user to one XMPP contact. */
  sendIm(fromUri: string, to: string | string[], body: string): SendResult {
    if (Array.isArray(to) && to.length !== 1) return this.refuse(fromUri, String(to), "XMPP-4", "IM with XMPP contacts is peer-to-peer only: one recipient");
    const target = Jid.tryParse(Array.isArray(to) ? to[0]! : to);
    if (!target?.local) return this.refuse(fromUri, String(to), "XMPP-4", "the recipient is not a user JID");
    const verdict = decideXmppPartner(this.options.config, { localUser: fromUri, remoteDomain: target.domain });
    if (!verdict.allowed) return this.refuse(fromUri, target.toString(), verdict.rules.at(-1) ?? "XMPP-2", verdict.refusal?.diagnostics.text ?? "refused", verdict.refusal?.diagnostics.code);
    const id = `gw${++this.ids}`;
    if (!this.toEdge(imToXmpp(fromUri, target.toString(), body, id))) {
      const why = this.linkFailures();
      return this.refuse(fromUri, target.toString(), "XMPP-1", `no Edge is connected on the internal XMPP link${why.length ? ` (${why.join("; ")})` : ""}`);
    }
    return { ok: true, id };
  }

  /** Why links are down (a firewall drop names PORT-5 and the missing rule), one line per link that failed. */
  linkFailures(): string[] {
    return this.links.flatMap((l) => (!l.ready && l.lastFailure ? [l.lastFailure] : []));
  }

  /** The internal side could not deliver a translated IM: the XMPP sender gets a stanza error (RFC 6120 8.3). */
  failDelivery(im: { from: string; to: string; xmppJid: string; id?: string }, condition: StanzaErrorCondition, text: string): void {
    this.options.events({ kind: "xmpp.refused", ts: Date.now(), host: this.options.host, rules: ["XMPP-4"], detail: `IM ${im.from} -> ${im.to} not delivered: ${text}` });
    this.answerError(xml("message", { xmlns: NS.server, from: im.xmppJid, to: bareAddress(im.to), id: im.id, type: "chat" }), condition, `XMPP-4: ${text}`);
  }

  /** The user's availability, sent to the XMPP contacts that subscribed (and to `also`). */
  publishPresence(uri: string, availability: number, note?: string, also: string[] = []): number {
    const key = bareAddress(uri);
    this.presence.set(key, { availability, ...(note ? { note } : {}) });
    let sent = 0;
    for (const jid of new Set([...(this.subscribers.get(key) ?? []), ...also])) {
      const domain = Jid.tryParse(jid)?.domain ?? "";
      if (!decideXmppPartner(this.options.config, { localUser: uri, remoteDomain: domain }).allowed) continue;
      if (this.toEdge(presenceToXmpp(uri, jid, availability, note))) sent++;
    }
    return sent;
  }

  private refuse(fromUri: string, to: string, rule: string, reason: string, code?: number): SendResult {
    this.options.events({ kind: "xmpp.refused", ts: Date.now(), host: this.options.host, rules: [rule], detail: `${fromUri} -> ${to}: ${reason}` });
    return { ok: false, rule, reason, ...(code !== undefined ? { code } : {}) };
  }

  private toEdge(stanza: XmlElement): boolean {
    for (let i = 0; i < this.links.length; i++) {
      const link = this.links[this.next++ % this.links.length]!;
      if (link.send(stanza)) return true;
    }
    return false;
  }

  private answerError(stanza: XmlElement, condition: StanzaErrorCondition, text: string): void {
    const reply = buildStanzaErrorReply(stanza, condition, { text });
    if (reply) this.toEdge(reply);
  }

  /** A stanza from a partner, through the edge: policy, then translation. */
  private fromEdge(stanza: XmlElement): void {
    const from = Jid.tryParse(stanza.attr("from") ?? "");
    const to = Jid.tryParse(stanza.attr("to") ?? "");
    const localUser = to?.local ? `sip:${to.local}@${to.domain}` : "";
    if (stanza.attr("type") !== "error") {
      const verdict = decideXmppPartner(this.options.config, { localUser, remoteDomain: from?.domain ?? "", direction: "inbound" });
      if (!verdict.allowed) {
        const rule = verdict.rules.at(-1) ?? "XMPP-2";
        const text = verdict.refusal?.diagnostics.text ?? `${rule}: refused`;
        this.options.events({ kind: "xmpp.refused", ts: Date.now(), host: this.options.host, rules: verdict.rules, detail: `${stanza.name} from ${stanza.attr("from") ?? "?"} to ${stanza.attr("to") ?? "?"}: ${text}` });
        if (stanza.name !== "presence" || stanza.attr("type") === "subscribe") this.answerError(stanza, NOT_A_USER.has(verdict.refusal?.diagnostics.code ?? 0) ? "item-not-found" : (REFUSAL_CONDITION[rule] ?? "forbidden"), `${text} (${verdict.refusal?.diagnostics.code ?? ""})`);
        return;
      }
    }
    if (stanza.name === "iq") return this.onIq(stanza);
    const t = fromXmpp(stanza);
    const trace = (detail: string, rules: string[]) => this.options.events({ kind: "xmpp.stanza", ts: Date.now(), host: this.options.host, rules, detail });
    switch (t.kind) {
      case "im":
        trace(`IM ${t.im.from} -> ${t.im.to} (${t.im.body.length} characters)`, ["XMPP-4"]);
        return this.options.side.deliverIm(t.im);
      case "presence":
        trace(`presence ${t.presence.from} -> ${t.presence.to}: ${t.presence.availability}`, ["XMPP-4"]);
        return this.options.side.deliverPresence(t.presence);
      case "subscription":
        return this.onSubscription(t.type, t.to, t.xmppJid);
      case "error":
        return this.options.side.deliverError({ from: t.from, to: t.to, condition: t.condition, ...(t.text ? { text: t.text } : {}) });
      case "ignored":
        return trace(`${stanza.name} from ${stanza.attr("from") ?? "?"} not translated: ${t.why}`, ["XMPP-4"]);
      case "refused":
        this.options.events({ kind: "xmpp.refused", ts: Date.now(), host: this.options.host, rules: [t.rule], detail: t.why });
        return this.answerError(stanza, t.condition, `${t.rule}: ${t.why}`);
    }
  }

  private onSubscription(type: string, toSip: string, jid: string): void {
    const key = bareAddress(toSip);
    const bare = Jid.parse(jid).bare().toString();
    const subs = this.subscribers.get(key) ?? new Set<string>();
    this.subscribers.set(key, subs);
    if (type === "subscribe" || type === "probe") {
      if (type === "subscribe") {
        subs.add(bare);
        this.toEdge(xml("presence", { xmlns: NS.server, from: key, to: bare, type: "subscribed" }));
      }
      const p = this.presence.get(key) ?? { availability: AVAILABILITY.online };
      this.toEdge(presenceToXmpp(key, bare, p.availability, p.note));
    } else if (type === "unsubscribe") subs.delete(bare);
  }

  private onIq(stanza: XmlElement): void {
    if (stanza.attr("type") === "result" || stanza.attr("type") === "error") return;
    if (stanza.attr("type") === "get" && stanza.getChild("ping", "urn:xmpp:ping")) {
      this.toEdge(xml("iq", { xmlns: NS.server, type: "result", id: stanza.attr("id"), from: stanza.attr("to"), to: stanza.attr("from") }));
      return;
    }
    this.answerError(stanza, "service-unavailable", "XMPP-4: the gateway translates IM and presence only");
  }
}

/** No Edge answered on the internal link when the gateway started; says why each link failed (PORT-5 drops name the rule). */
export class XmppGatewayStartError extends Error {
  constructor(readonly host: string, readonly timeoutMs: number, readonly failures: string[]) {
    super(`XMPP gateway on ${host}: no Edge answered on the internal link (23456)${timeoutMs ? ` within ${timeoutMs} ms` : ""}${failures.length ? `: ${failures.join("; ")}` : ""}`);
    this.name = "XmppGatewayStartError";
  }
}
