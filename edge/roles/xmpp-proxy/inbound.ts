/**
 * One incoming server-to-server stream (RFC 6120 4-6, XEP-0178, XEP-0220): we are
 * the receiving server. The partner is decided from the header's 'from' (XMPP-2:
 * unlisted domains get policy-violation), features follow the partner's entry,
 * STARTTLS upgrades the stream (bytes sent after <starttls/> before the handshake
 * are treated as an injection attack), SASL EXTERNAL and db:result authenticate a
 * domain, db:verify is answered as authoritative server (both styles: on the
 * partner's stream, Prosody, or on a connection opened for it, ejabberd), and only
 * stanzas from authenticated domains to our domains are delivered.
 */
import { randomBytes } from "node:crypto";
import type { XmppConnection } from "./connection.ts";
import { NS } from "../../wire/xmpp/namespaces.ts";
import { xml, type XmlElement } from "../../wire/xmpp/xml-element.ts";
import { Jid } from "../../wire/xmpp/jid.ts";
import { buildStanzaErrorReply } from "../../wire/xmpp/stanza-error.ts";
import { checkInboundAuth, inboundFeatures, type Refusal, type S2sSettings } from "./negotiation.ts";
import { certificateAuthenticates } from "./peer-cert.ts";
import { dialbackKeyMatches } from "./dialback-key.ts";
import type { InboundMeta, PartnerDecision, S2sNodeOptions } from "./s2s-types.ts";

export interface InboundContext {
  options: S2sNodeOptions;
  isLocal(domain: string): boolean;
  /** Sends a stanza out (an s2s stream carries stanzas one way: replies go on our own outgoing stream, RFC 6120 4.1). */
  send(stanza: XmlElement): void;
  /** Asks the originating domain's authoritative server about a key: XEP-0220 2.3. */
  verifyKey(receiving: string, originating: string, streamId: string, key: string): Promise<"valid" | "invalid" | "error">;
}

const PERMISSIVE: S2sSettings = { tls: "Optional", sasl: "Optional", dialback: true };

export class InboundStream {
  private streamId = "";
  private localDomain = "";
  private decision: PartnerDecision | undefined;
  private versioned = false;
  /** The domain of the header's 'from', or of the last db:result. */
  private lastFrom: string | undefined;
  private readonly authenticated = new Map<string, InboundMeta>();

  constructor(
    private readonly conn: XmppConnection,
    private readonly ctx: InboundContext,
  ) {
    conn.on("streamStart", (attrs) => this.onStreamStart(attrs));
    conn.on("stanza", (el) => this.onStanza(el));
  }

  private get settings(): S2sSettings {
    return this.decision?.allowed ? this.decision.settings : PERMISSIVE;
  }

  private certState(domain: string) {
    return { secure: this.conn.secure, certificateAuthenticates: certificateAuthenticates(this.conn.peer, domain) };
  }

  private onStreamStart(attrs: Readonly<Record<string, string>>): void {
    const to = attrs.to?.toLowerCase();
    const from = attrs.from?.toLowerCase();
    this.versioned = attrs.version !== undefined;
    if (!to || !this.ctx.isLocal(to)) return this.conn.fail("host-unknown", `this server does not serve '${to ?? "(no to)"}'`, ["XMPP-1"]);
    this.localDomain = to;
    this.streamId = randomBytes(12).toString("hex");
    if (from) {
      const d = this.ctx.options.decide(from);
      if (!d.allowed) return this.conn.fail(d.condition, d.detail, d.rules, { from: to, to: from });
      this.decision = d;
      this.lastFrom = from;
    }
    this.conn.openStream({ from: to, ...(from ? { to: from } : {}), id: this.streamId, dialback: true, version: this.versioned ? "1.0" : null });
    this.conn.trace("xmpp.stream", `inbound stream from ${from ?? "(no from)"} to ${to}${this.conn.secure ? " over TLS" : ""}`, ["XMPP-1"]);
    if (this.versioned) this.sendFeatures(from);
  }

  private sendFeatures(from: string | undefined): void {
    const f = inboundFeatures(this.settings, from ? this.certState(from) : { secure: this.conn.secure, certificateAuthenticates: false });
    const children: XmlElement[] = [];
    if (f.starttls) children.push(xml("starttls", { xmlns: NS.tls }, ...(f.starttlsRequired ? [xml("required")] : [])));
    if (f.external) children.push(xml("mechanisms", { xmlns: NS.sasl }, xml("mechanism", {}, "EXTERNAL")));
    if (f.dialback) children.push(xml("dialback", { xmlns: NS.dialbackFeature }, xml("errors")));
    this.conn.send(xml("stream:features", {}, ...children));
  }

  private refuse(r: Refusal): void {
    this.conn.fail(r.condition, r.reason, [r.rule]);
  }

  private onStanza(el: XmlElement): void {
    const ns = el.getNamespace() ?? el.attr("xmlns");
    if (ns === NS.tls && el.localName === "starttls") return this.onStartTls();
    if (ns === NS.sasl && el.localName === "auth") return this.onSaslAuth(el);
    if (ns === NS.dialback && el.localName === "result") return void this.onDialbackResult(el);
    if (ns === NS.dialback && el.localName === "verify") return this.onDialbackVerify(el);
    if (el.name === "message" || el.name === "presence" || el.name === "iq") return this.onContentStanza(el);
    this.conn.trace("xmpp.error", `ignored <${el.name}> from the initiating server`, ["XMPP-3"]);
  }

  private onStartTls(): void {
    if (this.conn.secure || this.settings.tls === "NotSupported") {
      this.conn.send(xml("failure", { xmlns: NS.tls }));
      return this.conn.fail("policy-violation", "TlsNegotiation is NotSupported for this partner", ["XMPP-2"]);
    }
    this.conn.parser.restart();
    this.conn.send(xml("proceed", { xmlns: NS.tls }));
    // The restart takes effect when the current push() returns: then the count of bytes sent after <starttls/> is known.
    queueMicrotask(() => {
      if (this.conn.parser.discardedOnRestart > 0) {
        this.conn.trace("xmpp.refused", `${this.conn.parser.discardedOnRestart} plaintext bytes after <starttls/>: STARTTLS injection, connection dropped`, ["XMPP-3"]);
        this.conn.destroy();
        return;
      }
      this.conn.upgradeServer(this.ctx.options.identity).catch(() => undefined);
    });
  }

  private onSaslAuth(el: XmlElement): void {
    const from = this.decision?.allowed ? this.lastFrom : undefined;
    if (el.attr("mechanism") !== "EXTERNAL" || !from) {
      this.conn.send(xml("failure", { xmlns: NS.sasl }, xml("invalid-mechanism")));
      return;
    }
    const authzid = Buffer.from(el.getText().trim(), "base64").toString("utf8");
    const refusal = checkInboundAuth(this.settings, "sasl", this.certState(from)) ??
      (authzid && authzid !== "=" && authzid.toLowerCase() !== from ? { condition: "not-authorized" as const, rule: "XMPP-3", reason: `SASL authzid ${authzid} is not the stream's ${from}` } : undefined);
    if (refusal) {
      this.conn.send(xml("failure", { xmlns: NS.sasl }, xml("not-authorized")));
      if (refusal.condition === "policy-violation") return this.refuse(refusal);
      this.conn.trace("xmpp.refused", `SASL EXTERNAL for ${from} refused: ${refusal.reason}`, [refusal.rule]);
      return;
    }
    this.conn.parser.restart();
    this.conn.send(xml("success", { xmlns: NS.sasl }));
    this.markAuthenticated(from, "sasl");
  }

  private markAuthenticated(domain: string, method: "sasl" | "dialback"): void {
    const verifiable = this.decision?.allowed ? this.decision.verifiable : false;
    this.authenticated.set(domain, { domain, method, verifiable });
    this.conn.trace("xmpp.stream", `${domain} authenticated by ${method === "sasl" ? "SASL EXTERNAL (XEP-0178)" : "dialback (XEP-0220)"}${this.conn.secure ? " over TLS" : ""}`, ["XMPP-3"]);
  }

  private async onDialbackResult(el: XmlElement): Promise<void> {
    const from = el.attr("from")?.toLowerCase();
    const to = el.attr("to")?.toLowerCase();
    const key = el.getText().trim();
    if (!from || !to || !key) return this.conn.fail("invalid-xml", "db:result without from, to or key", ["XMPP-3"]);
    if (!this.ctx.isLocal(to)) return this.conn.fail("host-unknown", `this server does not serve '${to}'`, ["XMPP-1"]);
    const d = this.decision && this.lastFrom === from ? this.decision : this.ctx.options.decide(from);
    if (!d.allowed) return this.conn.fail(d.condition, d.detail, d.rules);
    this.decision = d;
    this.lastFrom = from;
    const refusal = checkInboundAuth(d.settings, "dialback", this.certState(from));
    if (refusal) return this.refuse(refusal);
    const verdict = await this.ctx.verifyKey(to, from, this.streamId, key);
    if (this.conn.closed) return;
    if (verdict === "valid") {
      this.conn.send(xml("db:result", { "xmlns:db": NS.dialback, from: to, to: from, type: "valid" }));
      return this.markAuthenticated(from, "dialback");
    }
    if (verdict === "invalid") {
      this.conn.send(xml("db:result", { "xmlns:db": NS.dialback, from: to, to: from, type: "invalid" }));
      return this.conn.fail("not-authorized", `the authoritative server of ${from} says the dialback key is invalid`, ["XMPP-3"]);
    }
    this.conn.send(xml("db:result", { "xmlns:db": NS.dialback, from: to, to: from, type: "error" }, xml("error", { type: "cancel" }, xml("remote-server-not-found", { xmlns: NS.stanzas }))));
    this.conn.fail("remote-connection-failed", `remote-server-not-found: could not reach the authoritative server of ${from} (_xmpp-server._tcp.${from})`, ["XMPP-3", "DNS-3"]);
  }

  /** As authoritative server (XEP-0220 2.4): the key is ours iff it recomputes from the shared secret. */
  private onDialbackVerify(el: XmlElement): void {
    const receiving = el.attr("from")?.toLowerCase() ?? "";
    const originating = el.attr("to")?.toLowerCase() ?? "";
    const id = el.attr("id") ?? "";
    const ok = this.ctx.isLocal(originating) && dialbackKeyMatches(this.ctx.options.dialbackSecret, receiving, originating, id, el.getText());
    this.conn.send(xml("db:verify", { "xmlns:db": NS.dialback, from: originating, to: receiving, id, type: ok ? "valid" : "invalid" }));
    this.conn.trace("xmpp.stream", `db:verify from ${receiving} for ${originating}: ${ok ? "valid" : "invalid"}`, ["XMPP-3"]);
  }

  private onContentStanza(el: XmlElement): void {
    const from = Jid.tryParse(el.attr("from") ?? "");
    const to = Jid.tryParse(el.attr("to") ?? "");
    const meta = from ? this.authenticated.get(from.domain) : undefined;
    if (!from || !meta) return this.conn.fail("not-authorized", `stanza from '${el.attr("from") ?? ""}', a domain not authenticated on this stream`, ["XMPP-3"]);
    if (!to || !this.ctx.isLocal(to.domain)) {
      const reply = buildStanzaErrorReply(el, "item-not-found", { text: `this server does not serve '${el.attr("to") ?? ""}'` });
      if (reply) this.ctx.send(reply);
      return;
    }
    this.ctx.options.deliver(el, meta);
  }
}
