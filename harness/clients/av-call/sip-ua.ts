/**
 * The signalling half of a remote user's call client: an INVITE dialog (RFC 3261 13, 12)
 * over TLS to the Access Edge found by `_sip._tls.<domain>` (DNS-2), from the user's own
 * client address. INVITE with an SDP offer, provisional responses, the 2xx with the answer,
 * ACK (13.2.2.4, a new transaction along the route set), BYE (15.1.1). Every final outcome
 * is a result with status, reason and the ms-diagnostics the edges put on it (FED-12).
 *
 * It opens its own connection beside the user's IM client (harness/org/frontend RemoteUser):
 * a request from the remote side needs no registration on that connection (the Access Edge
 * sends all of it to the front-end pool, docs/access-edge.md), and responses follow the Via.
 */
import { randomBytes } from "node:crypto";
import { ConnectionPool, parseMsDiagnostics, type SipConnection } from "../../../edge/roles/access-edge/index.ts";
import { generateBranch, generateTag, SipHeaders, SipRequest, type SipResponse } from "../../../edge/wire/sip/index.ts";
import { answer } from "../../../partners/sip/index.ts";
import type { RemoteUserOptions } from "../../org/frontend/index.ts";

/** The call client is a remote user's second SIP client: it takes the same options (resolver: the internet's DNS view). */
export type CallUaOptions = RemoteUserOptions;

export interface InviteOutcome {
  status: number;
  reason: string;
  response?: SipResponse;
  diagnostics?: { code: number; text: string };
}

interface Dialog { callId: string; fromTag: string; toField: string; to: string; target: string; routes: string[]; cseq: number }

export class CallUa {
  readonly uri: string;
  #pool: ConnectionPool;
  #conn: SipConnection | undefined;
  #waiting = new Map<string, (r: SipResponse) => void>();
  #dialog: Dialog | undefined;
  readonly provisional: number[] = [];

  constructor(private readonly o: CallUaOptions) {
    this.uri = o.uri.toLowerCase();
    const domain = this.uri.split("@")[1] ?? "";
    this.#pool = new ConnectionPool({
      host: o.host, localFqdn: `${o.host}.${domain}`, localAddress: o.address, identity: { name: `client:${this.uri}`, certPem: "", keyPem: "", caPem: o.caPem }, resolver: o.resolver, events: o.events,
      handler: {
        onRequest: (req, conn) => answer(conn, req, req.method === "INVITE" ? 486 : 200),
        onResponse: (res) => {
          const branch = res.topVia()?.branch ?? "";
          if (res.status < 200) this.provisional.push(res.status);
          else this.#waiting.get(branch)?.(res);
        },
      },
    });
  }

  async #connection(): Promise<SipConnection> {
    if (this.#conn && !this.#conn.closed) return this.#conn;
    const domain = this.uri.split("@")[1] ?? "";
    const [srv] = await this.o.resolver.resolveSrv(`_sip._tls.${domain}`);
    if (!srv) throw new RangeError(`_sip._tls.${domain} has no SRV record (DNS-2): the call client cannot find its Access Edge`);
    this.#conn = await this.#pool.get(srv.target, srv.port);
    return this.#conn;
  }

  #request(method: string, ruri: string, to: string, cseq: number, callId: string, fromTag: string, extra: Array<[string, string]>, body?: { type: string; text: string }): SipRequest {
    const conn = this.#conn!;
    const h = new SipHeaders();
    h.append("Via", `SIP/2.0/TLS ${this.o.address}:${conn.info.tuple.srcPort};branch=${generateBranch()}`);
    h.append("Max-Forwards", "70");
    h.append("From", `<sip:${this.uri}>;tag=${fromTag}`);
    h.append("To", to);
    h.append("Call-ID", callId);
    h.append("CSeq", `${cseq} ${method}`);
    h.append("Contact", `<sip:${this.uri.split("@")[0]}@${this.o.address}:${conn.info.tuple.srcPort};transport=tls>`);
    for (const [n, v] of extra) h.append(n, v);
    const bytes = Buffer.from(body?.text ?? "", "utf8");
    if (body) h.append("Content-Type", body.type);
    h.append("Content-Length", String(bytes.length));
    return new SipRequest(method, ruri, h, bytes);
  }

  #send(req: SipRequest, timeoutMs: number): Promise<InviteOutcome> {
    const branch = req.topVia()!.branch!;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done({ status: 408, reason: `Request Timeout (no final response to ${req.method} within ${timeoutMs} ms)` }), timeoutMs);
      const done = (r: InviteOutcome) => {
        clearTimeout(timer);
        this.#waiting.delete(branch);
        resolve(r);
      };
      this.#waiting.set(branch, (res) => {
        const diagnostics = parseMsDiagnostics(res.headers.get("ms-diagnostics"));
        done({ status: res.status, reason: res.reason, response: res, ...(diagnostics ? { diagnostics } : {}) });
      });
      try {
        this.#conn!.send(req);
      } catch (err) {
        done({ status: 503, reason: `Service Unavailable (${(err as Error).message})` });
      }
    });
  }

  /** INVITE with the SDP offer; on a 2xx the dialog is kept (route set = Record-Route reversed, 12.1.2) and ACKed. */
  async invite(to: string, sdp: string): Promise<InviteOutcome> {
    try {
      await this.#connection();
    } catch (err) {
      return { status: 503, reason: `Service Unavailable (the call client could not reach its Access Edge: ${(err as Error).message})` };
    }
    const callId = `${randomBytes(10).toString("hex")}@${this.o.address}`;
    const fromTag = generateTag();
    const req = this.#request("INVITE", `sip:${to}`, `<sip:${to}>`, 1, callId, fromTag, [], { type: "application/sdp", text: sdp });
    const r = await this.#send(req, this.o.timeoutMs ?? 15_000);
    const res = r.response;
    if (res && r.status < 300) {
      const toField = res.headers.get("To") ?? `<sip:${to}>`;
      const contact = /<([^>]+)>/.exec(res.headers.get("Contact") ?? "")?.[1] ?? `sip:${to}`;
      this.#dialog = { callId, fromTag, toField, to, target: contact, routes: res.headers.fieldsOf("Record-Route").map((f) => f.value).reverse(), cseq: 1 };
      this.#conn!.send(this.#request("ACK", contact, toField, 1, callId, fromTag, this.#dialog.routes.map((v) => ["Route", v])));
    }
    return r;
  }

  /** BYE in the dialog (15.1.1): the final response, or 481-like outcomes when there is none. */
  async bye(): Promise<InviteOutcome> {
    const d = this.#dialog;
    if (!d || !this.#conn || this.#conn.closed) return { status: 481, reason: "Call/Transaction Does Not Exist (no established dialog to end)" };
    d.cseq++;
    const r = await this.#send(this.#request("BYE", d.target, d.toField, d.cseq, d.callId, d.fromTag, d.routes.map((v) => ["Route", v])), this.o.timeoutMs ?? 15_000);
    this.#dialog = undefined;
    return r;
  }

  get callId(): string | undefined {
    return this.#dialog?.callId;
  }

  stop(): void {
    for (const w of this.#waiting.keys()) this.#waiting.delete(w);
    this.#pool.stop();
    this.#conn = undefined;
  }
}
