/**
 * The HTTPS reverse proxy in the perimeter (seeds 001, 004): listens on its
 * external interface on 443 (HTTPS, the "reverse-proxy" certificate) and 80
 * (HTTP), picks the publishing rule by Host (RP-1), and forwards from its
 * internal interface to the pool: 443 -> 4443, 80 -> 8080 for autodiscover
 * (PORT-4, MOB-4). Proxying is http-proxy's (node-http-proxy 1.18.1: hop-by-hop
 * headers, X-Forwarded-*, streaming both ways, upstream errors); the gate sees
 * every accepted client and every upstream dial (PORT-5). Hairpinned internal
 * clients are accepted like any other (MOB-3): the firewall decides whether
 * they arrive at all.
 */
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import httpProxy from "http-proxy";
import type { EventSink } from "../../edge/events/types.ts";
import { FirewallDropError, gatedListen, type ConnectionGate } from "../../edge/net/gate.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import type { Topology } from "../topology/schema.ts";
import { BackendChooser, type Affinity, type Backend } from "./affinity.ts";
import { findRule, publishingRules, type PublishingRule } from "./publishing.ts";
import { upstreamAgents } from "./upstream-agents.ts";

export interface ReverseProxyOptions {
  topology: Topology;
  externalAddress: string;
  internalAddress: string;
  identity: TlsIdentity;
  gate: ConnectionGate;
  events: EventSink;
  mapPort: (p: number) => number;
  /** The pool servers of each publishing rule's pool, as the internal DNS view resolves them. */
  backends: Map<string, Backend[]>;
  affinity?: Affinity;
}

const HOST = "reverse-proxy";

export class ReverseProxy {
  readonly rules: PublishingRule[];
  readonly chooser: BackendChooser;
  readonly ports: { https: number; http: number };
  private readonly listeners: net.Server[] = [];
  private readonly servers: (http.Server | https.Server)[] = [];
  private readonly proxy = httpProxy.createProxyServer({ xfwd: true, changeOrigin: false, secure: true, proxyTimeout: 10_000 });
  private readonly agents;

  constructor(private readonly o: ReverseProxyOptions) {
    this.rules = publishingRules(o.topology);
    this.chooser = new BackendChooser(o.affinity ?? "cookie");
    this.ports = { https: o.mapPort(443), http: o.mapPort(80) };
    this.agents = upstreamAgents({ gate: o.gate, events: o.events, host: HOST, localAddress: o.internalAddress, caPem: o.identity.caPem, servername: o.topology.organisation.frontEndPool.fqdn });
    this.proxy.on("error", (err, _req, res) => this.fail(res as http.ServerResponse, err));
  }

  async start(): Promise<void> {
    const tlsServer = https.createServer({ cert: this.o.identity.certPem, key: this.o.identity.keyPem }, (req, res) => this.forward(req, res, true));
    const plain = http.createServer((req, res) => this.forward(req, res, false));
    for (const [server, port, tls] of [[tlsServer, this.ports.https, true], [plain, this.ports.http, false]] as const) {
      server.keepAliveTimeout = 2000;
      this.servers.push(server);
      this.listeners.push(
        await gatedListen({ gate: this.o.gate, events: this.o.events, host: HOST, address: this.o.externalAddress, port, transport: tls ? "tls" : "tcp", purpose: tls ? "reverse proxy listener (HTTPS)" : "reverse proxy listener (HTTP)", onConnection: (s) => server.emit("connection", s) }),
      );
    }
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, tls: boolean): void {
    const host = req.headers.host ?? "";
    const rule = findRule(this.rules, host);
    if (!rule) return this.answer(res, 404, { code: "NoPublishingRule", reason: `the reverse proxy publishes no site for host '${host}' (RP-1: ${this.rules.flatMap((r) => r.hosts).join(", ")})`, rules: ["RP-1"] });
    if (!tls && !rule.http) {
      // Seed 004: port 80 only redirects to HTTPS, except for the autodiscover rule (MOB-4).
      const location = `https://${host.replace(/:\d+$/, "")}${this.ports.https === 443 ? "" : `:${this.ports.https}`}${req.url ?? "/"}`;
      return this.answer(res, 301, { redirect: location, rules: ["PORT-4"] }, { location });
    }
    let choice;
    try {
      choice = this.chooser.choose(this.o.backends.get(rule.pool) ?? [], req.socket.remoteAddress ?? "", req.headers.cookie);
    } catch (err) {
      return this.answer(res, 503, { code: "NoBackend", reason: `${rule.name}: ${(err as Error).message}` });
    }
    if (choice.setCookie) res.setHeader("set-cookie", choice.setCookie);
    res.setHeader("x-edgesim-rule", rule.name);
    const port = tls ? 4443 : 8080;
    this.proxy.web(req, res, { target: { protocol: tls ? "https:" : "http:", host: choice.backend.address, port }, agent: tls ? this.agents.https : this.agents.http });
  }

  private fail(res: http.ServerResponse, err: Error): void {
    if (err instanceof FirewallDropError)
      return this.answer(res, 502, { code: "FirewallDrop", reason: err.decision.detail, missing: err.decision.missing, rule: err.decision.ruleId, rules: err.decision.rules }, { "x-edgesim-drop": err.decision.ruleId ?? "unknown" });
    this.o.events({ kind: "note", ts: Date.now(), host: HOST, rules: ["RP-1"], detail: `upstream failed: ${err.message}` });
    this.answer(res, 502, { code: "BadGateway", reason: `the pool's web services did not answer: ${err.message}` });
  }

  private answer(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return void res.destroy();
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  async stop(): Promise<void> {
    this.proxy.close();
    for (const s of this.servers) s.closeAllConnections();
    this.agents.https.destroy();
    this.agents.http.destroy();
    await Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
  }
}
