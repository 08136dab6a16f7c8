/**
 * One edge server of a partner organisation: listens with mutual TLS on 5061 at its
 * planned address (a public IM provider also demands the clientAuth EKU, PIC-2),
 * delivers MESSAGEs to the organisation's users (404 for strangers), answers the
 * other methods as a UAS, and dials out with its own identity from its own address.
 * It can be stopped and started again (scenarios stop fabrikam edge1: our edge fails over, DNS-1).
 */
import type { EventSink } from "../../edge/events/types.ts";
import type { ConnectionGate } from "../../edge/net/gate.ts";
import { ConnectionPool, listenTls, SipConnection, type SipConnectionHandler, type TlsListener } from "../../edge/roles/access-edge/index.ts";
import type { NameResolver } from "../../edge/net/resolver.ts";
import type { SipRequest, SipResponse } from "../../edge/wire/sip/index.ts";
import type { PartnerEdgeSpec } from "./partner-options.ts";
import type { UacTable } from "./ua.ts";

export interface PartnerEdgeHooks {
  /** A request for the organisation (answer it). */
  onRequest(req: SipRequest, conn: SipConnection, edge: PartnerEdge): void;
  uac: UacTable;
}

export class PartnerEdge {
  #listener: TlsListener | undefined;
  #accepted = new Set<SipConnection>();
  #pool: ConnectionPool | undefined;

  constructor(readonly spec: PartnerEdgeSpec, private readonly o: { requireClientAuthEku: boolean; resolver: NameResolver; events: EventSink; hooks: PartnerEdgeHooks; gate?: ConnectionGate }) {}

  get running(): boolean {
    return this.#listener !== undefined;
  }

  /** Outbound connections (reused per peer FQDN). Only while running. */
  get pool(): ConnectionPool {
    if (!this.#pool) throw new RangeError(`partner edge ${this.spec.host} is stopped`);
    return this.#pool;
  }

  async start(): Promise<void> {
    if (this.#listener) return;
    const s = this.spec;
    const handler: SipConnectionHandler = {
      onRequest: (req, conn) => this.o.hooks.onRequest(req, conn, this),
      onResponse: (res: SipResponse) => void this.o.hooks.uac.onResponse(res),
      onClose: (conn) => {
        this.#accepted.delete(conn);
        this.o.hooks.uac.connectionClosed(conn);
      },
    };
    this.#pool = new ConnectionPool({ host: s.host, localFqdn: s.fqdn, localAddress: s.address, identity: s.identity, resolver: this.o.resolver, events: this.o.events, handler, ...(this.o.gate ? { gate: this.o.gate } : {}) });
    this.#listener = await listenTls({
      host: s.host, address: s.address, port: s.port, identity: s.identity, requireClientCert: true, requireClientAuthEku: this.o.requireClientAuthEku, events: this.o.events, ...(this.o.gate ? { gate: this.o.gate } : {}),
      onConnection: (socket, peer) => {
        const conn = SipConnection.overTls(socket, { host: s.host, localFqdn: s.fqdn, transport: "tls", tuple: { transport: "tls", srcAddress: socket.remoteAddress ?? "", srcPort: socket.remotePort ?? 0, dstAddress: s.address, dstPort: s.port }, ...(peer ? { peer } : {}) }, this.o.events);
        conn.setHandler(handler);
        this.#accepted.add(conn);
      },
    });
  }

  /** Stop listening and drop every connection, as a server that went down. */
  async stop(): Promise<void> {
    this.#pool?.stop();
    this.#pool = undefined;
    for (const c of this.#accepted) c.close();
    this.#accepted.clear();
    const l = this.#listener;
    this.#listener = undefined;
    await l?.close();
  }
}
