/**
 * One outgoing server-to-server stream (RFC 6120 4-6): we are the originating
 * server. Found by DNS-3 SRV, then STARTTLS, SASL EXTERNAL (XEP-0178) or dialback
 * (XEP-0220) as the partner's XMPP-2 entry allows (negotiation.ts). In "route"
 * mode it carries our stanzas once authenticated; in "verify" mode it only asks
 * the remote authoritative server about one dialback key (the separate-connection
 * style) and closes. db:verify replies are matched on from/to and, when present,
 * id: ejabberd's valid replies carry neither key text nor id. The dial goes
 * through the node's gate (PORT-5): when a firewall drops it, the stream fails
 * with a PORT-5 refusal naming the firewall and the missing rule, so the queued
 * stanzas bounce to their senders with that text instead of vanishing.
 */
import { XmppConnection } from "./connection.ts";
import { dialFirst, xmppTargets, XmppDialError } from "./dial.ts";
import { nextOutboundStep, type OfferedFeatures, type Refusal, type S2sSettings } from "./negotiation.ts";
import { dialbackKey } from "./dialback-key.ts";
import { NS } from "../../wire/xmpp/namespaces.ts";
import { xml, type XmlElement } from "../../wire/xmpp/xml-element.ts";
import type { S2sNodeOptions } from "./s2s-types.ts";

export type VerifyAnswer = "valid" | "invalid" | "error";

interface PendingVerify {
  from: string;
  to: string;
  id: string;
  resolve: (answer: VerifyAnswer) => void;
}

export class OutboundStream {
  state: "connecting" | "ready" | "failed" = "connecting";
  failure: Refusal | undefined;
  conn: XmppConnection | undefined;
  private readonly queue: XmlElement[] = [];
  private readonly verifies: PendingVerify[] = [];
  private streamId = "";
  private peerDeclaresDialback = false;
  private saslFailed = false;
  private lastOffered: OfferedFeatures | undefined;
  private readonly done: Promise<void>;
  private settle!: () => void;

  constructor(
    private readonly options: S2sNodeOptions,
    readonly local: string,
    readonly remote: string,
    private readonly settings: S2sSettings,
    private readonly proxyFqdn: string | undefined,
    private readonly mode: "route" | "verify",
    private readonly onFailed: (stream: OutboundStream, queued: XmlElement[]) => void,
  ) {
    this.done = new Promise((r) => (this.settle = r));
  }

  /** Resolves when the stream is ready or has failed. */
  whenSettled(): Promise<void> {
    return this.done;
  }

  async start(): Promise<void> {
    const timeoutMs = this.options.negotiationTimeoutMs ?? 8000;
    const timer = setTimeout(() => this.fail({ condition: "remote-connection-failed", rule: "XMPP-3", reason: `no authenticated stream to ${this.remote} within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    void this.done.then(() => clearTimeout(timer));
    try {
      const targets = await xmppTargets(this.options.resolver, this.remote, this.proxyFqdn, this.options.fallbackPort ?? 5269);
      const gated = this.options.gate ? { gate: this.options.gate, events: this.options.events, host: this.options.host, purpose: `XMPP s2s ${this.mode === "verify" ? "dialback verify " : ""}${this.local} -> ${this.remote}` } : undefined;
      const { socket } = await dialFirst(this.options.resolver, targets, this.options.localAddress, timeoutMs, gated);
      if (this.state === "failed") return void socket.destroy();
      const conn = new XmppConnection(socket, { host: this.options.host, events: this.options.events, direction: "out", parser: { maxStanzaBytes: this.options.maxStanzaBytes } });
      this.conn = conn;
      conn.on("streamStart", (attrs) => this.onStreamStart(attrs));
      conn.on("stanza", (el) => this.onStanza(el));
      conn.on("closed", () => this.fail({ condition: "remote-connection-failed", rule: "XMPP-3", reason: `the stream to ${this.remote} closed` }));
      conn.trace("xmpp.stream", `outgoing ${this.mode} stream ${this.local} -> ${this.remote} via ${targets[0]?.via ?? "?"}`, ["XMPP-1", "DNS-3"]);
      this.openStream();
    } catch (err) {
      this.fail(dialRefusal(err, this.remote));
    }
  }

  send(stanza: XmlElement): void {
    const s = stanza.attr("xmlns") === NS.server ? stanza : stanza.withAttrs({ xmlns: NS.server });
    if (this.state === "ready" && this.conn) this.conn.send(s);
    else if (this.state === "connecting") this.queue.push(s);
    else this.onFailed(this, [s]);
  }

  /** XEP-0220 2.3: asks the remote authoritative server; on this stream (Prosody style) or as the verify connection. */
  verify(key: string, id: string, timeoutMs: number): Promise<VerifyAnswer> {
    return new Promise((resolve) => {
      const pending: PendingVerify = { from: this.local, to: this.remote, id, resolve: () => undefined };
      const timer = setTimeout(() => finish("error"), timeoutMs);
      timer.unref();
      const finish = (a: VerifyAnswer) => {
        clearTimeout(timer);
        const i = this.verifies.indexOf(pending);
        if (i >= 0) this.verifies.splice(i, 1);
        resolve(a);
      };
      pending.resolve = finish;
      this.verifies.push(pending);
      const element = xml("db:verify", { "xmlns:db": NS.dialback, from: this.local, to: this.remote, id }, key);
      if (this.mode === "route") this.conn?.send(element);
      else this.queue.push(element);
    });
  }

  close(): void {
    this.conn?.close();
  }

  private openStream(): void {
    this.conn?.openStream({ from: this.local, to: this.remote, dialback: true });
  }

  private onStreamStart(attrs: Readonly<Record<string, string>>): void {
    this.streamId = attrs.id ?? "";
    this.peerDeclaresDialback = attrs["xmlns:db"] === NS.dialback;
    // A pre-RFC 3920 peer (no version) sends no features: dialback straight away.
    if (attrs.version === undefined) this.act({ starttls: false, starttlsRequired: false, external: false, dialback: this.peerDeclaresDialback });
  }

  private onStanza(el: XmlElement): void {
    const ns = el.getNamespace() ?? el.attr("xmlns");
    if (el.name === "stream:features" || (el.localName === "features" && ns === NS.streams)) return this.onFeatures(el);
    if (ns === NS.tls && el.localName === "proceed") return this.onProceed();
    if (ns === NS.tls && el.localName === "failure") return this.fail({ condition: "policy-violation", rule: "XMPP-3", reason: `${this.remote} refused STARTTLS` });
    if (ns === NS.sasl && el.localName === "success") {
      this.conn?.parser.restart();
      this.saslAuthenticated = true;
      return this.openStream();
    }
    if (ns === NS.sasl && el.localName === "failure") {
      this.saslFailed = true;
      this.conn?.trace("xmpp.refused", `${this.remote} refused our SASL EXTERNAL`, ["XMPP-3"]);
      return this.act(this.lastOffered ?? { starttls: false, starttlsRequired: false, external: false, dialback: this.peerDeclaresDialback });
    }
    if (ns === NS.dialback && el.localName === "result") return this.onDialbackResult(el);
    if (ns === NS.dialback && el.localName === "verify") return this.onVerifyReply(el);
    if (el.localName === "error" && ns === NS.streams) return this.fail({ condition: "remote-connection-failed", rule: "XMPP-3", reason: `${this.remote} sent a stream error: ${el.getChildElements().map((c) => c.name).join(", ")}` });
    this.conn?.trace("xmpp.error", `ignored <${el.name}> on an outgoing stream`, ["XMPP-3"]);
  }

  private saslAuthenticated = false;

  private onFeatures(el: XmlElement): void {
    const tls = el.getChild("starttls", NS.tls);
    const mechs = el.getChild("mechanisms", NS.sasl)?.getChildren("mechanism").map((m) => m.getText().trim()) ?? [];
    const offered: OfferedFeatures = {
      starttls: tls !== undefined,
      starttlsRequired: tls?.getChild("required") !== undefined,
      external: mechs.includes("EXTERNAL"),
      dialback: el.getChild("dialback", NS.dialbackFeature) !== undefined || this.peerDeclaresDialback,
    };
    this.lastOffered = offered;
    if (this.saslAuthenticated) return this.ready("SASL EXTERNAL (XEP-0178)");
    this.act(offered);
  }

  private act(offered: OfferedFeatures): void {
    const secure = this.conn?.secure ?? false;
    if (this.mode === "verify") {
      // The verify connection only needs TLS when the partner's policy wants it; then it asks.
      if (!secure && offered.starttls && this.settings.tls !== "NotSupported") return void this.conn?.send(xml("starttls", { xmlns: NS.tls }));
      if (!secure && (this.settings.tls === "Required" || offered.starttlsRequired)) return this.fail({ condition: "policy-violation", rule: "XMPP-2", reason: "TLS is required on one side and impossible on the other" });
      this.state = "ready";
      for (const q of this.queue.splice(0)) this.conn?.send(q);
      return;
    }
    const step = nextOutboundStep(this.settings, offered, { secure, saslFailed: this.saslFailed });
    if (step.kind === "starttls") return void this.conn?.send(xml("starttls", { xmlns: NS.tls }));
    if (step.kind === "sasl-external") return void this.conn?.send(xml("auth", { xmlns: NS.sasl, mechanism: "EXTERNAL" }, Buffer.from(this.local).toString("base64")));
    if (step.kind === "dialback") {
      const key = dialbackKey(this.options.dialbackSecret, this.remote, this.local, this.streamId);
      return void this.conn?.send(xml("db:result", { "xmlns:db": NS.dialback, from: this.local, to: this.remote }, key));
    }
    this.fail(step.refusal);
  }

  private onProceed(): void {
    const conn = this.conn;
    if (!conn) return;
    conn.parser.restart();
    conn.upgradeClient(this.options.identity, this.remote).then(
      () => this.openStream(),
      (err: Error) => this.fail({ condition: "remote-connection-failed", rule: "XMPP-3", reason: err.message }),
    );
  }

  private onDialbackResult(el: XmlElement): void {
    const type = el.attr("type");
    if (type === "valid") return this.ready("dialback (XEP-0220)");
    this.fail({ condition: "not-authorized", rule: "XMPP-3", reason: `${this.remote} answered our dialback key with type='${type ?? "(none)"}'${el.getChildElements().length ? `: ${el.getChildElements().map((c) => c.getChildElements().map((x) => x.name).join(",")).join(",")}` : ""}` });
  }

  private onVerifyReply(el: XmlElement): void {
    const from = el.attr("from")?.toLowerCase();
    const to = el.attr("to")?.toLowerCase();
    const id = el.attr("id");
    const hit = this.verifies.find((v) => v.from === to && v.to === from && (id === undefined || id === v.id));
    if (!hit) return void this.conn?.trace("xmpp.error", `unmatched db:verify reply from ${from ?? "?"} (id ${id ?? "none"})`, ["XMPP-3"]);
    hit.resolve(el.attr("type") === "valid" ? "valid" : el.attr("type") === "invalid" ? "invalid" : "error");
    if (this.mode === "verify" && this.verifies.length === 0) this.close();
  }

  private ready(how: string): void {
    if (this.state !== "connecting") return;
    this.state = "ready";
    this.conn?.trace("xmpp.stream", `${this.local} -> ${this.remote} authenticated by ${how}${this.conn.secure ? " over TLS" : ""}`, ["XMPP-3"]);
    for (const q of this.queue.splice(0)) this.conn?.send(q);
    this.settle();
  }

  private fail(refusal: Refusal): void {
    if (this.state === "failed") return;
    const wasReady = this.state === "ready";
    this.state = "failed";
    this.failure = refusal;
    for (const v of this.verifies.splice(0)) v.resolve("error");
    if (this.conn && !this.conn.closed) this.conn.fail(refusal.condition, refusal.reason, refusal.rule.split(", "));
    else if (!wasReady) this.options.events({ kind: "xmpp.refused", ts: Date.now(), host: this.options.host, rules: refusal.rule.split(", "), detail: `${this.local} -> ${this.remote}: ${refusal.condition}: ${refusal.reason}` });
    this.onFailed(this, this.queue.splice(0).filter((q) => q.name !== "db:verify"));
    this.settle();
  }
}

/**
 * Why the dial failed, as the stream's refusal. A firewall drop (PORT-5) names the
 * firewall and the missing rule first, so the bounce text (300 characters) keeps
 * them; what a real dropped SYN looks like to the sender is a timeout
 * (remote-server-timeout). Anything else: the server was not found (DNS-3).
 */
function dialRefusal(err: unknown, remote: string): Refusal {
  const fw = err instanceof XmppDialError ? err.firewall : undefined;
  if (fw) {
    const d = fw.decision;
    return {
      condition: "remote-connection-failed",
      stanzaCondition: "remote-server-timeout",
      rule: d.rules.length ? d.rules.join(", ") : "PORT-5",
      reason: `the ${d.firewall ?? "?"} firewall drops the connection to ${remote} (${fw.target.host}, ${fw.address}:${fw.target.port}): missing ${d.missing ?? "a rule"}`,
    };
  }
  return { condition: "remote-connection-failed", stanzaCondition: "remote-server-not-found", rule: "DNS-3", reason: (err as Error).message };
}
