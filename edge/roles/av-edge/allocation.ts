/**
 * One TURN allocation (RFC 5766 5): the client's 5-tuple, the relayed transport address
 * on the edge's own external A/V IP (HLB-3), the username that made it (441 for any
 * other), its lifetime, its permissions (8: by peer IP, 300 s) and channels (11: by
 * number and by peer transport address, 600 s). Permissions and channels are checked
 * for expiry when used, so nothing runs per second; the allocation itself has a timer.
 */
import type dgram from "node:dgram";
import { Data, encodeChannelData, StunClass, StunMessageBuilder, StunMethod, XorPeerAddress, newTransactionId } from "../../wire/stun/index.ts";
import type { ClientPath } from "./handoff.ts";
import type { UdpGate } from "../../net/udp-gate.ts";

export interface Peer { address: string; port: number }

export interface AllocationEvents {
  /** A packet from a peer the allocation has no permission for (RFC 5766 10.3: discarded). */
  peerDropped(a: Allocation, peer: Peer, why: string): void;
  /** The first packet relayed towards a peer or towards the client, per peer; `edgeToEdge` when it goes through the peer edge's STUN port (PORT-1). */
  firstRelay(a: Allocation, peer: Peer, direction: "to-peer" | "to-client", edgeToEdge?: boolean): void;
  expired(a: Allocation): void;
  /** Counters shared with the server. */
  readonly stats: { relayedToClient: number };
  /** The firewall for relay flows (PORT-1, PORT-5): each new peer flow is checked in and out; a drop is traced by the gate. */
  readonly relayGate?: UdpGate;
  /** Edge-to-edge media (options.ts `edgePeerPort`): the peer edge's STUN port, or undefined for a raw relay flow. */
  readonly edgePeerPort?: (peerIp: string) => number | undefined;
}

export class Allocation {
  readonly permissions = new Map<string, number>();
  readonly channels = new Map<number, { peer: Peer; expiresAt: number }>();
  private readonly channelByPeer = new Map<string, number>();
  private readonly announced = new Set<string>();
  expiresAt = 0;
  private timer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    readonly key: string,
    public path: ClientPath,
    readonly username: string,
    readonly user: string,
    readonly relay: dgram.Socket,
    readonly relayed: Peer,
    /** The Allocate transaction and its success, for retransmissions (RFC 5766 6.2). */
    readonly allocateTx: string,
    readonly allocateResponse: Buffer,
    private readonly events: AllocationEvents,
  ) {
    relay.on("message", (data, rinfo) => this.fromPeer(data, { address: rinfo.address, port: rinfo.port }));
    relay.on("error", () => this.close());
  }

  /**
   * The client used this path for the allocation's 5-tuple (a request, Send indication
   * or ChannelData): data towards the client goes the same way from now on. Returns the
   * address the client targeted before when that changed (HLB-3: from the VIP to the
   * edge's own address), else undefined.
   */
  follow(path: ClientPath): ClientPath["local"] | undefined {
    const before = this.path.local;
    this.path = path;
    return before.address !== path.local.address || before.port !== path.local.port ? before : undefined;
  }

  /** Sets the time-to-expiry timer (RFC 5766 6.2, 7.2). */
  setLifetime(seconds: number, now = Date.now()): void {
    this.expiresAt = now + seconds * 1000;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.closed) this.events.expired(this);
    }, seconds * 1000);
    this.timer.unref();
  }

  installPermission(ip: string, lifetimeMs: number, now = Date.now()): void {
    this.permissions.set(ip, now + lifetimeMs);
  }

  hasPermission(ip: string, now = Date.now()): boolean {
    const until = this.permissions.get(ip);
    return until !== undefined && until > now;
  }

  /** RFC 5766 11.2: a channel number is bound to one peer and a peer to one channel. */
  channelConflict(channel: number, peer: Peer): string | undefined {
    const bound = this.channels.get(channel);
    if (bound && (bound.peer.address !== peer.address || bound.peer.port !== peer.port))
      return `channel 0x${channel.toString(16)} is bound to ${bound.peer.address}:${bound.peer.port}`;
    const other = this.channelByPeer.get(`${peer.address}:${peer.port}`);
    if (other !== undefined && other !== channel) return `peer ${peer.address}:${peer.port} is bound to channel 0x${other.toString(16)}`;
    return undefined;
  }

  bindChannel(channel: number, peer: Peer, lifetimeMs: number, now = Date.now()): void {
    this.channels.set(channel, { peer, expiresAt: now + lifetimeMs });
    this.channelByPeer.set(`${peer.address}:${peer.port}`, channel);
  }

  /** The live channel's peer, or undefined (unbound or expired, RFC 5766 11.6). */
  channelPeer(channel: number, now = Date.now()): Peer | undefined {
    const c = this.channels.get(channel);
    return c && c.expiresAt > now ? c.peer : undefined;
  }

  /**
   * Client -> peer over a live channel (RFC 5766 11.6): "unbound" when the channel is
   * unbound or expired, "dropped" when the firewall has no rule for the flow (traced by the gate).
   */
  sendOnChannel(channel: number, data: Buffer): "sent" | "unbound" | "dropped" {
    const c = this.channels.get(channel);
    if (!c || c.expiresAt <= Date.now()) return "unbound";
    return this.sendToPeer(c.peer, data) ? "sent" : "dropped";
  }

  /**
   * Client -> peer from the relay socket (RFC 5766 10.2, 11.6); false when the firewall drops
   * the flow (traced by the gate). To a Lync 2010/2013 A/V Edge the datagram goes to that
   * edge's STUN port as a Send indication naming the peer (its relayed address), so the
   * edges talk over UDP 3478 and the peer edge hands it to its allocation as coming from our
   * relayed address (PORT-1: edge-to-edge media needs no UDP 50000-59999 rule).
   */
  sendToPeer(peer: Peer, data: Buffer): boolean {
    const edgePort = this.events.edgePeerPort?.(peer.address);
    const to = edgePort === undefined ? peer : { address: peer.address, port: edgePort };
    if (this.events.relayGate && !this.events.relayGate.send(this.relayed, to)) return false;
    const key = `>${peer.address}:${peer.port}`;
    if (!this.announced.has(key)) {
      this.announced.add(key);
      this.events.firstRelay(this, peer, "to-peer", edgePort !== undefined);
    }
    const bytes = edgePort === undefined ? data : new StunMessageBuilder(StunMethod.Send, StunClass.Indication, newTransactionId())
      .set(XorPeerAddress({ family: "IPv4", address: peer.address, port: peer.port })).set(Data(data)).encode();
    this.relay.send(bytes, to.port, to.address);
    return true;
  }

  /** Edge-to-edge media from a peer edge (sendToPeer's other end): it already passed the firewall on the STUN port. */
  fromEdge(data: Buffer, peer: Peer): void {
    this.fromPeer(data, peer, false);
  }

  /** Peer -> client: ChannelData when a channel is bound, otherwise a Data indication (RFC 5766 10.3, 11.7). */
  private fromPeer(data: Buffer, peer: Peer, gated = true): void {
    const now = Date.now();
    if (gated && this.events.relayGate && !this.events.relayGate.receive(peer, this.relayed)) return;
    if (!this.hasPermission(peer.address, now)) return this.events.peerDropped(this, peer, "no permission for this peer IP (RFC 5766 10.3)");
    this.events.stats.relayedToClient++;
    const key = `${peer.address}:${peer.port}`;
    if (!this.announced.has(key)) {
      this.announced.add(key);
      this.events.firstRelay(this, peer, "to-client");
    }
    const channel = this.channelByPeer.get(key);
    if (channel !== undefined && this.channelPeer(channel, now)) {
      this.path.send(encodeChannelData(channel, data, this.path.transport));
      return;
    }
    const ind = new StunMessageBuilder(StunMethod.Data, StunClass.Indication, newTransactionId())
      .set(XorPeerAddress({ family: "IPv4", address: peer.address, port: peer.port }))
      .set(Data(data));
    this.path.send(ind.encode());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    try {
      this.relay.close();
    } catch {
      // already closed by an error: nothing left to release
    }
  }
}
