/**
 * A server-to-server XMPP node: listeners for incoming streams (inbound.ts), one
 * outgoing stream per (our domain, remote domain) pair (outbound.ts), dialback
 * verification both ways. Policy comes in through `decide` (XMPP-2 for the proxy)
 * and stanzas leave through `deliver`; the node knows nothing of SIP or users.
 * Stanzas that cannot be routed are bounced to their sender with a stanza error
 * (RFC 6120 8.3) rather than dropped. The listeners and dials go through the
 * node's ConnectionGate (PORT-5): a peer the firewalls drop is reset before a
 * byte, a dial they drop bounces its stanzas with the missing rule.
 */
import type { Server } from "node:net";
import { gatedListen, openGate } from "../../net/gate.ts";
import { assertLoopback } from "../../net/loopback.ts";
import { Jid } from "../../wire/xmpp/jid.ts";
import { buildStanzaErrorReply, type StanzaErrorCondition } from "../../wire/xmpp/stanza-error.ts";
import type { XmlElement } from "../../wire/xmpp/xml-element.ts";
import { XmppConnection } from "./connection.ts";
import { InboundStream } from "./inbound.ts";
import { OutboundStream, type VerifyAnswer } from "./outbound.ts";
import type { Refusal } from "./negotiation.ts";
import type { S2sNodeOptions } from "./s2s-types.ts";

const BOUNCE: Record<string, StanzaErrorCondition> = {
  "remote-connection-failed": "remote-server-timeout",
  "policy-violation": "not-allowed",
  "not-authorized": "not-authorized",
};

export class S2sNode {
  private readonly servers: Server[] = [];
  private readonly outbound = new Map<string, OutboundStream>();
  private readonly connections = new Set<XmppConnection>();
  private readonly verifyStreams = new Set<OutboundStream>();
  private readonly domains: Set<string>;

  constructor(readonly options: S2sNodeOptions) {
    this.domains = new Set(options.domains.map((d) => d.toLowerCase()));
  }

  isLocal(domain: string): boolean {
    return this.domains.has(domain.toLowerCase());
  }

  async listen(address: string, port: number): Promise<void> {
    assertLoopback(address, "listen for XMPP on");
    const server = await gatedListen({
      gate: this.options.gate ?? openGate,
      events: this.options.events,
      host: this.options.host,
      purpose: `XMPP s2s to ${[...this.domains].join(", ")}`,
      address,
      port,
      transport: "tcp",
      onConnection: (socket) => {
        const conn = new XmppConnection(socket, { host: this.options.host, events: this.options.events, direction: "in", parser: { maxStanzaBytes: this.options.maxStanzaBytes } });
        this.connections.add(conn);
        conn.on("closed", () => this.connections.delete(conn));
        new InboundStream(conn, {
          options: this.options,
          isLocal: (d) => this.isLocal(d),
          send: (s) => this.send(s),
          verifyKey: (receiving, originating, id, key) => this.verifyKey(receiving, originating, id, key),
        });
      },
    });
    this.servers.push(server);
  }

  /** Routes a stanza to its remote domain (the 'from' must be one of ours). */
  send(stanza: XmlElement): void {
    const from = Jid.tryParse(stanza.attr("from") ?? "");
    const to = Jid.tryParse(stanza.attr("to") ?? "");
    if (!from || !to || !this.isLocal(from.domain)) {
      this.options.events({ kind: "xmpp.refused", ts: Date.now(), host: this.options.host, rules: ["XMPP-3"], detail: `not routed: from '${stanza.attr("from") ?? ""}' to '${stanza.attr("to") ?? ""}' (from must be one of our domains)` });
      return;
    }
    if (this.isLocal(to.domain)) return this.options.deliver(stanza, { domain: from.domain, method: "sasl", verifiable: true });
    const key = `${from.domain}|${to.domain}`;
    let stream = this.outbound.get(key);
    if (!stream || stream.state === "failed") {
      const d = this.options.decide(to.domain);
      if (!d.allowed) return this.bounce([stanza], { condition: d.condition, rule: d.rules.join(", "), reason: d.detail });
      stream = new OutboundStream(this.options, from.domain, to.domain, d.settings, d.proxyFqdn, "route", (s, queued) => {
        if (this.outbound.get(key) === s) this.outbound.delete(key);
        if (queued.length) this.bounce(queued, s.failure ?? { condition: "remote-connection-failed", rule: "XMPP-3", reason: "stream failed" });
      });
      this.outbound.set(key, stream);
      void stream.start();
    }
    stream.send(stanza);
  }

  /** An outgoing stream to `remote` (waiting for its negotiation), for tests and the gateway's status. */
  async connectTo(local: string, remote: string): Promise<OutboundStream | undefined> {
    const stream = this.outbound.get(`${local}|${remote}`);
    await stream?.whenSettled();
    return stream;
  }

  /**
   * XEP-0220 2.3: the receiving server asks the originating domain's authoritative
   * server. On our authenticated outgoing stream to it if there is one (the style
   * Prosody uses), else on a connection opened for the purpose (ejabberd's style).
   */
  async verifyKey(receiving: string, originating: string, streamId: string, key: string): Promise<VerifyAnswer> {
    const timeoutMs = this.options.negotiationTimeoutMs ?? 8000;
    const existing = this.outbound.get(`${receiving}|${originating}`);
    if (existing?.state === "ready") return existing.verify(key, streamId, timeoutMs);
    const d = this.options.decide(originating);
    if (!d.allowed) return "invalid";
    const stream = new OutboundStream(this.options, receiving, originating, d.settings, d.proxyFqdn, "verify", () => this.verifyStreams.delete(stream));
    this.verifyStreams.add(stream);
    const answer = stream.verify(key, streamId, timeoutMs);
    void stream.start();
    const result = await answer;
    stream.close();
    this.verifyStreams.delete(stream);
    return result;
  }

  private bounce(stanzas: XmlElement[], why: Refusal): void {
    this.options.events({ kind: "xmpp.refused", ts: Date.now(), host: this.options.host, rules: why.rule.split(", "), detail: `${stanzas.length} stanza(s) bounced: ${why.condition}: ${why.reason}` });
    for (const s of stanzas) {
      const reply = buildStanzaErrorReply(s, why.stanzaCondition ?? BOUNCE[why.condition] ?? "service-unavailable", { text: `${why.rule}: ${why.reason}`.slice(0, 300) });
      const sender = Jid.tryParse(s.attr("from") ?? "");
      if (reply && sender) this.options.deliver(reply, { domain: Jid.tryParse(s.attr("to") ?? "")?.domain ?? "", method: "bounce", verifiable: true });
    }
  }

  /** Closes every stream, in and out, keeping the listeners: the next stanza negotiates afresh. */
  resetStreams(): void {
    for (const s of this.outbound.values()) s.close();
    for (const s of this.verifyStreams) s.close();
    for (const c of this.connections) c.close();
    this.outbound.clear();
  }

  async stop(): Promise<void> {
    for (const s of this.outbound.values()) s.close();
    for (const s of this.verifyStreams) s.close();
    for (const c of this.connections) c.close();
    this.outbound.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const c of this.connections) c.destroy();
    this.servers.length = 0;
  }
}
