/**
 * edgesim's own minimal XMPP partner server, for fast tests: client-to-server on
 * 5222 for @xmpp/client users (STARTTLS, SASL PLAIN, bind), server-to-server on
 * 5269 through the same S2sNode the Edge's XMPP proxy uses (STARTTLS, SASL
 * EXTERNAL, dialback), with its own negotiation settings and no allow list (a
 * typical open XMPP server). It routes between its users and remote domains; a
 * message for a user who is not online is answered service-unavailable.
 * A partner is an internet host: its listeners and dials go through the gate
 * (PORT-5) with its planned address as the source, so a partner's s2s dial to our
 * Access VIP is checked against 002-ext-vip-xmpp-in before its first packet, and
 * a dropped dial bounces the user's stanza with the missing rule.
 */
import type { Server } from "node:net";
import type { EventSink } from "../../edge/events/types.ts";
import type { NameResolver } from "../../edge/net/resolver.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";
import { gatedListen, openGate, type ConnectionGate } from "../../edge/net/gate.ts";
import { XmppConnection } from "../../edge/roles/xmpp-proxy/connection.ts";
import { S2sNode } from "../../edge/roles/xmpp-proxy/s2s-node.ts";
import type { S2sSettings } from "../../edge/roles/xmpp-proxy/negotiation.ts";
import { NS } from "../../edge/wire/xmpp/namespaces.ts";
import { Jid } from "../../edge/wire/xmpp/jid.ts";
import { xml, type XmlElement } from "../../edge/wire/xmpp/xml-element.ts";
import { buildStanzaErrorReply } from "../../edge/wire/xmpp/stanza-error.ts";
import { C2sSession } from "./c2s-session.ts";

export interface MiniXmppServerOptions {
  host: string;
  domain: string;
  address: string;
  c2sPort: number;
  s2sPort: number;
  identity: TlsIdentity;
  resolver: NameResolver;
  events: EventSink;
  /** user (localpart) -> password. */
  users: Record<string, string>;
  s2s?: S2sSettings;
  dialbackSecret?: string;
  /** PORT-5: the firewalls between this partner (internet) and its peers. Default: none modelled. */
  gate?: ConnectionGate;
}

export class MiniXmppServer {
  readonly s2s: S2sNode;
  private c2s: Server | undefined;
  private readonly sessions = new Map<string, Set<C2sSession>>();
  private readonly all = new Set<C2sSession>();

  constructor(private readonly options: MiniXmppServerOptions) {
    const settings = options.s2s ?? { tls: "Optional", sasl: "Optional", dialback: true };
    this.s2s = new S2sNode({
      host: options.host,
      domains: [options.domain],
      identity: options.identity,
      resolver: options.resolver,
      events: options.events,
      dialbackSecret: options.dialbackSecret ?? `${options.domain}-dialback`,
      localAddress: options.address,
      ...(options.gate ? { gate: options.gate } : {}),
      decide: () => ({ allowed: true, settings, rules: [], detail: "open server", verifiable: true }),
      deliver: (stanza) => this.deliverLocal(stanza),
    });
  }

  async start(): Promise<void> {
    const { address, c2sPort, s2sPort } = this.options;
    assertLoopback(address, "listen for XMPP clients on");
    await this.s2s.listen(address, s2sPort);
    this.c2s = await gatedListen({
      gate: this.options.gate ?? openGate,
      events: this.options.events,
      host: this.options.host,
      purpose: `XMPP c2s to ${this.options.domain}`,
      address,
      port: c2sPort,
      transport: "tcp",
      onConnection: (socket) => {
        const conn = new XmppConnection(socket, { host: this.options.host, events: this.options.events, direction: "in", parser: { contentNamespaces: [NS.client] } });
        const session = new C2sSession(conn, {
          domain: this.options.domain,
          identity: this.options.identity,
          checkPassword: (u, p) => this.options.users[u] !== undefined && this.options.users[u] === p,
          bound: (s) => this.bind(s),
          route: (stanza, s) => this.route(stanza, s),
        });
        this.all.add(session);
        conn.on("closed", () => this.unbind(session));
      },
    });
  }

  async stop(): Promise<void> {
    for (const s of this.all) s.conn.close();
    await new Promise<void>((r) => (this.c2s ? this.c2s.close(() => r()) : r()));
    for (const s of this.all) s.conn.destroy();
    await this.s2s.stop();
  }

  private bind(session: C2sSession): void {
    const bare = session.jid!.bare().toString();
    const set = this.sessions.get(bare) ?? new Set();
    set.add(session);
    this.sessions.set(bare, set);
  }

  private unbind(session: C2sSession): void {
    this.all.delete(session);
    if (session.jid) this.sessions.get(session.jid.bare().toString())?.delete(session);
  }

  private route(stanza: XmlElement, from: C2sSession): void {
    const toAttr = stanza.attr("to");
    const to = toAttr ? Jid.tryParse(toAttr) : undefined;
    if (toAttr && !to) {
      const reply = buildStanzaErrorReply(stanza, "jid-malformed");
      if (reply) from.send(reply);
      return;
    }
    if (!to || (to.domain === this.options.domain && to.local === undefined)) return this.serverStanza(stanza, from);
    this.forward(stanza, to);
  }

  private forward(stanza: XmlElement, to: Jid): void {
    if (to.domain === this.options.domain) return this.deliverLocal(stanza);
    this.s2s.send(stanza.withAttrs({ xmlns: NS.server }));
  }

  /** Stanzas to the server itself: iq session/ping/roster get an empty result; initial presence is not broadcast (no rosters). */
  private serverStanza(stanza: XmlElement, from: C2sSession): void {
    if (stanza.name !== "iq" || (stanza.attr("type") !== "get" && stanza.attr("type") !== "set")) return;
    const roster = stanza.getChild("query", "jabber:iq:roster");
    from.send(xml("iq", { type: "result", id: stanza.attr("id"), to: stanza.attr("from") }, ...(roster ? [xml("query", { xmlns: "jabber:iq:roster" })] : [])));
  }

  private deliverLocal(stanza: XmlElement): void {
    const to = Jid.tryParse(stanza.attr("to") ?? "");
    const targets = to ? [...(this.sessions.get(to.bare().toString()) ?? [])].filter((s) => !to.resource || s.jid?.resource === to.resource) : [];
    if (targets.length > 0) {
      for (const s of to?.resource ? targets : targets.slice(0, stanza.name === "message" ? 1 : targets.length)) s.send(stanza);
      return;
    }
    this.options.events({ kind: "xmpp.stanza", ts: Date.now(), host: this.options.host, rules: [], detail: `${stanza.name} for ${stanza.attr("to") ?? "?"}: nobody online` });
    if (stanza.name === "presence") return; // RFC 6121 4.3: presence to an unavailable user is not answered
    const reply = buildStanzaErrorReply(stanza, "service-unavailable");
    const back = reply ? Jid.tryParse(reply.attr("to") ?? "") : undefined;
    if (reply && back) this.forward(reply, back);
  }
}
