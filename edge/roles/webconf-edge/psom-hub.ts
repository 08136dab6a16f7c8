/**
 * The Web Conferencing Edge's internal side (PORT-3: PSOM MTLS TCP 8057, seed 002 row
 * 002-int-node-psom-8057): it LISTENS on the edge's internal address and the front
 * ends connect to it, never the reverse. Each front end keeps one control connection
 * open; when an external client arrives on 443 the edge asks the oldest control
 * connection for a data leg ("OPEN <id>"), and the front end opens a new connection
 * that starts "LEG <id>" (psom-protocol.ts). Only peers whose certificate chains to
 * the CA and names a front end get in (mutual TLS), and every peer passes the gate
 * first (PORT-5).
 */
import type net from "node:net";
import tls from "node:tls";
import { gatedListen, openGate } from "../../net/gate.ts";
import { isHealthProbe } from "../../net/health-probe.ts";
import type { WebconfEdgeOptions } from "./options.ts";
import { eachLine, formatPsomLine, parsePsomLine, readFirstLine } from "./psom-protocol.ts";

/** Why a client could not be given a data leg: said to the client and traced with these rule IDs. */
export class PsomRefusal extends Error {
  constructor(message: string, readonly rules: string[]) {
    super(message);
    this.name = "PsomRefusal";
  }
}

interface Control { socket: tls.TLSSocket; name: string }
interface Pending { resolve(leg: tls.TLSSocket): void; reject(err: PsomRefusal): void; timer: NodeJS.Timeout; control: Control }

export class PsomHub {
  private readonly server: tls.Server;
  private listener: net.Server | undefined;
  /** Connected front ends, oldest first (the one asked for legs). */
  private readonly controls: Control[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly sockets = new Set<tls.TLSSocket>();
  private waiters: (() => void)[] = [];
  private next = 1;

  constructor(private readonly o: WebconfEdgeOptions) {
    const id = o.internal.identity;
    this.server = tls.createServer({ cert: id.certPem, key: id.keyPem, ca: id.caPem, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2", handshakeTimeout: o.handshakeTimeoutMs ?? 5000 }, (s) => void this.onPeer(s));
    this.server.on("tlsClientError", (e, s) => {
      if (!isHealthProbe(s)) this.trace(false, [], `PSOM 8057: TLS from ${s.remoteAddress}:${s.remotePort} refused: ${e.message}`, s);
      s.destroy();
    });
  }

  get address(): string {
    return `${this.o.internal.address}:${this.o.internal.port}`;
  }

  async start(): Promise<void> {
    const { address, port } = this.o.internal;
    this.listener = await gatedListen({
      gate: this.o.gate ?? openGate, events: this.o.events, host: this.o.host, address, port, transport: "tls",
      purpose: "front end's PSOM link to the Web Conferencing Edge (8057)", onConnection: (s) => this.server.emit("connection", s),
    });
  }

  /** The front ends whose control connection is up, oldest first. */
  get frontEnds(): string[] {
    return this.controls.map((c) => c.name);
  }

  /** Closes every front end's control connection (a scenario: the links break; the front ends reconnect if the firewall lets them). */
  disconnectFrontEnds(): number {
    const n = this.controls.length;
    for (const c of [...this.controls]) c.socket.destroy();
    return n;
  }

  /** Resolves true once a front end's control connection is up, false after `timeoutMs`. */
  whenFrontEnd(timeoutMs: number): Promise<boolean> {
    if (this.controls.length) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => (clearTimeout(t), resolve(true)));
    });
  }

  /** Asks a front end for a data leg for `client` (its address, for the front end's log); rejects with PsomRefusal. */
  requestLeg(client: string): Promise<tls.TLSSocket> {
    const control = this.controls[0];
    if (!control)
      return Promise.reject(new PsomRefusal(`no front end has connected to ${this.o.host}'s internal interface ${this.address} (PSOM over mutual TLS, front end -> edge, rule 002-int-node-psom-8057): nobody to hand the meeting to`, ["PORT-3", "PORT-5"]));
    const id = `${this.o.host}-${this.next++}`;
    const ms = this.o.handshakeTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, new PsomRefusal(`front end ${control.name} opened no data leg to ${this.address} within ${ms} ms`, ["PORT-3"])), ms);
      this.pending.set(id, { resolve, reject, timer, control });
      control.socket.write(formatPsomLine({ verb: "OPEN", id, client }));
    });
  }

  private settle(id: string, outcome: tls.TLSSocket | PsomRefusal): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (outcome instanceof PsomRefusal) p.reject(outcome);
    else p.resolve(outcome);
    return true;
  }

  private async onPeer(s: tls.TLSSocket): Promise<void> {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
    s.on("error", () => s.destroy());
    const names = (s.getPeerX509Certificate()?.subjectAltName ?? "").split(/,\s*/).filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4).toLowerCase());
    if (!names.some((n) => this.o.frontEndNames.includes(n))) {
      this.trace(false, names, `PSOM 8057: ${names.join(", ") || "a certificate without names"} is not a front end (${this.o.frontEndNames[0]})`, s);
      return void s.destroy();
    }
    const first = await readFirstLine(s);
    const line = first === undefined ? undefined : parsePsomLine(first);
    if (line?.verb === "CONTROL") return this.addControl(s, line.name, names);
    if (line?.verb === "LEG" && this.settle(line.id, s)) return;
    this.trace(false, names, `PSOM 8057: ${line?.verb === "LEG" ? `a data leg for ${line.id}, which no client waits for (late or unknown)` : `first line '${(first ?? "").slice(0, 64)}' is neither CONTROL nor LEG`}`, s);
    s.destroy();
  }

  private addControl(s: tls.TLSSocket, name: string, names: string[]): void {
    const c: Control = { socket: s, name };
    this.controls.push(c);
    this.trace(true, names, `PSOM 8057: front end ${name} connected its control link from ${s.remoteAddress} (002-int-node-psom-8057)`, s);
    s.write(formatPsomLine({ verb: "READY", name: this.o.host }));
    for (const w of this.waiters.splice(0)) w();
    eachLine(s, (l) => {
      const m = parsePsomLine(l);
      if (m?.verb === "FAIL") this.settle(m.id, new PsomRefusal(`front end ${name} could not open a data leg to ${this.address}: ${m.why}`, ["PORT-3", ...(m.why.includes("PORT-5") || m.why.includes("firewall") ? ["PORT-5"] : [])]));
    });
    s.on("close", () => {
      this.controls.splice(this.controls.indexOf(c), 1);
      for (const [id, p] of this.pending) if (p.control === c) this.settle(id, new PsomRefusal(`front end ${name}'s control link closed before it opened a data leg`, ["PORT-3"]));
    });
  }

  private trace(ok: boolean, peerNames: string[], detail: string, s: net.Socket): void {
    const tuple = { transport: "tls" as const, srcAddress: s.remoteAddress ?? "?", srcPort: s.remotePort ?? 0, dstAddress: this.o.internal.address, dstPort: this.o.internal.port };
    this.o.events({ kind: "tls.handshake", ts: Date.now(), host: this.o.host, rules: ["PORT-3"], ok, peerNames, peerEku: [], ...(ok ? {} : { error: detail }), tuple });
    if (ok) this.o.events({ kind: "note", ts: Date.now(), host: this.o.host, rules: ["PORT-3"], detail, tuple });
  }

  async stop(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.settle(id, new PsomRefusal(`${this.o.host} is stopping`, ["PORT-3"]));
    for (const s of this.sockets) s.destroy();
    const l = this.listener;
    if (l) await new Promise<void>((r) => l.close(() => r()));
  }
}
