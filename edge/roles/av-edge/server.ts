/**
 * The A/V Edge of one edge server: STUN Binding and TURN (RFC 5389, RFC 5766, the
 * [MS-TURN] subset of docs/av-edge.md) behind the AvPacketSink handoff. It owns no
 * listening socket: its own listeners (listeners.ts) and the load balancer both feed
 * it, and it answers through the `reply` it was given (HLB-2). It owns the relay
 * sockets, on its own external A/V address (HLB-3).
 */
import type { Socket } from "node:net";
import type { EventSink } from "../../events/types.ts";
import { Allocation } from "./allocation.ts";
import { AllocationTable } from "./allocation-table.ts";
import { LongTermAuth } from "./auth.ts";
import type { AvEdgeStats, TraceExtra, TraceKind, TurnContext } from "./context.ts";
import { dispatchPacket } from "./dispatch.ts";
import { pathKey, type AvPacketSink, type ClientPath, type UdpFlow } from "./handoff.ts";
import { NonceIssuer } from "./nonce.ts";
import { resolveOptions, type AvEdgeOptions, type ResolvedOptions } from "./options.ts";
import { serveTcp } from "./tcp-connection.ts";
import { softwareTlv } from "./fast-binding.ts";
import { UdpGate } from "../../net/udp-gate.ts";

export class AvEdgeServer implements AvPacketSink {
  readonly options: ResolvedOptions;
  readonly stats: AvEdgeStats = { bindings: 0, allocations: 0, errors: {}, discarded: 0, relayedToPeer: 0, relayedToClient: 0 };
  private readonly table = new AllocationTable();
  private readonly ctx: TurnContext;
  private readonly tcpSockets = new Set<Socket>();
  private readonly events: EventSink;
  private stopped = false;

  constructor(options: AvEdgeOptions) {
    this.options = resolveOptions(options);
    this.events = options.events;
    const o = this.options;
    const nonces = new NonceIssuer(o.nonceLifetimeSec);
    this.ctx = {
      opts: o,
      table: this.table,
      nonces,
      auth: new LongTermAuth({ realm: o.realm, nonces, staticUsers: o.staticUsers, poolSecret: o.poolSecret }),
      stats: this.stats,
      softwareTlv: softwareTlv(o.software),
      trace: (kind, path, detail, extra) => this.trace(kind, path, detail, extra),
      allocationEvents: {
        stats: this.stats,
        relayGate: new UdpGate({ gate: o.gate, events: options.events, host: o.host, purpose: "A/V Edge relay (RTP 50000-59999)" }),
        edgePeerPort: o.edgePeerPort,
        peerDropped: (a, peer, why) => {
          this.stats.discarded++;
          this.trace("turn.relay", a.path, `from ${peer.address}:${peer.port} to ${a.relayed.address}:${a.relayed.port} discarded: ${why}`);
        },
        firstRelay: (a, peer, dir, edgeToEdge) =>
          edgeToEdge
            ? this.trace("turn.relay", a.path, `relaying to ${peer.address}:${peer.port} via ${a.relayed.address}:${a.relayed.port}, edge to edge through the peer edge's UDP ${o.edgePeerPort(peer.address)}`, { rules: ["HLB-3", "PORT-1"], relayed: a.relayed })
            : this.trace("turn.relay", a.path, `${dir === "to-peer" ? "relaying to" : "relaying from"} ${peer.address}:${peer.port} via ${a.relayed.address}:${a.relayed.port}`, { rules: ["HLB-3"], relayed: a.relayed }),
        expired: (a) => this.expire(a),
      },
    };
  }

  handleUdp(packet: Buffer, flow: UdpFlow, reply: (data: Buffer) => void): void {
    if (this.stopped) return;
    dispatchPacket(this.ctx, packet, { transport: "udp", client: flow.client, local: flow.local, ...(flow.server ? { server: flow.server } : {}), send: reply });
  }

  acceptTcp(socket: Socket, local: { address: string; port: number }): void {
    if (this.stopped || this.tcpSockets.size >= this.options.maxTcpConnections) {
      this.events({ kind: "stun.error", ts: Date.now(), host: this.options.host, rules: [], detail: `TCP connection from ${socket.remoteAddress}:${socket.remotePort} refused: ${this.stopped ? "the edge is stopping" : `${this.options.maxTcpConnections} connections already open`}` });
      socket.destroy();
      return;
    }
    this.tcpSockets.add(socket);
    serveTcp(socket, local, { idleMs: this.options.tcpIdleMs, maxFrame: this.options.maxTcpFrame }, {
      packet: (frame, path) => dispatchPacket(this.ctx, frame, path),
      framingError: (path, why) => {
        this.stats.discarded++;
        this.trace("stun.error", path, `TCP stream out of step, connection closed: ${why}`);
      },
      closed: (path) => {
        this.tcpSockets.delete(socket);
        const a = this.table.get(pathKey(path));
        if (a && this.table.delete(a)) this.trace("turn.allocation", path, `deleted ${a.relayed.address}:${a.relayed.port}: its TCP connection closed`);
      },
    });
  }

  /** Live allocations (for scenarios and tests). */
  allocations(): readonly Allocation[] {
    return this.table.all();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.table.closeAll();
    for (const s of this.tcpSockets) s.destroy();
    this.tcpSockets.clear();
  }

  private expire(a: Allocation): void {
    if (this.table.delete(a)) this.trace("turn.allocation", a.path, `expired ${a.relayed.address}:${a.relayed.port} (lifetime over, RFC 5766 5)`);
  }

  private trace(kind: TraceKind, path: ClientPath, detail: string, extra: TraceExtra = {}): void {
    const { rules = [], relayed, reachedAt, reachedBefore } = extra;
    this.events({
      kind,
      ts: Date.now(),
      host: this.options.host,
      rules,
      detail,
      ...(relayed ? { relayed: { address: relayed.address, port: relayed.port } } : {}),
      ...(reachedAt ? { reachedAt } : {}),
      ...(reachedBefore ? { reachedBefore } : {}),
      tuple: { transport: path.transport, srcAddress: path.client.address, srcPort: path.client.port, dstAddress: path.local.address, dstPort: path.local.port },
    });
  }
}
