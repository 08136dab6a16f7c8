/**
 * One client-to-server session of the minimal partner server (RFC 6120 5-7):
 * STARTTLS is required before SASL PLAIN (RFC 4616), then resource binding and the
 * legacy session iq that @xmpp/client still sends. Stanzas from the client get its
 * full JID as 'from' (RFC 6120 8.1.2.1) and go to the router.
 */
import { randomBytes } from "node:crypto";
import type { XmppConnection } from "../../edge/roles/xmpp-proxy/connection.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { NS } from "../../edge/wire/xmpp/namespaces.ts";
import { Jid } from "../../edge/wire/xmpp/jid.ts";
import { xml, type XmlElement } from "../../edge/wire/xmpp/xml-element.ts";
import { buildStanzaErrorReply } from "../../edge/wire/xmpp/stanza-error.ts";

const BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const SESSION = "urn:ietf:params:xml:ns:xmpp-session";

export interface C2sContext {
  domain: string;
  identity: TlsIdentity;
  checkPassword(user: string, password: string): boolean;
  bound(session: C2sSession): void;
  route(stanza: XmlElement, session: C2sSession): void;
}

export class C2sSession {
  jid: Jid | undefined;
  private user: string | undefined;

  constructor(
    readonly conn: XmppConnection,
    private readonly ctx: C2sContext,
  ) {
    conn.on("streamStart", (attrs) => this.onStreamStart(attrs));
    conn.on("stanza", (el) => this.onStanza(el));
  }

  send(stanza: XmlElement): void {
    this.conn.send(stanza.withAttrs({ xmlns: NS.client }));
  }

  private onStreamStart(attrs: Readonly<Record<string, string>>): void {
    if (attrs.to?.toLowerCase() !== this.ctx.domain) return this.conn.fail("host-unknown", `this server is ${this.ctx.domain}, not ${attrs.to ?? "(none)"}`, ["XMPP-3"], { contentNamespace: NS.client });
    this.conn.openStream({ from: this.ctx.domain, id: randomBytes(8).toString("hex"), contentNamespace: NS.client });
    const features: XmlElement[] = [];
    if (!this.conn.secure) features.push(xml("starttls", { xmlns: NS.tls }, xml("required")));
    else if (!this.user) features.push(xml("mechanisms", { xmlns: NS.sasl }, xml("mechanism", {}, "PLAIN")));
    else features.push(xml("bind", { xmlns: BIND }), xml("session", { xmlns: SESSION }, xml("optional")));
    this.conn.send(xml("stream:features", {}, ...features));
  }

  private onStanza(el: XmlElement): void {
    const ns = el.getNamespace() ?? el.attr("xmlns");
    if (ns === NS.tls && el.localName === "starttls") {
      this.conn.parser.restart();
      this.conn.send(xml("proceed", { xmlns: NS.tls }));
      queueMicrotask(() => {
        if (this.conn.parser.discardedOnRestart > 0) return this.conn.destroy();
        this.conn.upgradeServer(this.ctx.identity).catch(() => undefined);
      });
      return;
    }
    if (ns === NS.sasl && el.localName === "auth") return this.onAuth(el);
    if (!this.conn.secure || !this.user) return this.conn.fail("not-authorized", "authenticate first (STARTTLS, then SASL PLAIN)", ["XMPP-3"]);
    if (el.name === "iq" && !this.jid) return this.onBind(el);
    if (!this.jid) return this.conn.fail("not-authorized", "bind a resource first", ["XMPP-3"]);
    this.ctx.route(el.withAttrs({ from: this.jid.toString() }), this);
  }

  private onAuth(el: XmlElement): void {
    const [, user = "", password = ""] = Buffer.from(el.getText().trim(), "base64").toString("utf8").split("\0");
    if (!this.conn.secure || el.attr("mechanism") !== "PLAIN" || !this.ctx.checkPassword(user.toLowerCase(), password)) {
      this.conn.send(xml("failure", { xmlns: NS.sasl }, xml("not-authorized")));
      return;
    }
    this.user = user.toLowerCase();
    this.conn.parser.restart();
    this.conn.send(xml("success", { xmlns: NS.sasl }));
  }

  private onBind(el: XmlElement): void {
    const bind = el.getChild("bind", BIND);
    if (bind) {
      const resource = bind.getChildText("resource") || randomBytes(4).toString("hex");
      this.jid = Jid.of(this.user, this.ctx.domain, resource);
      this.send(xml("iq", { type: "result", id: el.attr("id") }, xml("bind", { xmlns: BIND }, xml("jid", {}, this.jid.toString()))));
      this.ctx.bound(this);
      return;
    }
    const reply = buildStanzaErrorReply(el, "not-allowed", { text: "bind a resource first" });
    if (reply) this.send(reply);
  }
}
