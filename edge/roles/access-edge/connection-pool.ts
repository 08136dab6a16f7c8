/**
 * Outbound SIP connections of one interface, reused per peer FQDN and port (the
 * product keeps one federation connection per partner edge). Dials from the
 * interface's own address with its identity, resolving the FQDN through the
 * injected view of DNS, and trying the FQDN's A records in order until one answers
 * (DNS-1; with DNS load balancing those are the pool's edges). A caller that sticks to
 * one address (a partner that does not fail over, DNS-5) names it instead.
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
  /**
   * Dial this address of the FQDN only, without resolving it again: a peer that keeps
   * the edge that answered first and does not fail over (DNS-5). Default: every A record in turn.
   */
  address?: string;
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
    const addresses = opts.address !== undefined ? [opts.address] : await this.o.resolver.resolveA(fqdn);
    if (addresses.length === 0) throw new NameNotFoundError(fqdn, "NODATA", this.o.resolver.view);
    const failed: DialError[] = [];
    for (const address of addresses) {
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
        failed.push(err);
        // A certificate that names the wrong host will not improve on the next address of the same name.
        if (err.failure === "name" || err.failure === "untrusted") break;
      }
    }
    throw everyAddressFailed(fqdn, port, failed);
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

/** One address's error as it is; several: one error that names each address and why (FED-12), with the last one's kind. */
function everyAddressFailed(fqdn: string, port: number, failed: DialError[]): DialError {
  const last = failed[failed.length - 1];
  if (last === undefined) return new DialError("connect", fqdn, "?", port, "no address to try");
  if (failed.length === 1) return last;
  const detail = failed.map((e) => `${e.address}: ${e.detail}`).join("; ");
  return new DialError(last.failure, fqdn, failed.map((e) => e.address).join(", "), port, `every address failed: ${detail}`, [...new Set(failed.flatMap((e) => e.rules))]);
}
