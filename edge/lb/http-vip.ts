/**
 * An HTTP(S) VIP with cookie persistence (MOB-5: "web services VIPs on the front-end
 * HLB use cookie or source-address affinity"). Cookie affinity needs the balancer to
 * read HTTP, so this VIP works at layer 7, as a hardware balancer's HTTP profile does:
 *   1. accept the client through the firewall gate (PORT-5);
 *   2. terminate TLS with the pool's certificate (SSL bridging: the balancer holds the
 *      web services certificate, seed 000's cookie-affinity setups need it);
 *   3. per request, the persistence cookie names a healthy server: send it there;
 *      otherwise pick one (the pool's rotation) and answer with Set-Cookie naming it;
 *   4. carry the request to that server from the VIP's own address (SNAT, like the
 *      Access and Web Conferencing VIPs: HLB-1), re-encrypted and checked against
 *      the pool's name (CERT-2), and stream the answer back.
 * Source-address affinity needs no HTTP: that is the layer-4 Vip (vip.ts) with a
 * SnatStrategy and affinity "source". Health and rotation are the same BackendPool
 * and HealthMonitor as every other VIP.
 */
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import type { EventSink } from "../events/types.ts";
import { assertLoopback } from "../net/loopback.ts";
import { gatedListen, openGate, type ConnectionGate } from "../net/gate.ts";
import type { TlsIdentity } from "../net/tls-identity.ts";
import { BackendPool } from "./pool.ts";
import { bringUpVip, type HealthMonitor, type Probe } from "./health.ts";
import type { Addr, BackendTarget } from "./types.ts";
import { addrText } from "./types.ts";

export const DEFAULT_PERSIST_COOKIE = "EdgesimLbPersist";
const RULES = ["MOB-5"] as const;

export interface HttpVipListenerSpec {
  port: number;
  /** Terminate TLS with `identity` and re-encrypt to the server; false: plain HTTP both ways. */
  tls: boolean;
  /** One target per server of the pool for this port. */
  backends: BackendTarget[];
}

export interface HttpVipOptions {
  /** The VIP's host name in the address plan ("vip-web-external"). */
  name: string;
  address: string;
  servers: string[];
  listeners: HttpVipListenerSpec[];
  /** The certificate the VIP presents, and the CAs it trusts for the servers' certificates. Needed by TLS listeners. */
  identity?: TlsIdentity;
  /** The name the servers' certificates must carry (the pool FQDN). */
  serverName?: string;
  cookieName?: string;
  events: EventSink;
  gate?: ConnectionGate;
  probe?: Probe;
  healthIntervalMs?: number;
  fall?: number;
  /** How long a server may take to answer; default 10 s. */
  upstreamTimeoutMs?: number;
}

interface Bound {
  spec: HttpVipListenerSpec;
  local: Addr;
  listener: net.Server;
  server: http.Server | https.Server;
}

export class HttpVip {
  readonly pool: BackendPool;
  private monitor: HealthMonitor | undefined;
  private readonly bound: Bound[] = [];
  private readonly cookie: string;

  private constructor(readonly o: HttpVipOptions) {
    // New sessions go round the healthy servers; the cookie, not the source address, keeps them.
    this.pool = new BackendPool({ vip: o.name, servers: o.servers, affinity: "none", events: o.events, ...(o.fall !== undefined ? { fall: o.fall } : {}) });
    this.cookie = o.cookieName ?? DEFAULT_PERSIST_COOKIE;
  }

  static async start(o: HttpVipOptions): Promise<HttpVip> {
    assertLoopback(o.address, `bind VIP ${o.name} on`);
    if (o.listeners.some((l) => l.tls) && !o.identity) throw new RangeError(`HTTP VIP ${o.name}: a TLS listener needs the certificate the VIP presents (identity)`);
    const vip = new HttpVip(o);
    vip.monitor = await bringUpVip({
      name: o.name,
      address: o.address,
      pool: vip.pool,
      probe: o.probe,
      healthIntervalMs: o.healthIntervalMs,
      open: async () => {
        for (const spec of o.listeners) vip.bound.push(await vip.listen(spec));
      },
      stop: () => vip.stop(),
    });
    return vip;
  }

  get endpoints(): { address: string; port: number; transport: "tcp" }[] {
    return this.bound.map((b) => ({ ...b.local, transport: "tcp" as const }));
  }

  get cookieName(): string {
    return this.cookie;
  }

  async checkHealth(): Promise<void> {
    await this.monitor?.checkNow();
  }

  private async listen(spec: HttpVipListenerSpec): Promise<Bound> {
    const local: Addr = { address: this.o.address, port: spec.port };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.forward(spec, local, req, res);
    const server = spec.tls ? https.createServer({ cert: this.o.identity!.certPem, key: this.o.identity!.keyPem }, handler) : http.createServer(handler);
    server.keepAliveTimeout = 2000;
    const listener = await gatedListen({
      gate: this.o.gate ?? openGate, events: this.o.events, host: this.o.name, address: local.address, port: spec.port, transport: spec.tls ? "tls" : "tcp",
      purpose: `${this.o.name} HTTP${spec.tls ? "S" : ""} ${spec.port}`, onConnection: (s) => server.emit("connection", s),
    });
    local.port = (listener.address() as net.AddressInfo).port;
    return { spec, local, listener, server };
  }

  /** Steps 3 and 4: the server for this request, then the request carried to it. */
  private forward(spec: HttpVipListenerSpec, local: Addr, req: http.IncomingMessage, res: http.ServerResponse): void {
    const client: Addr = { address: req.socket.remoteAddress ?? "?", port: req.socket.remotePort ?? 0 };
    const choice = this.choose(spec, req.headers.cookie);
    const t = { transport: "tcp" as const, srcAddress: client.address, srcPort: client.port, dstAddress: local.address, dstPort: local.port };
    if (!choice) {
      this.trace(undefined, t, `no healthy server behind ${this.o.name}: ${req.method} ${req.url} from ${addrText(client)} answered 503`);
      return this.answer(res, 503, { code: "NoHealthyServer", reason: `no healthy server behind ${this.o.name}`, rules: [...RULES] });
    }
    const { backend, sticky } = choice;
    this.trace(backend.server, t, sticky
      ? `cookie ${this.cookie}=${backend.server}: ${req.method} ${req.url} from ${addrText(client)} stays on ${backend.server} (MOB-5)`
      : `no valid ${this.cookie} cookie: ${req.method} ${req.url} from ${addrText(client)} goes to ${backend.server}, answered with Set-Cookie ${this.cookie}=${backend.server}`);
    const upstream = this.dial(spec, backend, req);
    upstream.on("response", (up) => {
      const headers = { ...up.headers };
      if (!sticky) headers["set-cookie"] = [...(up.headers["set-cookie"] ?? []), `${this.cookie}=${backend.server}; Path=/; HttpOnly`];
      res.writeHead(up.statusCode ?? 502, up.statusMessage ?? "", headers);
      up.pipe(res);
    });
    upstream.on("timeout", () => upstream.destroy(new Error(`no answer within ${this.o.upstreamTimeoutMs ?? 10_000} ms`)));
    upstream.on("error", (err) => {
      this.pool.report(backend.server, false, err.message);
      this.trace(backend.server, t, `${backend.server} ${addrText(backend.target)} failed: ${err.message}; answered 502`);
      this.answer(res, 502, { code: "ServerFailed", reason: `${this.o.name}: ${backend.server} did not answer: ${err.message}`, rules: [...RULES] });
    });
    req.pipe(upstream);
  }

  /** Step 3. A cookie naming a server that is down or unknown is ignored: the client gets a new one. */
  private choose(spec: HttpVipListenerSpec, cookieHeader: string | undefined): { backend: BackendTarget; sticky: boolean } | undefined {
    const named = readCookie(cookieHeader, this.cookie);
    const stuck = named !== undefined && this.pool.isUp(named) ? spec.backends.find((b) => b.server === named) : undefined;
    if (stuck) return { backend: stuck, sticky: true };
    const server = this.pool.pick("");
    const backend = server ? spec.backends.find((b) => b.server === server) : undefined;
    return backend ? { backend, sticky: false } : undefined;
  }

  /** Step 4: from the VIP's address (SNAT), TLS re-encrypted and the server's name checked. */
  private dial(spec: HttpVipListenerSpec, backend: BackendTarget, req: http.IncomingMessage): http.ClientRequest {
    const target = backend.target;
    assertLoopback(target.address, "HTTP VIP dial");
    const headers = { ...req.headers, "x-forwarded-for": [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ") };
    const common = { host: target.address, port: target.port, method: req.method, path: req.url, headers, localAddress: this.o.address, agent: false as const, timeout: this.o.upstreamTimeoutMs ?? 10_000 };
    if (!spec.tls) return http.request(common);
    return https.request({ ...common, ca: this.o.identity!.caPem, servername: this.o.serverName ?? target.address, rejectUnauthorized: true });
  }

  private trace(backend: string | undefined, t: { transport: "tcp"; srcAddress: string; srcPort: number; dstAddress: string; dstPort: number }, detail: string): void {
    this.o.events({ kind: "lb.forward", ts: Date.now(), host: this.o.name, rules: [...RULES], vip: this.o.name, ...(backend ? { backend } : {}), tuple: t, detail });
  }

  private answer(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return void res.destroy();
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  async stop(): Promise<void> {
    await this.monitor?.stop();
    for (const b of this.bound) b.server.closeAllConnections();
    await Promise.all(this.bound.splice(0).map((b) => new Promise<void>((r) => b.listener.close(() => r()))));
  }
}

/** The value of one cookie in a Cookie header (RFC 6265 5.4 pairs, first match wins). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
