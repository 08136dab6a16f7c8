/**
 * One XMPP connection (RFC 6120 4): a TCP socket, later wrapped in TLS after
 * STARTTLS (5.4.3.3), with the strict stream parser of edge/wire/xmpp. Writes are
 * coalesced per event-loop turn (one TLS record for a burst of stanzas instead of
 * one per stanza). A parser error is answered with its stream error and the
 * connection is closed (RFC 6120 4.9.1.1); nothing more from that stream is emitted.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { TLSSocket, connect as tlsConnect, createSecureContext } from "node:tls";
import type { X509Certificate } from "node:crypto";
import type { EventSink, FiveTuple } from "../../events/types.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import { XmppStreamParser, type XmppStreamParserOptions } from "../../wire/xmpp/stream-parser.ts";
import type { XmlElement } from "../../wire/xmpp/xml-element.ts";
import { serialize, streamHeader, XML_DECLARATION, STREAM_CLOSE, type StreamHeaderOptions } from "../../wire/xmpp/xml-serialize.ts";
import { buildStreamError, type StreamErrorCondition } from "../../wire/xmpp/stream-error.ts";
import { peerCertificateInfo, type PeerCertificateInfo } from "./peer-cert.ts";

export interface ConnectionEvents {
  streamStart: [attrs: Readonly<Record<string, string>>];
  stanza: [element: XmlElement];
  streamEnd: [];
  closed: [];
}

export interface ConnectionOptions {
  /** The simulated host that owns this end (for events). */
  host: string;
  events: EventSink;
  parser?: XmppStreamParserOptions;
  /** "in": we accepted it (we send the header second); "out": we dialled it. */
  direction: "in" | "out";
}

export class XmppConnection extends EventEmitter<ConnectionEvents> {
  socket: Socket;
  readonly parser: XmppStreamParser;
  readonly host: string;
  readonly direction: "in" | "out";
  secure = false;
  /** The peer's certificate after TLS, with whether it chains to a CA we trust. */
  peer: PeerCertificateInfo | undefined;
  private readonly events: EventSink;
  private headerSent = false;
  private closedFlag = false;
  private out: string[] = [];
  private flushScheduled = false;
  private readonly onData = (chunk: Buffer) => this.parser.push(chunk);

  constructor(socket: Socket, options: ConnectionOptions) {
    super();
    this.socket = socket;
    this.host = options.host;
    this.direction = options.direction;
    this.events = options.events;
    this.parser = new XmppStreamParser(options.parser);
    socket.setNoDelay(true);
    this.parser.on("streamStart", (attrs) => this.emit("streamStart", attrs));
    this.parser.on("stanza", (el) => this.emit("stanza", el));
    this.parser.on("streamEnd", () => {
      this.emit("streamEnd");
      this.close();
    });
    this.parser.on("error", (err) => {
      this.trace("xmpp.error", `${err.reason} at ${err.where}`, ["XMPP-3"]);
      this.fail(String(err.wireCode) as StreamErrorCondition, err.reason, ["XMPP-3"]);
    });
    this.attach(socket);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  tuple(): FiveTuple {
    const s = this.socket;
    return { transport: this.secure ? "tls" : "tcp", srcAddress: s.remoteAddress ?? "", srcPort: s.remotePort ?? 0, dstAddress: s.localAddress ?? "", dstPort: s.localPort ?? 0 };
  }

  trace(kind: "xmpp.stream" | "xmpp.stanza" | "xmpp.refused" | "xmpp.error", detail: string, rules: string[]): void {
    this.events({ kind, ts: Date.now(), host: this.host, tuple: this.tuple(), rules, detail });
  }

  /** Sends the XML declaration and our stream header (RFC 6120 4.7). */
  openStream(header: StreamHeaderOptions): void {
    this.headerSent = true;
    this.write(XML_DECLARATION + streamHeader(header));
  }

  send(element: XmlElement): void {
    this.write(serialize(element));
  }

  write(text: string): void {
    if (this.closedFlag) return;
    this.out.push(text);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is queued now (before a TLS upgrade, or before closing). */
  flush(): void {
    this.flushScheduled = false;
    if (this.out.length === 0 || this.socket.destroyed) return;
    const text = this.out.length === 1 ? this.out[0]! : this.out.join("");
    this.out = [];
    this.socket.write(text);
  }

  /**
   * Refuses the stream: <stream:error> with `condition`, then closes (RFC 6120 4.9.1.1).
   * Before our header, a header is sent first (4.9.1.2). Traced with the rules that decided it.
   */
  fail(condition: StreamErrorCondition, text: string, rules: string[], header: StreamHeaderOptions = {}): void {
    if (this.closedFlag) return;
    this.trace("xmpp.refused", `stream error ${condition}: ${text}`, rules);
    // RFC 6120 4.7.3: the receiving entity's header carries an id (Prosody drops a header without one
    // and would report a timeout instead of this error), and 4.9.1.1: version 1.0 so the error is understood.
    if (!this.headerSent) this.openStream({ dialback: true, id: randomBytes(12).toString("hex"), version: "1.0", ...header });
    this.send(buildStreamError(condition, { text: `${rules.join(", ")}: ${text}`.slice(0, 400) }));
    this.close();
  }

  /** Ends our stream and the connection. */
  close(): void {
    if (this.closedFlag) return;
    if (this.headerSent) this.write(STREAM_CLOSE);
    this.flush();
    this.closedFlag = true;
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    timer.unref();
    this.emit("closed");
  }

  /** Drops the connection without a closing tag (the peer vanished, or a timeout). */
  destroy(): void {
    if (!this.closedFlag) {
      this.closedFlag = true;
      this.emit("closed");
    }
    this.socket.destroy();
  }

  /** Server side of STARTTLS after <proceed/> (RFC 6120 5.4.3.3): asks for the peer's certificate, checks it ourselves. */
  upgradeServer(identity: TlsIdentity): Promise<void> {
    this.flush();
    const raw = this.detach();
    this.caPem = identity.caPem;
    const secureContext = createSecureContext({ cert: identity.certPem, key: identity.keyPem, ca: identity.caPem });
    const tls = new TLSSocket(raw, { isServer: true, secureContext, requestCert: true, rejectUnauthorized: false });
    return this.finishUpgrade(tls, "secure", undefined);
  }

  /** Client side of STARTTLS after <proceed/>: presents our certificate, checks the server's against `expectName`. */
  upgradeClient(identity: TlsIdentity, expectName: string): Promise<void> {
    this.flush();
    const raw = this.detach();
    this.caPem = identity.caPem;
    const tls = tlsConnect({ socket: raw, servername: expectName, cert: identity.certPem, key: identity.keyPem, ca: identity.caPem, rejectUnauthorized: false, checkServerIdentity: () => undefined });
    return this.finishUpgrade(tls, "secureConnect", expectName);
  }

  private caPem: string | undefined;

  private finishUpgrade(tls: TLSSocket, readyEvent: "secure" | "secureConnect", expectName: string | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        this.secure = true;
        this.events({ kind: "tls.handshake", ts: Date.now(), host: this.host, tuple: this.tuple(), rules: ["XMPP-3"], ok: false, peerNames: [], peerEku: [], error: err.message });
        this.destroy();
        reject(new Error(`XMPP STARTTLS handshake on ${this.host} failed: ${err.message}`));
      };
      tls.once("error", onError);
      tls.once(readyEvent, () => {
        tls.off("error", onError);
        this.socket = tls;
        this.secure = true;
        const cert: X509Certificate | undefined = tls.getPeerX509Certificate();
        this.peer = peerCertificateInfo(cert, tls.authorized, tls.authorizationError ? String(tls.authorizationError) : undefined, this.caPem);
        this.events({
          kind: "tls.handshake", ts: Date.now(), host: this.host, tuple: this.tuple(), rules: ["XMPP-3"],
          ok: true, peerNames: this.peer.names, peerEku: this.peer.eku,
          ...(this.peer.trusted ? {} : { error: this.peer.error ?? "the peer presented no certificate" }),
          ...(expectName && !this.peer.names.includes(expectName) ? { error: `certificate does not name ${expectName}` } : {}),
        });
        this.headerSent = false;
        this.attach(tls);
        resolve();
      });
    });
  }

  private attach(socket: Socket): void {
    socket.on("data", this.onData);
    socket.on("error", () => this.destroy());
    socket.on("close", () => {
      if (socket === this.socket) this.destroy();
    });
  }

  private detach(): Socket {
    const raw = this.socket;
    raw.off("data", this.onData);
    raw.removeAllListeners("close");
    raw.removeAllListeners("error");
    return raw;
  }
}
