/**
 * Outbound SIP connections of one interface, reused per peer FQDN and port (the
 * product keeps one federation connection per partner edge). Dials from the
 * interface's own address with its identity, resolving the FQDN through the
 * injected view of DNS; tries the FQDN's A records in order when asked to.
 */
import type { EventSink } from "../../events/types.ts";
import type { ConnectionGate } from "../../net/gate.ts";
import { NameNotFoundError, type NameResolver } from "../../net/resolver.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import type { SipLimits } from "../../wire/sip/index.ts";
import { SipConnection, type SipConnectionHandler } from "./sip-connection.ts";
import { DialError, dialTls } from "./tls-endpoints.ts";

export interface ConnectionPoolOptions {
  host: string;
  /** Our FQDN on this interface (Via, ms-diagnostics source). */
  localFqdn: string;
  localAddress: string;
  identity: TlsIdentity;
  resolver: NameResolver;
  events: EventSink;
  handler: SipConnectionHandler;
  dialTimeoutMs?: number;
  limits?: Partial<SipLimits>;
  /** PORT-5: every dial asks the firewalls first. Default: none modelled. */
  gate?: ConnectionGate;
}

export interface GetOptions {
  /** CERT-2: the name the peer must carry (default: the FQDN itself). */
  expectedName?: string;
  /** Try every A record of the FQDN in turn (DNS-5 failover inside one name); default true. */
  tryEveryAddress?: boolean;
}

export class ConnectionPool {
  #open = new Map<string, SipConnection>();
  #pending = new Map<string, Promise<SipConnection>>();
  #stopped = false;

  constructor(private readonly o: ConnectionPoolOptions) {}

  /** The open connection to fqdn:port when there is one (what get() would resolve to at once), without waiting. */
  peek(fqdn: string, port: number): SipConnection | undefined {
    const open = this.#open.get(`${fqdn.toLowerCase()}:${port}`);
    return open && !open.closed ? open : undefined;
  }

  /** An open connection to fqdn:port, dialled when there is none. Throws DialError or NameNotFoundError. */
  get(fqdn: string, port: number, opts: GetOptions = {}): Promise<SipConnection> {
    const key = `${fqdn.toLowerCase()}:${port}`;
    const open = this.#open.get(key);
    if (open && !open.closed) return Promise.resolve(open);
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const p = this.#dial(fqdn, port, opts).finally(() => this.#pending.delete(key));
    this.#pending.set(key, p);
    return p;
  }

  async #dial(fqdn: string, port: number, opts: GetOptions): Promise<SipConnection> {
    if (this.#stopped) throw new RangeError(`${this.o.host}: connection pool stopped; not dialling ${fqdn}`);
    const addresses = await this.o.resolver.resolveA(fqdn);
    if (addresses.length === 0) throw new NameNotFoundError(fqdn, "NODATA", this.o.resolver.view);
    const tryAll = opts.tryEveryAddress ?? true;
    let last: DialError | undefined;
    for (const address of tryAll ? addresses : addresses.slice(0, 1)) {
      try {
        const { socket, peer } = await dialTls({ host: this.o.host, fqdn, address, port, localAddress: this.o.localAddress, identity: this.o.identity, expectedName: opts.expectedName ?? fqdn, timeoutMs: this.o.dialTimeoutMs ?? 3000, events: this.o.events, ...(this.o.gate ? { gate: this.o.gate } : {}) });
        if (this.#stopped) {
          socket.destroy();
          throw new RangeError(`${this.o.host}: connection pool stopped while dialling ${fqdn}`);
        }
        const conn = SipConnection.overTls(socket, { host: this.o.host, localFqdn: this.o.localFqdn, transport: "tls", tuple: { transport: "tls", srcAddress: this.o.localAddress, srcPort: socket.localPort ?? 0, dstAddress: address, dstPort: port }, peer, dialledFqdn: fqdn }, this.o.events, this.o.limits);
        const key = `${fqdn.toLowerCase()}:${port}`;
        conn.setHandler({
          onRequest: (r, c) => this.o.handler.onRequest(r, c),
          onResponse: (r, c) => this.o.handler.onResponse(r, c),
          onClose: (c) => {
            if (this.#open.get(key) === c) this.#open.delete(key);
            this.o.handler.onClose?.(c);
          },
        });
        this.#open.set(key, conn);
        return conn;
      } catch (err) {
        if (!(err instanceof DialError)) throw err;
        last = err;
        // A certificate that names the wrong host will not improve on the next address of the same name.
        if (err.failure === "name" || err.failure === "untrusted") break;
      }
    }
    throw last ?? new DialError("connect", fqdn, "?", port, "no address to try");
  }

  /** Drop a connection (e.g. after its peer refused us) so the next get() dials again. */
  forget(conn: SipConnection): void {
    for (const [k, c] of this.#open) if (c === conn) this.#open.delete(k);
  }

  get size(): number {
    return this.#open.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const c of this.#open.values()) c.close();
    this.#open.clear();
  }
}
