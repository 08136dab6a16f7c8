/**
 * A SIP partner organisation built from the topology's product kind: its edges, its
 * users and how it federates. Outbound it finds our edge by DNS SRV
 * `_sipfederationtls._tcp.<domain>` (DNS-1) in RFC 2782 order; Lync 2010/2013 try
 * every target and address, OCS 2007/2007 R2 and public IM providers only the first
 * (DNS-5, failoverPolicy). A public IM provider refuses an edge certificate without
 * clientAuth (PIC-2); a hosting provider serves several domains behind one edge
 * (FED-5); a partner with claimsDomain sends From a domain it does not serve (FED-10).
 */
import { failoverPolicy, federationSrvName, orderSrvTargets, type PartnerProduct } from "../../edge/policy/index.ts";
import { NameNotFoundError } from "../../edge/net/resolver.ts";
import { DialError, type SipConnection } from "../../edge/roles/access-edge/index.ts";
import type { SipRequest } from "../../edge/wire/sip/index.ts";
import { Inbox } from "./inbox.ts";
import { PartnerEdge } from "./partner-edge.ts";
import type { SipPartnerOptions } from "./partner-options.ts";
import { answer, aor, buildRequest, receivedMessage, UacTable, type ReceivedMessage, type SendResult } from "./ua.ts";

export interface PartnerUser {
  uri: string;
  inbox: Inbox<ReceivedMessage>;
  sendMessage(to: string, text: string): Promise<SendResult & { via?: string }>;
}

export class SipPartner {
  readonly edges: PartnerEdge[];
  readonly uac = new UacTable();
  #users = new Map<string, Inbox<ReceivedMessage>>();

  constructor(readonly o: SipPartnerOptions) {
    for (const u of o.users) this.#users.set(u.toLowerCase(), new Inbox<ReceivedMessage>());
    const hooks = { onRequest: (req: SipRequest, conn: SipConnection) => this.#onRequest(req, conn), uac: this.uac };
    this.edges = o.edges.map((spec) => new PartnerEdge(spec, { requireClientAuthEku: o.product === "publicIm", resolver: o.resolver, events: o.events, hooks, ...(o.gate ? { gate: o.gate } : {}) }));
  }

  get domain(): string {
    return this.o.domain;
  }

  async start(): Promise<void> {
    for (const e of this.edges) await e.start();
  }

  async stop(): Promise<void> {
    this.uac.stop();
    for (const e of this.edges) await e.stop();
  }

  edge(name: string): PartnerEdge {
    const e = this.edges.find((x) => x.spec.name === name || x.spec.host === name);
    if (!e) throw new RangeError(`partner ${this.o.domain} has no edge '${name}' (edges: ${this.edges.map((x) => x.spec.name).join(", ")})`);
    return e;
  }

  user(uri: string): PartnerUser {
    const key = uri.toLowerCase();
    const inbox = this.#users.get(key);
    if (!inbox) throw new RangeError(`partner ${this.o.domain} has no user ${uri} (users: ${[...this.#users.keys()].join(", ")})`);
    return { uri: key, inbox, sendMessage: (to, text) => this.sendMessage(key, to, text) };
  }

  /** DNS-5: whether this partner's product tries the next edge when one does not answer. */
  get failsOver(): boolean {
    const p = this.o.product;
    return p === "hostingProvider" ? true : failoverPolicy(p as PartnerProduct, "dns").tryNextTarget;
  }

  async sendMessage(fromUri: string, to: string, text: string): Promise<SendResult & { via?: string }> {
    const edge = this.edges.find((e) => e.running);
    if (!edge) return { status: 503, reason: `Service Unavailable (every edge of ${this.o.domain} is stopped)` };
    const from = this.o.claimsDomain ? `${fromUri.split("@")[0]}@${this.o.claimsDomain}` : fromUri;
    const domain = to.split("@")[1] ?? "";
    let targets;
    try {
      targets = orderSrvTargets(await this.o.resolver.resolveSrv(federationSrvName(domain)), this.o.random ?? Math.random);
    } catch (err) {
      if (!(err instanceof NameNotFoundError)) throw err;
      return { status: 504, reason: `Server Time-out (DNS-1: ${federationSrvName(domain)}: ${err.code})` };
    }
    const tryAll = this.failsOver;
    const errors: string[] = [];
    for (const t of tryAll ? targets : targets.slice(0, 1)) {
      let conn: SipConnection;
      try {
        conn = await edge.pool.get(t.target, t.port, { tryEveryAddress: tryAll });
      } catch (err) {
        if (!(err instanceof DialError) && !(err instanceof NameNotFoundError)) throw err;
        errors.push(err.message);
        continue;
      }
      const req = buildRequest({ method: "MESSAGE", uri: `sip:${to}`, from, to, via: { host: edge.spec.fqdn, port: edge.spec.port }, body: text });
      const r = await this.uac.send(conn, req, this.o.requestTimeoutMs ?? 10_000);
      return { ...r, via: `${edge.spec.host} -> ${t.target} (${conn.info.tuple.dstAddress})` };
    }
    return { status: 504, reason: `Server Time-out (${tryAll ? "DNS-1: no edge answered" : "DNS-5: the first edge did not answer and this product does not fail over"}: ${errors.join("; ")})` };
  }

  #onRequest(req: SipRequest, conn: SipConnection): void {
    const target = aor(req.to()?.uriText);
    if (req.method === "MESSAGE") {
      const inbox = this.#users.get(target);
      if (!inbox) return answer(conn, req, 404);
      inbox.push(receivedMessage(req));
      this.o.events({ kind: "sip.delivered", ts: Date.now(), host: conn.info.host, tuple: conn.info.tuple, rules: [], method: req.method, callId: req.callId(), from: aor(req.from()?.uriText), to: target, detail: `delivered to ${target}` });
      return answer(conn, req, 200);
    }
    // INVITE/BYE/CANCEL/SUBSCRIBE/NOTIFY/INFO/OPTIONS: a user agent that accepts everything for a known user.
    if (!this.#users.has(target) && req.method !== "OPTIONS") return answer(conn, req, 404);
    answer(conn, req, 200, req.method === "INVITE" || req.method === "SUBSCRIBE" ? [["Contact", `<sip:${target.split("@")[0]}@${conn.info.localFqdn};transport=tls>`]] : []);
  }
}
