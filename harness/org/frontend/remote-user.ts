/**
 * A user signing in from outside (topology `remote: true`, FED-9 EnableOutsideAccess):
 * finds the Access Edge by `_sip._tls.<domain>` (DNS-2) in the internet's DNS view,
 * connects with server-auth TLS from the user's own client address, REGISTERs (the
 * edge relays to the front end with a Path), then sends and receives over that one
 * connection, as Lync clients do.
 */
import type { ConnectionGate } from "../../../edge/net/gate.ts";
import { ConnectionPool, type SipConnection } from "../../../edge/roles/access-edge/index.ts";
import type { EventSink } from "../../../edge/events/types.ts";
import type { NameResolver } from "../../../edge/net/resolver.ts";
import { answer, buildRequest, Inbox, receivedMessage, UacTable, type ReceivedMessage, type SendResult } from "../../../partners/sip/index.ts";
import type { SipUser } from "./user.ts";

export interface RemoteUserOptions {
  uri: string;
  host: string;
  address: string;
  caPem: string;
  resolver: NameResolver;
  events: EventSink;
  /** PORT-5: the firewalls between the user and the Access Edge. Default: none modelled. */
  gate?: ConnectionGate;
  timeoutMs?: number;
}

/** What the client asks for; it refreshes at 90% of it, as RFC 3261 10.2.4 expects of a client that stays signed in. */
const REGISTER_EXPIRES_S = 3600;

export class RemoteUser implements SipUser {
  readonly remote = true;
  readonly inbox = new Inbox<ReceivedMessage>();
  readonly uri: string;
  #uac = new UacTable();
  #pool: ConnectionPool;
  #conn: SipConnection | undefined;
  #refresh: NodeJS.Timeout | undefined;
  /** Why the last sign-in failed, when it did. */
  lastSignInError: string | undefined;

  constructor(private readonly o: RemoteUserOptions) {
    this.uri = o.uri.toLowerCase();
    const domain = this.uri.split("@")[1] ?? "";
    this.#pool = new ConnectionPool({
      host: o.host, localFqdn: `${o.host}.${domain}`, localAddress: o.address, identity: { name: `client:${this.uri}`, certPem: "", keyPem: "", caPem: o.caPem }, resolver: o.resolver, events: o.events, ...(o.gate ? { gate: o.gate } : {}),
      handler: {
        onRequest: (req, conn) => {
          if (req.method === "MESSAGE") this.inbox.push(receivedMessage(req));
          answer(conn, req, 200);
        },
        onResponse: (res) => void this.#uac.onResponse(res),
        onClose: (conn) => {
          this.#uac.connectionClosed(conn);
          if (this.#conn === conn) this.#conn = undefined;
        },
      },
    });
  }

  get signedIn(): boolean {
    return this.#conn !== undefined && !this.#conn.closed;
  }

  /** DNS-2 lookup, TLS to the Access Edge, REGISTER. Resolves with the REGISTER's final response. */
  async signIn(): Promise<SendResult> {
    const domain = this.uri.split("@")[1] ?? "";
    try {
      const [srv] = await this.o.resolver.resolveSrv(`_sip._tls.${domain}`);
      if (!srv) return this.#failed(`_sip._tls.${domain} has no SRV record`);
      const conn = await this.#pool.get(srv.target, srv.port);
      const req = buildRequest({ method: "REGISTER", uri: `sip:${domain}`, from: this.uri, to: this.uri, via: { host: this.o.address, port: conn.info.tuple.srcPort }, extraHeaders: [["Expires", String(REGISTER_EXPIRES_S)]] });
      const r = await this.#uac.send(conn, req, this.o.timeoutMs ?? 10_000);
      if (r.status >= 200 && r.status < 300) {
        this.#conn = conn;
        this.lastSignInError = undefined;
        clearTimeout(this.#refresh);
        this.#refresh = setTimeout(() => void this.signIn(), REGISTER_EXPIRES_S * 900).unref();
      } else this.lastSignInError = `REGISTER answered ${r.status} ${r.reason}`;
      return r;
    } catch (err) {
      return this.#failed((err as Error).message);
    }
  }

  #failed(why: string): SendResult {
    this.lastSignInError = why;
    return { status: 503, reason: `Service Unavailable (sign-in of ${this.uri} through the Access Edge failed: ${why})` };
  }

  async sendMessage(to: string, text: string, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<SendResult> {
    if (!this.signedIn) {
      const r = await this.signIn();
      if (!this.signedIn) return r;
    }
    const conn = this.#conn!;
    const req = buildRequest({ method: "MESSAGE", uri: `sip:${to}`, from: this.uri, to, via: { host: this.o.address, port: conn.info.tuple.srcPort }, body: text, ...(opts.contentType ? { contentType: opts.contentType } : {}) });
    return this.#uac.send(conn, req, opts.timeoutMs ?? this.o.timeoutMs ?? 10_000);
  }

  stop(): void {
    clearTimeout(this.#refresh);
    this.#uac.stop();
    this.#pool.stop();
    this.#conn = undefined;
  }
}
