/**
 * The edge end of the internal XMPP link (XMPP-1, PORT-3): mutual TLS on TCP 23456
 * on the edge's internal address, from the front end's XMPP gateway. The gateway
 * opens a jabber:server stream; stanzas flow both ways on it. Only a client whose
 * certificate chains to our CA and names a front end is accepted (CERT-2 style).
 * The TCP listener goes through the gate (PORT-5, seed 002 row
 * 002-int-node-xmpp-23456: front end -> edge internal interfaces): a peer the
 * internal firewall drops is reset before the handshake.
 */
import type { Server as NetServer, Socket } from "node:net";
import { createServer, type TLSSocket } from "node:tls";
import { randomBytes } from "node:crypto";
import { assertLoopback } from "../../net/loopback.ts";
import type { EventSink } from "../../events/types.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import type { XmlElement } from "../../wire/xmpp/xml-element.ts";
import { xml } from "../../wire/xmpp/xml-element.ts";
import { XmppConnection } from "./connection.ts";
import { certificateNames, peerCertificateInfo } from "./peer-cert.ts";
import { isHealthProbe } from "../../net/health-probe.ts";
import { gatedListen, openGate, type ConnectionGate } from "../../net/gate.ts";

export interface InternalLinkOptions {
  host: string;
  identity: TlsIdentity;
  /** The names a gateway certificate may carry (the front-end pool and its servers). */
  gatewayNames: string[];
  events: EventSink;
  /** PORT-5: the firewalls between the front end and this edge. Default: none modelled. */
  gate?: ConnectionGate;
  /** A stanza from the gateway, to route outwards. */
  onStanza(stanza: XmlElement): void;
}

export class InternalLinkServer {
  private readonly servers: NetServer[] = [];
  private readonly raw = new Set<Socket>();
  private readonly links: XmppConnection[] = [];
  private next = 0;

  constructor(private readonly options: InternalLinkOptions) {}

  get connected(): number {
    return this.links.length;
  }

  async listen(address: string, port: number): Promise<void> {
    assertLoopback(address, "listen for the XMPP gateway on");
    const id = this.options.identity;
    const server = createServer({ cert: id.certPem, key: id.keyPem, ca: id.caPem, requestCert: true, rejectUnauthorized: true }, (socket) => this.accept(socket));
    server.on("tlsClientError", (err, socket) =>
      isHealthProbe(socket) ? undefined : this.options.events({ kind: "tls.handshake", ts: Date.now(), host: this.options.host, rules: ["XMPP-1", "PORT-3"], ok: false, peerNames: [], peerEku: [], error: err.message, tuple: { transport: "tls", srcAddress: socket.remoteAddress ?? "", srcPort: socket.remotePort ?? 0, dstAddress: address, dstPort: port } }),
    );
    // The TLS server is never listened itself: the gated TCP listener hands it the sockets the firewall lets in.
    const listener = await gatedListen({
      gate: this.options.gate ?? openGate,
      events: this.options.events,
      host: this.options.host,
      purpose: "XMPP gateway link (mutual TLS)",
      address,
      port,
      transport: "tls",
      onConnection: (s) => {
        this.raw.add(s);
        s.on("close", () => this.raw.delete(s));
        server.emit("connection", s);
      },
    });
    this.servers.push(listener);
  }

  /** Hands a stanza to a connected gateway; false when none is connected. */
  deliver(stanza: XmlElement): boolean {
    if (this.links.length === 0) return false;
    const link = this.links[this.next++ % this.links.length]!;
    link.send(stanza);
    return true;
  }

  private accept(socket: TLSSocket): void {
    const conn = new XmppConnection(socket, { host: this.options.host, events: this.options.events, direction: "in" });
    conn.secure = true;
    conn.peer = peerCertificateInfo(socket.getPeerX509Certificate(), socket.authorized, undefined);
    const named = this.options.gatewayNames.some((n) => certificateNames(conn.peer, n));
    conn.on("streamStart", (attrs) => {
      if (!named) return conn.fail("not-authorized", `the internal XMPP link accepts only the front end (${this.options.gatewayNames.join(", ")}); certificate names ${conn.peer?.names.join(", ") ?? "nothing"}`, ["XMPP-1", "PORT-3"]);
      conn.openStream({ from: attrs.to, to: attrs.from, id: randomBytes(8).toString("hex") });
      conn.send(xml("stream:features"));
      this.links.push(conn);
      conn.trace("xmpp.stream", `XMPP gateway link from ${attrs.from ?? "?"} up (mutual TLS)`, ["XMPP-1", "PORT-3"]);
    });
    conn.on("stanza", (el) => this.options.onStanza(el));
    conn.on("closed", () => {
      const i = this.links.indexOf(conn);
      if (i >= 0) this.links.splice(i, 1);
    });
  }

  async stop(): Promise<void> {
    for (const l of [...this.links]) l.close();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const l of [...this.links]) l.destroy();
    for (const s of this.raw) s.destroy();
    this.servers.length = 0;
  }
}
