/**
 * A minimal Web Conferencing Edge (seed 002: the role the balancer may SNAT beside
 * the Access Edge, HLB-1): TLS on 443 of the edge's own external Web Conferencing
 * address (PORT-2) and PSOM over mutual TLS on its internal address, port 8057, where
 * the front ends connect in (PORT-3, 002-int-node-psom-8057; psom-hub.ts). Each external
 * client is spliced to a data leg a front end opens on request; with no front end
 * connected, or none able to open a leg, the client gets an "ERROR ..." line saying why
 * and the refusal is traced (PORT-5 when a firewall is the cause). What the edge sees as
 * its peer is traced: behind an SNAT VIP that is the balancer, not the client.
 * Connections handed over by a no-NAT balancer enter through acceptTcp.
 */
import net from "node:net";
import tls from "node:tls";
import { assertLoopback } from "../../net/loopback.ts";
import type { WebconfEdgeOptions } from "./options.ts";
import { splice } from "./relay.ts";
import { PsomHub, type PsomRefusal } from "./psom-hub.ts";
import { isHealthProbe } from "../../net/health-probe.ts";
import { gatedListen, openGate } from "../../net/gate.ts";

export class WebconfEdge {
  private readonly server: tls.Server;
  private listener: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** The internal side, where the front ends' PSOM connections arrive (8057). */
  readonly psom: PsomHub;
  /** Clients spliced to a front end's data leg so far (for tests and scenarios). */
  relayed = 0;
  /** Clients refused (no front end, or no data leg) so far. */
  refused = 0;

  constructor(private readonly o: WebconfEdgeOptions) {
    this.psom = new PsomHub(o);
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
      await this.psom.start();
      this.listener = await gatedListen({
        gate: this.o.gate ?? openGate, events: this.o.events, host: this.o.host, address, port, transport: "tls",
        purpose: "Web Conferencing Edge (PSOM over TLS 443)", onConnection: (s) => this.server.emit("connection", s),
      });
    } catch (e) {
      await this.psom.stop();
      throw new Error(`Web Conferencing Edge ${this.o.host}: cannot listen on ${address}:${port} and ${this.psom.address}: ${(e as Error).message}`, { cause: e });
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
    c.on("close", () => this.sockets.delete(c));
    c.on("error", () => c.destroy());
    c.pause(); // nothing is read until a front end's data leg is there to take it
    const tuple = this.tupleOf(c);
    const client = `${tuple.srcAddress}:${tuple.srcPort}`;
    const note = (rules: string[], detail: string) => this.o.events({ kind: "note", ts: Date.now(), host: this.o.host, rules, tuple, detail: `Web Conferencing Edge: ${detail}` });
    this.psom.requestLeg(client).then(
      (leg) => {
        if (c.destroyed) return void leg.destroy();
        this.relayed++;
        note(["HLB-1", "PORT-3"], `TLS from ${client} (the peer this edge sees) spliced to front end data leg ${leg.remoteAddress}:${leg.remotePort} -> ${this.psom.address} (PSOM over mutual TLS, opened by the front end)`);
        splice(c, leg, (err) => err && note(["PORT-3"], err.message));
      },
      (err: PsomRefusal) => {
        this.refused++;
        note(err.rules, `refused ${client}: ${err.message}`);
        if (!c.destroyed) c.end(`ERROR ${err.message}\n`);
      },
    );
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await this.psom.stop();
    const l = this.listener;
    if (l) await new Promise<void>((r) => l.close(() => r()));
  }
}
