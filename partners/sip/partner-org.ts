/**
 * A SIP partner organisation built from the topology's product kind: its edges, its
 * users and how it federates. Outbound it finds our edge by DNS SRV
 * `_sipfederationtls._tcp.<domain>` (DNS-1) in RFC 2782 order and connects the way
 * its product does (DNS-5, PartnerDialler): Lync 2010/2013 fail over to the next edge
 * of a DNS-load-balanced pool; OCS 2007 / 2007 R2 and public IM providers stay with
 * the first edge that answered and do not. A public IM provider refuses an edge certificate without
 * clientAuth (PIC-2); a hosting provider serves several domains behind one edge
 * (FED-5); a partner with claimsDomain sends From a domain it does not serve (FED-10).
 */
import type { SipConnection } from "../../edge/roles/access-edge/index.ts";
import type { SipRequest } from "../../edge/wire/sip/index.ts";
import { Inbox } from "./inbox.ts";
import { PartnerDialler } from "./partner-dialler.ts";
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
  /** DNS-1/DNS-5: how this product reaches another domain's edge pool. */
  readonly dialler: PartnerDialler;
  #users = new Map<string, Inbox<ReceivedMessage>>();

  constructor(readonly o: SipPartnerOptions) {
    this.dialler = new PartnerDialler({ product: o.product, resolver: o.resolver, ...(o.random ? { random: o.random } : {}) });
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

  async sendMessage(fromUri: string, to: string, text: string): Promise<SendResult & { via?: string }> {
    const edge = this.edges.find((e) => e.running);
    if (!edge) return { status: 503, reason: `Service Unavailable (every edge of ${this.o.domain} is stopped)` };
    const from = this.o.claimsDomain ? `${fromUri.split("@")[0]}@${this.o.claimsDomain}` : fromUri;
    const domain = to.split("@")[1] ?? "";
    const hop = await this.dialler.connect(edge.pool, domain);
    if (!hop.ok) {
      // FED-12 on the partner's side: its user sees why, and the trace says it with the rule.
      this.o.events({ kind: "sip.refused", ts: Date.now(), host: edge.spec.host, rules: [hop.rule], method: "MESSAGE", status: 504, from: fromUri, to, detail: hop.reason });
      return { status: 504, reason: `Server Time-out (${hop.reason})` };
    }
    const req = buildRequest({ method: "MESSAGE", uri: `sip:${to}`, from, to, via: { host: edge.spec.fqdn, port: edge.spec.port }, body: text });
    const r = await this.uac.send(hop.conn, req, this.o.requestTimeoutMs ?? 10_000);
    return { ...r, via: `${edge.spec.host} -> ${hop.target} (${hop.address})` };
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
