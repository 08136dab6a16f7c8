/**
 * The connection gate for datagrams (PORT-5). UDP has no connection to check at
 * accept or dial time, so a socket asks per flow: the first datagram from a new
 * peer (receive) or to a new peer (send) is checked, and an allowed flow is
 * remembered in both directions, as a stateful firewall's connection tracking
 * does: the answer to an allowed STUN request, or media back on an allowed relay
 * flow, is not checked again. Only allowed flows are cached, so the hot path is
 * one Set lookup; a dropped datagram is checked (and traced) each time, never
 * dropped silently. A flow that passed stays open after a rule is removed, as on
 * a real firewall; new flows see the change at once.
 */
import type { EventSink } from "../events/types.ts";
import { gateCheck, openGate, type ConnectionGate } from "./gate.ts";

export interface UdpAddr {
  address: string;
  port: number;
}

export interface UdpGateOptions {
  gate?: ConnectionGate;
  events: EventSink;
  /** The simulated host that owns the socket. */
  host: string;
  purpose?: string;
  /** Most remembered flows; past it the cache starts over (flows are re-checked, not dropped). Default 65536. */
  maxFlows?: number;
}

const flowKey = (local: UdpAddr, peer: UdpAddr) => `${local.address}:${local.port}|${peer.address}:${peer.port}`;

export class UdpGate {
  private readonly flows = new Set<string>();
  private readonly gate: ConnectionGate;
  /** True when no firewall is modelled (component used alone): every call answers true at once. */
  readonly open: boolean;

  constructor(private readonly o: UdpGateOptions) {
    this.gate = o.gate ?? openGate;
    this.open = this.gate === openGate;
  }

  /** A datagram from `peer` arrived on `local`: may it be delivered? */
  receive(peer: UdpAddr, local: UdpAddr): boolean {
    if (this.open) return true;
    return this.flow(local, peer, { transport: "udp", srcAddress: peer.address, srcPort: peer.port, dstAddress: local.address, dstPort: local.port });
  }

  /** `local` is about to send to `peer`: may it leave? */
  send(local: UdpAddr, peer: UdpAddr): boolean {
    if (this.open) return true;
    return this.flow(local, peer, { transport: "udp", srcAddress: local.address, srcPort: local.port, dstAddress: peer.address, dstPort: peer.port });
  }

  private flow(local: UdpAddr, peer: UdpAddr, tuple: Parameters<ConnectionGate>[0]): boolean {
    const key = flowKey(local, peer);
    if (this.flows.has(key)) return true;
    const d = gateCheck(this.gate, this.o.events, tuple, { host: this.o.host, ...(this.o.purpose ? { purpose: this.o.purpose } : {}) });
    if (!d.allowed) return false;
    if (this.flows.size >= (this.o.maxFlows ?? 65_536)) this.flows.clear();
    this.flows.add(key);
    return true;
  }

  /** Forget every remembered flow (a scenario that wants new rules to apply to old flows too). */
  reset(): void {
    this.flows.clear();
  }
}
