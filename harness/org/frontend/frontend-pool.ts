/**
 * The internal front-end pool: the organisation's SIP home server. It listens with
 * mutual TLS on 5061 at each front end's planned address (identity "frontend"),
 * homes the users (virtual users driven by the harness; remote users register
 * through the Access Edge, which adds a Path), delivers messages to them, and sends
 * everything federated to the edge pool's internal FQDN (internal DNS view). It is
 * a proxy for remote users' traffic (the edge's Forwarder) and a UAC/UAS for its own.
 */
import type { EventSink } from "../../../edge/events/types.ts";
import type { NameResolver } from "../../../edge/net/resolver.ts";
import type { TlsIdentity } from "../../../edge/net/tls-identity.ts";
import type { ConnectionGate } from "../../../edge/net/gate.ts";
import { ConnectionPool, edgeRefusal, listenTls, refusalResponse, answerable, SipConnection, type SipConnectionHandler, type TlsListener } from "../../../edge/roles/access-edge/index.ts";
import { Forwarder } from "../../../edge/roles/access-edge/forwarder.ts";
import type { SipRequest, SipResponse } from "../../../edge/wire/sip/index.ts";
import { answer, aor, buildRequest, Inbox, receivedMessage, UacTable, type ReceivedMessage, type SendResult } from "../../../partners/sip/index.ts";
import { Registrar, requestedExpiry } from "./registrar.ts";
import type { SipUser } from "./user.ts";

export interface FrontEndPoolOptions {
  servers: Array<{ host: string; address: string; fqdn: string }>;
  port: number;
  identity: TlsIdentity;
  /** The internal DNS view. */
  resolver: NameResolver;
  /** The edge pool's internal FQDN and port: where federated traffic goes. */
  edgePoolFqdn: string;
  edgePort: number;
  sipDomains: string[];
  users: Array<{ uri: string; remote: boolean }>;
  events: EventSink;
  /** PORT-5: the internal firewall between the pool and the edges (checked on its dials and accepts). Default: none modelled. */
  gate?: ConnectionGate;
  /** Clock for registration expiry (RFC 3261 10.3); default Date.now. */
  now?: () => number;
  timeoutMs?: number;
}


export class FrontEndPool {
  #listeners: TlsListener[] = [];
  #accepted = new Set<SipConnection>();
  #pool: ConnectionPool;
  #uac = new UacTable();
  #forwarder: Forwarder;
  #local = new Map<string, LocalUser>();
  #remote = new Map<string, SipUser>();
  #registrar: Registrar;
  /** Domains a gateway on the front end serves instead of the edge pool (the XMPP gateway: XMPP-4). */
  #gateways = new Map<string, ImGateway>();
  #handler: SipConnectionHandler;
  readonly host: string;
  readonly fqdn: string;

  constructor(private readonly o: FrontEndPoolOptions) {
    const first = o.servers[0];
    if (!first) throw new RangeError("a front-end pool needs at least one server");
    this.host = first.host;
    this.#registrar = new Registrar(o.now);
    this.fqdn = first.fqdn;
    this.#forwarder = new Forwarder(first.host, o.events, o.timeoutMs ?? 10_000);
    this.#handler = {
      onRequest: (req, conn) => this.#onRequest(req, conn),
      onResponse: (res, conn) => {
        if (!this.#uac.onResponse(res)) this.#forwarder.onResponse(res, conn);
      },
      onClose: (conn) => {
        this.#accepted.delete(conn);
        this.#uac.connectionClosed(conn);
        this.#forwarder.transactions.connectionClosed(conn);
      },
    };
    this.#pool = new ConnectionPool({ host: first.host, localFqdn: first.fqdn, localAddress: first.address, identity: o.identity, resolver: o.resolver, events: o.events, handler: this.#handler, ...(o.gate ? { gate: o.gate } : {}) });
    for (const u of o.users) if (!u.remote) this.#local.set(u.uri.toLowerCase(), new LocalUser(u.uri.toLowerCase(), this));
  }

  async start(): Promise<void> {
    for (const s of this.o.servers) {
      this.#listeners.push(await listenTls({
        host: s.host, address: s.address, port: this.o.port, identity: this.o.identity, requireClientCert: true, events: this.o.events, ...(this.o.gate ? { gate: this.o.gate } : {}),
        onConnection: (socket, peer) => {
          const conn = SipConnection.overTls(socket, { host: s.host, localFqdn: s.fqdn, transport: "tls", tuple: { transport: "tls", srcAddress: socket.remoteAddress ?? "", srcPort: socket.remotePort ?? 0, dstAddress: s.address, dstPort: this.o.port }, ...(peer ? { peer } : {}) }, this.o.events);
          conn.setHandler(this.#handler);
          this.#accepted.add(conn);
        },
      }));
    }
  }

  async stop(): Promise<void> {
    this.#uac.stop();
    this.#forwarder.stop();
    this.#pool.stop();
    for (const c of this.#accepted) c.close();
    await Promise.all(this.#listeners.map((l) => l.close()));
    this.#listeners = [];
  }

  /** The user API: a homed user or a remote user attached by the remote-users service. */
  user(uri: string): SipUser {
    const key = uri.toLowerCase();
    const u = this.#local.get(key) ?? this.#remote.get(key);
    if (!u) throw new RangeError(`the front-end pool homes no user ${uri} (users: ${[...this.#local.keys(), ...this.#remote.keys()].join(", ")})`);
    return u;
  }

  users(): SipUser[] {
    return [...this.#local.values(), ...this.#remote.values()];
  }

  /** Remote users are SIP clients outside; the harness attaches them so user() finds them. */
  attachRemoteUser(user: SipUser): void {
    this.#remote.set(user.uri, user);
  }

  isRegistered(uri: string): boolean {
    return this.#registrar.has(uri.toLowerCase());
  }

  #ours(uri: string): boolean {
    const d = uri.split("@")[1]?.toLowerCase();
    return d !== undefined && this.o.sipDomains.some((x) => x.toLowerCase() === d);
  }

  /**
   * A gateway running on the front end takes IM for these domains instead of the
   * edge pool's SIP federation route: the XMPP gateway claims the XMPP allowed
   * partners' domains (XMPP-1, XMPP-4), as the product routes them.
   */
  routeDomainsTo(domains: string[], gateway: ImGateway): void {
    for (const d of domains) this.#gateways.set(d.toLowerCase(), gateway);
  }

  #gatewayFor(to: string): ImGateway | undefined {
    const d = to.split("@")[1]?.toLowerCase();
    return d === undefined ? undefined : this.#gateways.get(d);
  }

  /** Where a request to `to` leaves the pool: [fqdn, port] of an edge, or a local delivery / refusal. */
  #nextHop(to: string): { fqdn: string; port: number; conn?: SipConnection } | { local: LocalUser } | { status: number; why: string } {
    if (this.#ours(to)) {
      const local = this.#local.get(to);
      if (local) return { local };
      const reg = this.#registrar.lookup(to);
      if (reg) return { fqdn: reg.pathFqdn, port: reg.port, ...(reg.conn.closed ? {} : { conn: reg.conn }) };
      return this.o.users.some((u) => u.uri.toLowerCase() === to) ? { status: 480, why: `${to} is not signed in` } : { status: 404, why: `${to} is not a user of this pool` };
    }
    return { fqdn: this.o.edgePoolFqdn, port: this.o.edgePort };
  }

  /**
   * For gateways on the front end (XMPP-4): deliver IM from a non-SIP sender to one of
   * our users - a homed user's inbox, or a SIP MESSAGE to a remote user through the edge.
   */
  deliver(from: string, to: string, text: string, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<SendResult> {
    if (!this.#ours(to.toLowerCase())) return Promise.resolve({ status: 404, reason: `Not Found (${to} is not in this pool's SIP domains)` });
    return this.sendFrom(from.toLowerCase(), to, text, opts);
  }

  /** A homed user sends: delivered here, to a remote user via its edge, or to the edge pool for federation. */
  async sendFrom(from: string, to: string, text: string, opts: { contentType?: string; timeoutMs?: number }): Promise<SendResult> {
    const target = to.toLowerCase();
    const gateway = this.#gatewayFor(target);
    if (gateway) return gateway(from, target, text);
    const hop = this.#nextHop(target);
    if ("local" in hop) {
      const req = buildRequest({ method: "MESSAGE", uri: `sip:${target}`, from, to: target, via: { host: this.fqdn, port: this.o.port }, body: text, ...(opts.contentType ? { contentType: opts.contentType } : {}) });
      hop.local.inbox.push(receivedMessage(req));
      return { status: 200, reason: "OK" };
    }
    if ("status" in hop) return { status: hop.status, reason: `${hop.status === 404 ? "Not Found" : "Temporarily Unavailable"} (${hop.why})` };
    let conn: SipConnection;
    try {
      conn = hop.conn ?? (await this.#pool.get(hop.fqdn, hop.port));
    } catch (err) {
      return { status: 504, reason: `Server Time-out (the edge ${hop.fqdn}:${hop.port} did not answer: ${(err as Error).message})` };
    }
    const req = buildRequest({ method: "MESSAGE", uri: `sip:${target}`, from, to: target, via: { host: this.fqdn, port: this.o.port }, body: text, ...(opts.contentType ? { contentType: opts.contentType } : {}) });
    return this.#uac.send(conn, req, opts.timeoutMs ?? this.o.timeoutMs ?? 10_000);
  }

  #onRequest(req: SipRequest, conn: SipConnection): void {
    this.#handle(req, conn).catch((err: unknown) => {
      this.o.events({ kind: "note", ts: Date.now(), host: this.host, tuple: conn.info.tuple, rules: [], detail: `front end failed on ${req.method}: ${(err as Error).message}` });
      answer(conn, req, 500);
    });
  }

  async #handle(req: SipRequest, conn: SipConnection): Promise<void> {
    const to = aor(req.to()?.uriText);
    if (req.method === "REGISTER") {
      const path = req.headers.values("Path")[0];
      const m = path ? /sips?:([^:;>]+)(?::(\d+))?/i.exec(path) : null;
      if (!m) return answer(conn, req, 400, [["Warning", `399 ${this.fqdn} "REGISTER from outside must carry the Access Edge's Path (RFC 3327)"`]]);
      const request = { contacts: req.headers.values("Contact"), expiresHeader: req.headers.get("Expires") };
      if (request.contacts.some((c) => c.trim() === "*") && requestedExpiry(request) !== 0)
        return answer(conn, req, 400, [["Warning", `399 ${this.fqdn} "Contact: * needs Expires: 0 (RFC 3261 10.3 step 6)"`]]);
      const granted = this.#registrar.register(to, { pathFqdn: m[1]!, port: Number(m[2] ?? this.o.port), conn }, request);
      // RFC 3261 10.3 step 8: the 200 lists the current bindings with what was granted (sip.js checks its own Contact is there).
      const bindings = granted === 0 ? [] : request.contacts.map((c): [string, string] => ["Contact", `${c.replace(/;\s*expires\s*=\s*\d+/i, "")};expires=${granted}`]);
      return answer(conn, req, 200, [...bindings, ["Expires", String(granted)]]);
    }
    const gateway = this.#gatewayFor(to);
    if (gateway) {
      // XMPP-4: with XMPP contacts, IM (and presence) only, one to one.
      if (req.method !== "MESSAGE") return answer(conn, req, 403, [["Warning", `399 ${this.fqdn} "XMPP-4: only IM and presence reach XMPP contacts, not ${req.method}"`]]);
      const r = await gateway(aor(req.from()?.uriText), to, req.body.toString("utf8"));
      return answer(conn, req, r.status, r.diagnostics ? [["ms-diagnostics", `${r.diagnostics.code};reason="${r.diagnostics.text.replace(/"/g, "'")}"`]] : []);
    }
    const hop = this.#nextHop(to);
    if ("local" in hop) {
      if (req.method === "MESSAGE") {
        hop.local.inbox.push(receivedMessage(req));
        this.o.events({ kind: "sip.delivered", ts: Date.now(), host: this.host, tuple: conn.info.tuple, rules: [], method: req.method, callId: req.callId(), from: aor(req.from()?.uriText), to, detail: `delivered to ${to}` });
      }
      return answer(conn, req, 200);
    }
    if ("status" in hop) return conn.send(refusalResponse(answerable(req), { ...edgeRefusal("notRegistered", hop.why), status: hop.status, reason: hop.status === 404 ? "Not Found" : "Temporarily Unavailable" }, this.fqdn));
    let next: SipConnection;
    try {
      next = hop.conn ?? (await this.#pool.get(hop.fqdn, hop.port));
    } catch (err) {
      return conn.send(refusalResponse(answerable(req), edgeRefusal("nextHopDown", `${hop.fqdn}: ${(err as Error).message}`), this.fqdn));
    }
    this.#forwarder.forward(req, conn, next, { out: { fqdn: this.fqdn, port: this.o.port, transport: "TLS" }, source: this.fqdn, downstreamIsFederation: false });
  }
}

/** A gateway on the front end: takes one IM and says what became of it (200 = handed over). */
export type ImGateway = (from: string, to: string, text: string) => Promise<SendResult>;

class LocalUser implements SipUser {
  readonly remote = false;
  readonly inbox = new Inbox<ReceivedMessage>();
  constructor(readonly uri: string, private readonly pool: FrontEndPool) {}
  sendMessage(to: string, text: string, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<SendResult> {
    return this.pool.sendFrom(this.uri, to, text, opts);
  }
}

export type { SipResponse };
