/**
 * A minimal Web Conferencing Edge (seed 002: the role the balancer may SNAT beside
 * the Access Edge, HLB-1): TLS on 443 of the edge's own external Web Conferencing
 * address, each connection relayed to the front end's PSOM port 8057 over mutual
 * TLS on the internal side. What the edge sees as its peer is traced: behind an
 * SNAT VIP that is the balancer, not the client. Connections handed over by a no-NAT
 * balancer enter through acceptTcp.
 */
import net from "node:net";
import tls from "node:tls";
import { assertLoopback } from "../../net/loopback.ts";
import type { WebconfEdgeOptions } from "./options.ts";
import { relayToPsom } from "./relay.ts";
import { isHealthProbe } from "../../net/health-probe.ts";
import { gatedListen, openGate } from "../../net/gate.ts";

export class WebconfEdge {
  private readonly server: tls.Server;
  private listener: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Connections relayed so far (for tests and scenarios). */
  relayed = 0;

  constructor(private readonly o: WebconfEdgeOptions) {
    this.server = tls.createServer({ cert: o.external.certPem, key: o.external.keyPem, minVersion: "TLSv1.2", handshakeTimeout: o.handshakeTimeoutMs ?? 5000 }, (c) => this.onClient(c));
    this.server.on("tlsClientError", (e, s) => {
      // A load balancer's TCP health probe, not a failed client: nothing to report.
      if (isHealthProbe(s)) return void s.destroy();
      this.o.events({ kind: "tls.handshake", ts: Date.now(), host: o.host, rules: [], ok: false, peerNames: [], peerEku: [], error: `Web Conferencing Edge: TLS from ${s.remoteAddress}:${s.remotePort} failed: ${e.message}`, tuple: this.tupleOf(s) });
      s.destroy();
    });
  }

  async start(): Promise<void> {
    const { address, port } = this.o.listen;
    assertLoopback(address, "bind the Web Conferencing Edge on");
    // The TLS server stays unlistened: the gated listener hands it each client the firewall allows (PORT-5).
    try {
      this.listener = await gatedListen({
        gate: this.o.gate ?? openGate, events: this.o.events, host: this.o.host, address, port, transport: "tls",
        purpose: "Web Conferencing Edge (PSOM over TLS 443)", onConnection: (s) => this.server.emit("connection", s),
      });
    } catch (e) {
      throw new Error(`Web Conferencing Edge ${this.o.host}: cannot listen on ${address}:${port}: ${(e as Error).message}`, { cause: e });
    }
    this.listener.maxConnections = this.o.maxConnections ?? 1024;
  }

  get port(): number {
    return (this.listener?.address() as net.AddressInfo).port;
  }

  /** A connection accepted by someone else (a no-NAT balancer, HLB-2): serve it as if accepted here. */
  acceptTcp(socket: net.Socket): void {
    this.server.emit("connection", socket);
  }

  private tupleOf(s: net.Socket) {
    return { transport: "tls" as const, srcAddress: s.remoteAddress ?? "?", srcPort: s.remotePort ?? 0, dstAddress: s.localAddress ?? "?", dstPort: s.localPort ?? 0 };
  }

  private onClient(c: tls.TLSSocket): void {
    this.sockets.add(c);
    const tuple = this.tupleOf(c);
    this.o.events({
      kind: "note", ts: Date.now(), host: this.o.host, rules: ["HLB-1", "PORT-3"], tuple,
      detail: `Web Conferencing Edge: TLS from ${tuple.srcAddress}:${tuple.srcPort} (the peer this edge sees) relayed to PSOM ${this.o.psom.fqdn} ${this.o.psom.address}:${this.o.psom.port} over mutual TLS`,
    });
    relayToPsom(c, this.o, (err) => {
      this.sockets.delete(c);
      if (err) this.o.events({ kind: "note", ts: Date.now(), host: this.o.host, rules: ["PORT-3"], tuple, detail: `Web Conferencing Edge: ${err.message}` });
    });
    this.relayed++;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const l = this.listener;
    if (l) await new Promise<void>((r) => l.close(() => r()));
  }
}
