/**
 * The front end's PSOM link to one Web Conferencing Edge (PORT-3: PSOM MTLS TCP 8057,
 * seed 002 row 002-int-node-psom-8057: front end -> the edge's internal interface). It
 * keeps a control connection open ("CONTROL <fe>", edge/roles/webconf-edge/psom-protocol.ts);
 * when the edge asks for a data leg ("OPEN <id>") it dials a new connection, starts it with
 * "LEG <id>" and hands it to the conference service (server.ts); a leg it cannot open is
 * answered "FAIL <id> <why>", so the edge can refuse the client with the reason (a
 * firewall drop names the missing rule, PORT-5). Every dial leaves from the front end's
 * planned address through the gate. Reconnects with bounded backoff when the edge goes.
 */
import type tls from "node:tls";
import { gatedTlsConnect, openGate, type ConnectionGate } from "../../../edge/net/gate.ts";
import { eachLine, formatPsomLine, parsePsomLine } from "../../../edge/roles/webconf-edge/index.ts";
import type { PsomServer } from "./server.ts";
import { RetryTimer } from "../retry-timer.ts";

export interface PsomEdgeLinkOptions {
  /** The front end's conference service: its host, address, identity and events. */
  psom: PsomServer;
  /** The edge's internal interface: its name (on its certificate), address and PSOM port. */
  edge: { host: string; fqdn: string; address: string; port: number };
  /** The internal firewall (PORT-5); default openGate. */
  gate?: ConnectionGate;
}

export class PsomEdgeLink {
  private control: tls.TLSSocket | undefined;
  private up = false;
  private readonly retry = new RetryTimer();
  private waiters: (() => void)[] = [];
  private lastProblem = "";
  /** Data legs opened so far. */
  legs = 0;

  constructor(private readonly o: PsomEdgeLinkOptions) {}

  get ready(): boolean {
    return this.up;
  }

  get edge(): string {
    return this.o.edge.host;
  }

  start(): void {
    const fe = this.o.psom.o.host;
    this.dial("PSOM control link").then(
      (s) => {
        if (this.retry.stopped) return void s.destroy();
        this.control = s;
        s.on("error", (e) => this.lost(`control link: ${e.message}`));
        s.on("close", () => this.lost("control link closed"));
        eachLine(s, (line) => {
          const m = parsePsomLine(line);
          if (m?.verb === "READY") this.ready_();
          else if (m?.verb === "OPEN") this.openLeg(m.id, m.client);
        });
        s.write(formatPsomLine({ verb: "CONTROL", name: fe }));
      },
      (e: Error) => this.lost(e.message),
    );
  }

  /** Resolves true once the edge said READY, false after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => (clearTimeout(t), resolve(true)));
    });
  }

  /** Dial again now instead of waiting out the backoff (the edge has just started). */
  retryNow(): void {
    if (this.up) return;
    this.retry.fireNow(() => this.start());
  }

  private dial(purpose: string): Promise<tls.TLSSocket> {
    const { psom, edge } = this.o;
    const id = psom.o.identity;
    return gatedTlsConnect(
      { gate: this.o.gate ?? openGate, events: psom.o.events, host: psom.o.host, purpose, localAddress: psom.o.address, address: edge.address, port: edge.port },
      { servername: edge.fqdn, cert: id.certPem, key: id.keyPem, ca: id.caPem, minVersion: "TLSv1.2" },
    );
  }

  private ready_(): void {
    this.up = true;
    this.retry.succeeded();
    this.lastProblem = "";
    this.note(`PSOM control link to ${this.o.edge.fqdn} ${this.o.edge.address}:${this.o.edge.port} is up (front end -> edge, 002-int-node-psom-8057)`);
    for (const w of this.waiters.splice(0)) w();
  }

  private openLeg(id: string, client: string): void {
    this.dial(`PSOM data leg for ${client}`).then(
      (leg) => {
        this.legs++;
        leg.write(formatPsomLine({ verb: "LEG", id }));
        this.o.psom.attach(leg);
      },
      (e: Error) => {
        this.note(`PSOM data leg ${id} to ${this.o.edge.fqdn} for ${client} could not be opened: ${e.message}`);
        this.control?.write(formatPsomLine({ verb: "FAIL", id, why: e.message }));
      },
    );
  }

  private lost(why: string): void {
    this.up = false;
    this.control?.destroy();
    this.control = undefined;
    if (this.retry.stopped || this.retry.pending) return;
    // One note per new problem, not per retry: a stopped edge is retried every 2 s for as long as it is down.
    if (why !== this.lastProblem) this.note(`PSOM link to ${this.o.edge.fqdn} ${this.o.edge.address}:${this.o.edge.port} down, retrying: ${why}`);
    this.lastProblem = why;
    this.retry.schedule(() => this.start());
  }

  private note(detail: string): void {
    this.o.psom.o.events({ kind: "note", ts: Date.now(), host: this.o.psom.o.host, rules: ["PORT-3"], detail });
  }

  stop(): void {
    this.retry.stop();
    this.control?.destroy();
  }
}
