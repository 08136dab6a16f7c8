/**
 * The front-end end of the internal XMPP link (XMPP-1, PORT-3): mutual TLS to an
 * Edge's internal address on TCP 23456 with the front end's certificate, then a
 * jabber:server stream carrying stanzas both ways. Reconnects (bounded backoff)
 * when the edge goes away, so a restarted edge is picked up again. The dial binds
 * the front end's own address and goes through the gate (PORT-5, seed 002 row
 * 002-int-node-xmpp-23456: front end -> edge internal interfaces); a drop is kept
 * as `lastFailure`, so the gateway's refusals say which rule is missing, and the
 * link keeps retrying (a restored rule brings it up).
 */
import type { TLSSocket } from "node:tls";
import { assertLoopback } from "../../../edge/net/loopback.ts";
import { FirewallDropError, gatedCreateConnection, openGate, type ConnectionGate } from "../../../edge/net/gate.ts";
import type { EventSink } from "../../../edge/events/types.ts";
import type { TlsIdentity } from "../../../edge/net/tls-identity.ts";
import type { XmlElement } from "../../../edge/wire/xmpp/xml-element.ts";
import { XmppConnection } from "../../../edge/roles/xmpp-proxy/connection.ts";
import { RetryTimer } from "../retry-timer.ts";

export interface GatewayLinkOptions {
  host: string;
  identity: TlsIdentity;
  /** The edge's internal address and name (its certificate must name it). */
  edge: { address: string; port: number; fqdn: string };
  /** Our name on the stream (the front-end pool FQDN). */
  from: string;
  events: EventSink;
  /** The front end's own address: the source the firewalls see (the internal zone). */
  localAddress: string;
  /** PORT-5: the firewalls between the front end and the edge. Default: none modelled. */
  gate?: ConnectionGate;
  onStanza(stanza: XmlElement): void;
}

export class GatewayLink {
  private conn: XmppConnection | undefined;
  private up = false;
  private readonly retry = new RetryTimer();
  private readyWaiters: (() => void)[] = [];
  /** Why the link is not up, when a dial failed (a firewall drop names PORT-5 and the missing rule). */
  lastFailure: string | undefined;

  constructor(private readonly options: GatewayLinkOptions) {}

  get ready(): boolean {
    return this.up;
  }

  start(): void {
    const { edge, identity } = this.options;
    assertLoopback(edge.address, "connect the XMPP gateway to");
    let socket: TLSSocket;
    try {
      socket = gatedCreateConnection(
        { gate: this.options.gate ?? openGate, events: this.options.events, host: this.options.host, purpose: `XMPP gateway link to ${edge.fqdn}`, localAddress: this.options.localAddress, address: edge.address, port: edge.port },
        { servername: edge.fqdn, cert: identity.certPem, key: identity.keyPem, ca: identity.caPem },
      ) as TLSSocket;
    } catch (err) {
      if (!(err instanceof FirewallDropError)) throw err;
      // The gate traced the drop (firewall.drop); the link says why it is down and retries.
      const d = err.decision;
      this.lastFailure = `${d.rules.join(", ")}: the ${d.firewall ?? "?"} firewall drops the XMPP gateway link to ${edge.fqdn} (${edge.address}:${edge.port}): missing ${d.missing ?? "a rule"}`;
      this.lost();
      return;
    }
    socket.once("secureConnect", () => {
      const conn = new XmppConnection(socket, { host: this.options.host, events: this.options.events, direction: "out" });
      conn.secure = true;
      this.conn = conn;
      conn.on("streamStart", () => {
        this.up = true;
        this.lastFailure = undefined;
        this.retry.succeeded();
        for (const w of this.readyWaiters.splice(0)) w();
      });
      conn.on("stanza", (el) => {
        if (el.localName === "features") return;
        this.options.onStanza(el);
      });
      conn.on("closed", () => this.lost());
      conn.openStream({ from: this.options.from, to: edge.fqdn });
    });
    socket.once("error", (err) => {
      this.lastFailure = `XMPP-1, PORT-3: the XMPP gateway link to ${edge.fqdn} failed: ${err.message}`;
      this.options.events({ kind: "tls.handshake", ts: Date.now(), host: this.options.host, rules: ["XMPP-1", "PORT-3"], ok: false, peerNames: [], peerEku: [], error: `XMPP gateway link to ${edge.fqdn}: ${err.message}` });
      this.lost();
    });
  }

  /** Resolves once the stream is up, or after `timeoutMs` (false). */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  send(stanza: XmlElement): boolean {
    if (!this.up || !this.conn) return false;
    this.conn.send(stanza);
    return true;
  }

  private lost(): void {
    this.up = false;
    this.conn = undefined;
    this.retry.schedule(() => this.start());
  }

  stop(): void {
    this.retry.stop();
    this.conn?.close();
  }
}
