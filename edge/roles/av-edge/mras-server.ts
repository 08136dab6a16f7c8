/**
 * The A/V authentication service (MRAS) of one edge: mutual TLS on the internal
 * interface, TCP 5062 (PORT-3). Only a peer whose certificate chains to a trusted CA and
 * names one of `allowedPeerNames` (the front end pool) is served; anyone else gets a
 * 403 line and the connection closes. Credentials come from the pool-wide secret
 * (credentials.ts, CERT-3), so every edge of the pool accepts them.
 */
import tls from "node:tls";
import type { EventSink } from "../../events/types.ts";
import { assertLoopback } from "../../net/loopback.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import { issueCredentials } from "./credentials.ts";
import { MRAS_DEFAULT_LIFETIME_SEC, MRAS_MAX_LINE, type MrasResponse, type MrasServerEntry } from "./mras-protocol.ts";
import { isHealthProbe } from "../../net/health-probe.ts";
import { gatedListen, openGate, type ConnectionGate } from "../../net/gate.ts";
import type net from "node:net";

export interface MrasServerOptions {
  host: string;
  address: string;
  port: number;
  identity: TlsIdentity;
  poolSecret: Buffer;
  realm: string;
  /** DNS names a client certificate must carry one of (the front end's). */
  allowedPeerNames: string[];
  servers: MrasServerEntry[];
  lifetimeSec?: number;
  /** The internal firewall every accepted peer passes (PORT-3, PORT-5); default openGate. */
  gate?: ConnectionGate;
  events: EventSink;
}

export class MrasServer {
  private server: tls.Server | undefined;
  private listener: net.Server | undefined;
  private readonly sockets = new Set<tls.TLSSocket>();
  issued = 0;

  constructor(private readonly o: MrasServerOptions) {}

  start(): Promise<void> {
    assertLoopback(this.o.address, "bind the A/V authentication service on");
    const { identity } = this.o;
    const server = tls.createServer({ cert: identity.certPem, key: identity.keyPem, ca: identity.caPem, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" });
    server.on("secureConnection", (s) => this.serve(s));
    server.on("tlsClientError", (err, s) => {
      if (isHealthProbe(s)) return; // the load balancer's TCP health check (internal VIP 5062)
      this.emit("tls.handshake", s, false, [], `A/V authentication handshake refused: ${err.message}`);
    });
    this.server = server;
    // The TLS server stays unlistened: the gated listener hands it each peer the firewall allows.
    return gatedListen({
      gate: this.o.gate ?? openGate, events: this.o.events, host: this.o.host, address: this.o.address, port: this.o.port, transport: "tls",
      purpose: "A/V authentication (MRAS, 5062)", onConnection: (s) => server.emit("connection", s),
    }).then(
      (l) => void (this.listener = l),
      (err: Error) => {
        throw new Error(`A/V authentication: cannot listen on ${this.o.address}:${this.o.port}: ${err.message}`, { cause: err });
      },
    );
  }

  private serve(s: tls.TLSSocket): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
    s.on("error", () => s.destroy());
    s.setTimeout(10_000, () => s.destroy());
    const peer = s.getPeerX509Certificate();
    const names = (peer?.subjectAltName ?? "").split(/,\s*/).filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4).toLowerCase());
    const allowed = names.some((n) => this.o.allowedPeerNames.includes(n));
    this.emit("tls.handshake", s, allowed, names, allowed ? "A/V authentication client accepted" : `A/V authentication client ${names.join(", ")} is not the front end`);
    if (!allowed) return this.answer(s, { ok: false, code: 403, error: `certificate names ${names.join(", ") || "nothing"}; only the front end (${this.o.allowedPeerNames[0]}) may ask` }, true);
    let buffered = "";
    s.setEncoding("utf8");
    s.on("data", (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        this.answer(s, this.handle(line, names[0] ?? "?"));
      }
      if (Buffer.byteLength(buffered) > MRAS_MAX_LINE) this.answer(s, { ok: false, code: 400, error: `request line longer than ${MRAS_MAX_LINE} bytes` }, true);
    });
  }

  private handle(line: string, peer: string): MrasResponse {
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      return { ok: false, code: 400, error: "request is not one JSON object" };
    }
    const r = req as { request?: unknown; user?: unknown };
    if (r.request !== "credentials" || typeof r.user !== "string") return { ok: false, code: 400, error: 'expected {"request":"credentials","user":"sip:..."}' };
    try {
      const c = issueCredentials(this.o.poolSecret, r.user, this.o.lifetimeSec ?? MRAS_DEFAULT_LIFETIME_SEC);
      this.issued++;
      this.o.events({ kind: "note", ts: Date.now(), host: this.o.host, rules: ["PORT-3", "CERT-3"], detail: `A/V authentication issued TURN credentials for ${r.user} to ${peer} (${c.lifetimeSec} s)` });
      return { ok: true, ...c, realm: this.o.realm, servers: this.o.servers };
    } catch (err) {
      return { ok: false, code: 400, error: (err as Error).message };
    }
  }

  private answer(s: tls.TLSSocket, r: MrasResponse, close = false): void {
    if (s.destroyed) return;
    s.write(JSON.stringify(r) + "\n");
    if (close) s.end();
  }

  private emit(kind: "tls.handshake", s: tls.TLSSocket, ok: boolean, peerNames: string[], detail: string): void {
    this.o.events({
      kind, ts: Date.now(), host: this.o.host, rules: ["PORT-3"], ok, peerNames, peerEku: [], ...(ok ? {} : { error: detail }),
      tuple: { transport: "tls", srcAddress: (s.remoteAddress ?? "").replace(/^::ffff:/, ""), srcPort: s.remotePort ?? 0, dstAddress: this.o.address, dstPort: this.o.port },
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const listener = this.listener;
    if (listener) await new Promise<void>((r) => listener.close(() => r()));
  }
}
