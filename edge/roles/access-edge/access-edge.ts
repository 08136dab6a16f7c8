/**
 * One Access Edge server (RFC 3261 16 proxy): listens on its OWN addresses only
 * (the load balancer owns the VIPs) - external 5061 mutual TLS for federation and
 * public IM, external 443 TLS and WSS for remote users, internal 5061 mutual TLS
 * towards the front-end pool - and routes every request it accepts to delivery or
 * to a final response saying why (FED-12), with policy.verdict and sip.refused
 * events naming the rules. Routing: route-request.ts; proxying: forwarder.ts;
 * outbound next hop: next-hop.ts.
 */
import type { TLSSocket } from "node:tls";
import type { WebSocket } from "ws";
import { noEvents } from "../../events/types.ts";
import { emptyThrottleState, recordOutcome, type ThrottleState, type Verdict } from "../../policy/index.ts";
import { NameNotFoundError } from "../../net/resolver.ts";
import { validateProxyRequest, type SipRequest, type SipResponse } from "../../wire/sip/index.ts";
import { ConnectionPool } from "./connection-pool.ts";
import { edgeItself, namesEdgeItself, optionsAnswerFields, type EdgeItself } from "./edge-itself.ts";
import { protocolRefusal, type EdgeRefusal } from "./diagnostics.ts";
import { answerable, Forwarder, refusalResponse, safeResponse, type OutInterface } from "./forwarder.ts";
import { connectForRoute, type NextHop, type NextHopContext } from "./next-hop.ts";
import { SrvCache } from "./srv-cache.ts";
import type { AccessEdgeOptions } from "./options.ts";
import { addressOf, decideRoute, sipAddressOf, type Decision, type Side } from "./route-request.ts";
import { SipConnection, type SipConnectionHandler } from "./sip-connection.ts";
import { identityAllowsClientAuth, listenTls, type TlsListener } from "./tls-endpoints.ts";
import { listenWss } from "./wss-listener.ts";

const SRV_CACHE_MS = 30_000;

export class AccessEdge {
  readonly host: string;
  #listeners: TlsListener[] = [];
  #accepted = new Set<SipConnection>();
  #external: ConnectionPool;
  #internal: ConnectionPool;
  #forwarder: Forwarder;
  #throttle: ThrottleState = emptyThrottleState();
  #remoteFlows = new Map<string, SipConnection>();
  #srv: SrvCache;
  #ownNames: Set<string>;
  /** What an OPTIONS keep-alive or monitor may name as this edge (RFC 3261 11). */
  #itself: EdgeItself;
  #clientAuth: boolean;
  /** No one listens to events (noEvents): traces of forwarded requests are not built; refusals still are. */
  #quiet: boolean;
  #extOut: OutInterface;
  #hopContext: NextHopContext;
  /** Made once: a function created per request costs a name definition under tsx (keepNames). */
  #hasRemoteUser = (aor: string): boolean => this.#remoteFlows.has(aor);
  #intOut: OutInterface;

  constructor(private o: AccessEdgeOptions) {
    this.host = o.host;
    this.#forwarder = new Forwarder(o.host, o.events, o.transactionTimeoutMs ?? 32_000, o.inviteTimeoutMs);
    const handler = (side: Side): SipConnectionHandler => ({
      onRequest: (req, conn) => this.#onRequest(req, conn, side),
      onResponse: (res, conn) => this.#forwarder.onResponse(res, conn),
      onClose: (conn) => this.#onClose(conn),
    });
    this.#external = new ConnectionPool({ host: o.host, localFqdn: o.external.fqdn, localAddress: o.external.outboundAddress ?? o.external.address, identity: o.external.identity, resolver: o.external.resolver, events: o.events, handler: handler("federation"), ...(o.gate ? { gate: o.gate } : {}), ...(o.dialTimeoutMs ? { dialTimeoutMs: o.dialTimeoutMs } : {}), ...(o.limits ? { limits: o.limits } : {}) });
    this.#internal = new ConnectionPool({ host: o.host, localFqdn: o.internal.fqdn, localAddress: o.internal.outboundAddress ?? o.internal.address, identity: o.internal.identity, resolver: o.internal.resolver, events: o.events, handler: handler("internal"), ...(o.gate ? { gate: o.gate } : {}), ...(o.dialTimeoutMs ? { dialTimeoutMs: o.dialTimeoutMs } : {}), ...(o.limits ? { limits: o.limits } : {}) });
    this.#ownNames = new Set([o.external.fqdn, o.internal.fqdn, o.external.address, o.internal.address].map((n) => n.toLowerCase()));
    this.#itself = edgeItself(
      [o.external.fqdn, o.internal.fqdn, o.external.address, o.internal.address, ...(o.external.accessFqdn ? [o.external.accessFqdn] : []), ...(o.internal.edgePoolFqdn ? [o.internal.edgePoolFqdn] : [])],
      [o.external.federationPort, o.external.remotePort, o.internal.port, ...(o.external.wssPort !== undefined ? [o.external.wssPort] : [])],
    );
    this.#clientAuth = identityAllowsClientAuth(o.external.identity);
    this.#srv = new SrvCache(o.external.resolver, SRV_CACHE_MS);
    this.#quiet = o.events === noEvents;
    this.#hopContext = { pool: this.#external, resolver: this.#srv, random: o.random ?? Math.random, ownCertAllowsClientAuth: this.#clientAuth, traceSteps: !this.#quiet };
    this.#extOut = { fqdn: o.external.fqdn, port: o.external.federationPort, transport: "TLS" };
    this.#intOut = { fqdn: o.internal.fqdn, port: o.internal.port, transport: "TLS" };
  }

  async start(): Promise<void> {
    const o = this.o;
    const accept = (side: Side, fqdn: string) => (socket: TLSSocket, peer: SipConnection["info"]["peer"]) => {
      const conn = SipConnection.overTls(socket, { host: o.host, localFqdn: fqdn, transport: "tls", tuple: { transport: "tls", srcAddress: socket.remoteAddress ?? "", srcPort: socket.remotePort ?? 0, dstAddress: socket.localAddress ?? "", dstPort: socket.localPort ?? 0 }, ...(peer ? { peer } : {}) }, o.events, o.limits);
      this.#adopt(conn, side);
    };
    const gate = o.gate ? { gate: o.gate } : {};
    try {
      this.#listeners.push(await listenTls({ host: o.host, address: o.external.address, port: o.external.federationPort, identity: o.external.identity, requireClientCert: true, events: o.events, ...gate, onConnection: accept("federation", o.external.fqdn) }));
      this.#listeners.push(await listenTls({ host: o.host, address: o.external.address, port: o.external.remotePort, identity: o.external.identity, requireClientCert: false, events: o.events, ...gate, onConnection: accept("remote", o.external.fqdn) }));
      this.#listeners.push(await listenTls({ host: o.host, address: o.internal.address, port: o.internal.port, identity: o.internal.identity, requireClientCert: true, events: o.events, ...gate, onConnection: accept("internal", o.internal.fqdn) }));
      if (o.external.wssPort !== undefined)
        this.#listeners.push(await listenWss({ host: o.host, address: o.external.address, port: o.external.wssPort, identity: o.external.identity, events: o.events, ...gate, onConnection: (ws: WebSocket, remote) => {
          this.#adopt(SipConnection.overWebSocket(ws, { host: o.host, localFqdn: o.external.fqdn, transport: "wss", tuple: { transport: "wss", srcAddress: remote.address, srcPort: remote.port, dstAddress: o.external.address, dstPort: o.external.wssPort! } }, o.events, o.limits), "remote");
        } }));
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.#forwarder.stop();
    this.#external.stop();
    this.#internal.stop();
    for (const c of this.#accepted) c.close();
    this.#accepted.clear();
    await Promise.all(this.#listeners.map((l) => l.close()));
    this.#listeners = [];
  }

  /** Set-CsAccessEdgeConfiguration and friends at run time: later requests are decided with this configuration. */
  setConfig(config: AccessEdgeOptions["config"]): void {
    this.o.config = config;
    this.#throttle = emptyThrottleState();
  }

  /** FED-11 state of the discovered partners this edge has seen. */
  get throttleState(): ThrottleState {
    return this.#throttle;
  }

  /** Remote users signed in through this edge (AOR -> connection). */
  remoteUsers(): string[] {
    return [...this.#remoteFlows.keys()];
  }

  /** Connections peers opened to this edge and still hold (through a VIP: the ones it sent here). */
  get acceptedConnections(): number {
    return this.#accepted.size;
  }

  get pendingTransactions(): number {
    return this.#forwarder.transactions.size;
  }

  #adopt(conn: SipConnection, side: Side): void {
    this.#accepted.add(conn);
    conn.setHandler({
      onRequest: (req, c) => this.#onRequest(req, c, side),
      onResponse: (res, c) => this.#forwarder.onResponse(res, c),
      onClose: (c) => this.#onClose(c),
    });
  }

  #onClose(conn: SipConnection): void {
    this.#accepted.delete(conn);
    this.#forwarder.transactions.connectionClosed(conn);
    const aor = conn.tags.get("aor");
    if (aor && this.#remoteFlows.get(aor) === conn) this.#remoteFlows.delete(aor);
  }

  #onRequest(req: SipRequest, conn: SipConnection, side: Side): void {
    // Synchronous to the end when the route is known (cached SRV answer, open connection); a promise otherwise.
    let pending: Promise<void> | void;
    try {
      pending = this.#handle(req, conn, side);
    } catch (err) {
      this.#failed(req, conn, err);
      return;
    }
    if (pending) pending.catch((err: unknown) => this.#failed(req, conn, err));
  }

  #failed(req: SipRequest, conn: SipConnection, err: unknown): void {
    this.o.events({ kind: "note", ts: Date.now(), host: this.host, tuple: conn.info.tuple, rules: ["FED-12"], detail: `handling ${req.method} failed: ${(err as Error).message}` });
    if (req.method !== "ACK" && !conn.closed) conn.send(safeResponse(answerable(req), 500, "Server Internal Error"));
  }

  #handle(req: SipRequest, conn: SipConnection, side: Side): Promise<void> | void {
    const source = side === "internal" ? this.o.internal.fqdn : this.o.external.fqdn;
    const check = validateProxyRequest(req);
    if (check.action === "reject") return this.#refuse(req, conn, protocolRefusal(check.status, check.reason.replace(/ \(.*$/, ""), check.reason), source);
    if (check.action === "answer-locally") return conn.send(safeResponse(req, 200, "OK", [["ms-diagnostics", `0;reason="RFC3261-16.3: ${check.reason}";source="${source}"`]]));
    this.#stripOwnRoutes(req);
    // 16.4 then 11: no Route left and the Request-URI names this edge: the request is for us, not for policy.
    if (req.method === "OPTIONS" && !req.headers.has("Route") && namesEdgeItself(req.requestUri(), this.#itself)) return this.#answerOptions(req, conn, side);

    const from = addressOf(req.from()?.uriText);
    const fromDomain = sipAddressOf(from)?.domain;
    if (side !== "federation" || !fromDomain) return this.#decide(req, conn, side, from, fromDomain, undefined, source);
    // Resolve first: the throttle state must be read after the last await (FED-11 under concurrency).
    const cached = this.#senderSrvCached(fromDomain);
    if (cached !== undefined) return this.#decide(req, conn, side, from, fromDomain, cached.targets, source);
    return this.#senderSrv(fromDomain).then((targets) => this.#decide(req, conn, side, from, fromDomain, targets, source));
  }

  #decide(req: SipRequest, conn: SipConnection, side: Side, from: string, fromDomain: string | undefined, senderSrvTargets: string[] | undefined, source: string): Promise<void> | void {
    const decision = decideRoute(req, side, {
      config: this.o.config,
      throttle: this.#throttle,
      now: (this.o.now ?? Date.now)(),
      peerNames: conn.info.peer?.names ?? [],
      ...(senderSrvTargets ? { senderSrvTargets } : {}),
      hasRemoteUser: this.#hasRemoteUser,
    }, from);
    if ("verdict" in decision && decision.verdict) {
      // FED-11: keep the new throttle state before any await, refusals included (watch list, rate window).
      if (decision.verdict.nextThrottleState) this.#throttle = decision.verdict.nextThrottleState;
      this.#traceVerdict(req, conn, decision.verdict);
    }
    if (decision.kind === "refuse") return this.#refuse(req, conn, decision.refusal, source);
    return this.#dispatch(req, conn, side, decision, fromDomain, source);
  }

  #dispatch(req: SipRequest, conn: SipConnection, side: Side, d: Exclude<Decision, { kind: "refuse" }>, fromDomain: string | undefined, source: string): Promise<void> | void {
    const o = this.o;
    if (d.kind === "federate") {
      const hop = connectForRoute(this.#hopContext, d.route);
      if (hop instanceof Promise) return hop.then((h) => this.#federate(req, conn, d, h, source));
      return this.#federate(req, conn, d, hop, source);
    }
    if (d.kind === "to-remote-user") {
      const flow = this.#remoteFlows.get(d.aor)!;
      return this.#forwarder.forward(req, conn, flow, { out: { fqdn: o.external.fqdn, port: flow.info.transport === "wss" ? (o.external.wssPort ?? o.external.remotePort) : o.external.remotePort, transport: flow.info.transport === "wss" ? "WSS" : "TLS" }, source, downstreamIsFederation: false });
    }
    const open = this.#internal.peek(o.internal.poolFqdn, o.internal.poolPort);
    if (open !== undefined) return this.#toPool(req, conn, side, d, fromDomain, source, open);
    return this.#internal.get(o.internal.poolFqdn, o.internal.poolPort).then(
      (pool) => this.#toPool(req, conn, side, d, fromDomain, source, pool),
      (err: unknown) => {
        if (!(err instanceof Error)) throw err;
        return this.#refuse(req, conn, { status: 504, reason: "Server Time-out", diagnostics: { code: 54106, text: `RFC3261-16.6: The front-end pool did not answer: ${err.message}` }, rules: ["RFC3261-16.6"] }, source);
      },
    );
  }

  #federate(req: SipRequest, conn: SipConnection, d: Extract<Decision, { kind: "federate" }>, hop: NextHop, source: string): void {
    const o = this.o;
    if (!hop.ok) return this.#refuse(req, conn, hop.refusal, source);
    const trust = o.config.accessEdge.MarkSourceVerifiableOnOutgoingMessages ? "verified" : "unverified";
    if (!this.#quiet) this.#trace("sip.request", req, conn, d.verdict.rules, `forwarded to ${hop.target} (${d.route.kind}): ${hop.steps.join("; ")}`);
    this.#forwarder.forward(req, conn, hop.conn, { out: this.#extOut, source, downstreamIsFederation: true, extraHeaders: [["ms-edge-proxy-message-trust", `ms-source-type=InternalUser;ms-ep-fqdn=${o.external.fqdn};ms-source-verified-user=${trust}`]] });
  }

  #toPool(req: SipRequest, conn: SipConnection, side: Side, d: Extract<Decision, { kind: "to-pool" }>, fromDomain: string | undefined, source: string, pool: SipConnection): void {
    const o = this.o;
    const extra: Array<[string, string]> = [];
    if (d.register) {
      conn.tags.set("aor", d.register);
      this.#remoteFlows.set(d.register, conn);
      extra.push(["Path", `<sip:${o.internal.fqdn}:${o.internal.port};transport=tls;lr>`]);
    }
    const verdict: Verdict | undefined = d.verdict;
    if (side === "federation" && verdict) extra.push(["ms-edge-proxy-message-trust", `ms-source-type=ExternalFederation;ms-ep-fqdn=${conn.info.peer?.names[0] ?? "unknown"};ms-source-verified-user=${verdict.verification === "verifiable" ? "verified" : "unverified"}`]);
    const discovered = side === "federation" && verdict?.nextThrottleState !== undefined && fromDomain;
    if (!this.#quiet) this.#trace("sip.request", req, conn, verdict?.rules ?? [], `forwarded to the front-end pool ${o.internal.poolFqdn}${d.steps.length ? `: ${d.steps.join("; ")}` : ""}`);
    this.#forwarder.forward(req, conn, pool, {
      out: this.#intOut, source, downstreamIsFederation: false, extraHeaders: extra,
      ...(discovered ? { onFinal: (status: number) => { this.#throttle = recordOutcome(this.#throttle, fromDomain, status >= 200 && status < 300); } } : {}),
    });
  }

  /** RFC 3261 11.2: a keep-alive (federation peers) or a monitor (load balancers) gets 200 with what the edge allows and supports. */
  #answerOptions(req: SipRequest, conn: SipConnection, side: Side): void {
    this.#trace("sip.request", req, conn, ["RFC3261-11"], `answered 200 by ${this.host} itself: the Request-URI ${req.uri} names this edge (keep-alive or monitor, RFC 3261 11.2)`, 200);
    conn.send(safeResponse(req, 200, "OK", optionsAnswerFields(side)));
  }

  #refuse(req: SipRequest, conn: SipConnection, refusal: EdgeRefusal, source: string): void {
    this.#trace("sip.refused", req, conn, refusal.rules, refusal.diagnostics.text, refusal.status);
    if (req.method === "ACK" || conn.closed) return;
    conn.send(refusalResponse(answerable(req), refusal, source));
  }

  #trace(kind: "sip.request" | "sip.refused", req: SipRequest, conn: SipConnection, rules: string[], detail: string, status?: number): void {
    this.o.events({ kind, ts: Date.now(), host: this.host, tuple: conn.info.tuple, rules, method: req.method, ...(status ? { status } : {}), callId: safe(() => req.callId()), from: safe(() => addressOf(req.from()?.uriText)), to: safe(() => addressOf(req.to()?.uriText)), detail });
  }

  #traceVerdict(req: SipRequest, conn: SipConnection, v: Verdict): void {
    // Nobody listens (a bench edge): skip building what would be dropped; refusals and FED-11 notes are always traced.
    if (this.#quiet && v.allowed && !v.events?.length) return;
    const summary = v.allowed ? `allowed ${req.method}: route ${v.route?.kind}, ${v.verification}` : `refused ${v.refusal?.status}: ${v.refusal?.diagnostics.text}`;
    this.o.events({ kind: "policy.verdict", ts: Date.now(), host: this.host, tuple: conn.info.tuple, rules: v.rules, allowed: v.allowed, summary, steps: v.steps });
    // FED-11: the product's event log entries (14601 report, 14603 limited), as notes naming the rule.
    for (const e of v.events ?? []) this.o.events({ kind: "note", ts: Date.now(), host: this.host, tuple: conn.info.tuple, rules: [e.rule], detail: `event ${e.id}${e.partner ? ` (${e.partner})` : ""}: ${e.text}` });
  }

  /** Route entries naming this edge are ours to consume (16.4). */
  #stripOwnRoutes(req: SipRequest): void {
    for (;;) {
      const top = req.routes()[0];
      if (!top || top.uri.kind !== "sip" || !this.#ownNames.has(top.uri.host.toLowerCase())) return;
      req.headers.removeFirstValue("Route");
    }
  }

  /** #senderSrv's answer when the cache holds a fresh one (no wait), else undefined. */
  #senderSrvCached(domain: string): { targets: string[] } | undefined {
    const hit = this.#srv.peek(`_sipfederationtls._tcp.${domain}`);
    if (hit === undefined) return undefined;
    // The cache keeps only definite "no such name/data" errors: no record.
    return "records" in hit ? { targets: hit.records.map((r) => r.target) } : { targets: [] };
  }

  /** FED-10: the targets of the sender domain's federation SRV; [] for no record, undefined when DNS failed. */
  async #senderSrv(domain: string): Promise<string[] | undefined> {
    try {
      return (await this.#srv.resolveSrv(`_sipfederationtls._tcp.${domain}`)).map((r) => r.target);
    } catch (err) {
      if (!(err instanceof NameNotFoundError)) throw err;
      return err.code === "ENOTFOUND" || err.code === "ENODATA" || err.code === "NODATA" ? [] : undefined;
    }
  }
}

function safe(f: () => string | undefined): string | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export type { SipResponse };
