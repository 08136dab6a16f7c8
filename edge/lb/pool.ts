/**
 * The servers behind one VIP: their health (fed by health.ts) and the choice of a
 * server for a client. With affinity "source" a client (by source IP) keeps its
 * server while it stays healthy, because a TURN allocation lives on one edge only
 * (RFC 5766 2.2; HLB-6 when it is missing); with "none" every new flow goes to the
 * next healthy server in turn. When a server goes down, the clients pinned to it
 * are moved on their next packet, and lb.failover says their state is lost (the
 * balancer fails over for every client, which DNS load balancing cannot: DNS-5).
 */
import type { EventSink } from "../events/types.ts";
import type { Affinity } from "./types.ts";

export interface PoolOptions {
  /** The VIP's host name for traces ("vip-av"). */
  vip: string;
  servers: string[];
  affinity: Affinity;
  events: EventSink;
  /** Affinity entries idle this long are forgotten (HLB persistence timeout); default 20 min. */
  affinityIdleMs?: number;
  /** Most affinity entries kept; the least recently used is evicted past it. Default 65536. */
  maxAffinity?: number;
  /** Consecutive failed probes before a server is marked down; default 2. */
  fall?: number;
  /** Told when a server changes state (the VIP drops the strategy's flows to a dead server). */
  onChange?: (server: string, state: "up" | "down") => void;
}

interface ServerState {
  up: boolean;
  fails: number;
  /** Why the last probe failed, for traces. */
  reason: string;
}

export class BackendPool {
  private readonly state = new Map<string, ServerState>();
  /** client IP -> server and last use; Map order is LRU order (re-inserted on use). */
  private readonly affinity = new Map<string, { server: string; last: number }>();
  private cursor = 0;
  private readonly idleMs: number;
  private readonly maxAffinity: number;
  private readonly fall: number;

  constructor(private readonly o: PoolOptions) {
    if (o.servers.length === 0) throw new RangeError(`load balancer VIP ${o.vip}: no backend servers configured`);
    for (const s of o.servers) this.state.set(s, { up: true, fails: 0, reason: "" });
    this.idleMs = o.affinityIdleMs ?? 20 * 60_000;
    this.maxAffinity = o.maxAffinity ?? 65_536;
    this.fall = o.fall ?? 2;
  }

  get servers(): string[] {
    return [...this.state.keys()];
  }

  isUp(server: string): boolean {
    return this.state.get(server)?.up === true;
  }

  healthy(): string[] {
    return this.servers.filter((s) => this.isUp(s));
  }

  /** Which server gets this client's new flow; undefined when every server is down. */
  pick(clientIp: string, now = Date.now()): string | undefined {
    if (this.o.affinity === "source") {
      const hit = this.affinity.get(clientIp);
      if (hit && this.isUp(hit.server) && now - hit.last < this.idleMs) {
        this.affinity.delete(clientIp);
        this.affinity.set(clientIp, { server: hit.server, last: now });
        return hit.server;
      }
    }
    const up = this.healthy();
    if (up.length === 0) return undefined;
    const server = up[this.cursor++ % up.length]!;
    if (this.o.affinity === "source") {
      this.affinity.delete(clientIp);
      this.affinity.set(clientIp, { server, last: now });
      while (this.affinity.size > this.maxAffinity) this.affinity.delete(this.affinity.keys().next().value!);
    }
    return server;
  }

  /** The server a client is pinned to, if any (for tests and traces). */
  pinnedTo(clientIp: string): string | undefined {
    return this.affinity.get(clientIp)?.server;
  }

  /**
   * A probe result. Returns "down" or "up" when the server changed state, else undefined.
   * Going down drops the server's affinity entries and emits lb.failover (HLB failover
   * moves new flows only: state on the dead server, such as TURN allocations, is lost).
   */
  report(server: string, ok: boolean, reason = ""): "up" | "down" | undefined {
    const s = this.state.get(server);
    if (!s) throw new RangeError(`load balancer VIP ${this.o.vip}: health result for unknown server '${server}'`);
    if (ok) {
      s.fails = 0;
      if (s.up) return undefined;
      s.up = true;
      this.o.events({ kind: "lb.health", ts: Date.now(), host: this.o.vip, rules: [], vip: this.o.vip, backend: server, detail: `${server} answers its health check again: back in rotation` });
      this.o.onChange?.(server, "up");
      return "up";
    }
    s.fails++;
    s.reason = reason;
    if (!s.up || s.fails < this.fall) return undefined;
    s.up = false;
    let lost = 0;
    for (const [ip, a] of this.affinity) {
      if (a.server !== server) continue;
      this.affinity.delete(ip);
      lost++;
    }
    this.o.events({ kind: "lb.health", ts: Date.now(), host: this.o.vip, rules: [], vip: this.o.vip, backend: server, detail: `${server} failed ${s.fails} health checks (${reason}): out of rotation` });
    const survivors = this.healthy();
    this.o.events({
      kind: "lb.failover", ts: Date.now(), host: this.o.vip, rules: ["DNS-5"], vip: this.o.vip, backend: server,
      detail: `${server} is down: new flows go to ${survivors.length ? survivors.join(", ") : "nobody (no healthy server)"}; ${lost} client(s) pinned to ${server} lose their state there (TURN allocations on ${server} are lost, as in the product)`,
    });
    this.o.onChange?.(server, "down");
    return "down";
  }
}
