/**
 * The kernel balancer at run time: the ruleset of ruleset.ts loaded once, then each
 * pool's map kept in step with its health checks. The health state and its events
 * (lb.health, lb.failover) are the userland balancer's own (BackendPool, HealthMonitor,
 * the same probes), so both balancers fail over on the same evidence; only the
 * forwarding differs (netfilter NAT and conntrack instead of sockets).
 *
 * The balancer does no I/O of its own: `apply` loads nft text. The caller
 * (harness/netns/nft.ts) applies it inside a network namespace the project created,
 * and refuses to in the host's.
 */
import type { EventSink } from "../../events/types.ts";
import { BackendPool } from "../pool.ts";
import { HealthMonitor, type Probe } from "../health.ts";
import { deleteRuleset, mapName, mapUpdate, renderRuleset, slotAssignment, type KernelModel, type KernelPool } from "./ruleset.ts";

/** Loads nft text (`nft -f -`); rejects with nft's error. */
export type NftApply = (script: string) => Promise<void>;

export interface KernelPoolSpec extends KernelPool {
  /** The same probe the userland VIP would use for this pool. */
  probe?: Probe;
}

export interface KernelBalancerOptions {
  table?: string;
  pools: KernelPoolSpec[];
  apply: NftApply;
  /**
   * Drops the connection-tracking entries of flows this VIP port DNATed to a server that
   * went down, so their next packet is balanced again (a hardware balancer's "reselect on
   * service down"; LVS's expire_nodest_conn). Without it they keep going to the dead server.
   */
  forgetFlows?: (flow: { transport: "udp" | "tcp"; vipAddress: string; port: number; backend?: string }) => Promise<void>;
  events: EventSink;
  healthIntervalMs?: number;
  /** Failed probes before a server leaves the map; default 2. */
  fall?: number;
}

interface Running {
  spec: KernelPoolSpec;
  pool: BackendPool;
  monitor?: HealthMonitor;
  /** Map updates run one after another, in the order the health changes happened. */
  queue: Promise<void>;
}

export class KernelBalancer {
  private readonly running = new Map<string, Running>();
  private stopped = false;

  private constructor(private readonly o: KernelBalancerOptions) {}

  static async start(o: KernelBalancerOptions): Promise<KernelBalancer> {
    const b = new KernelBalancer(o);
    const model = b.model;
    await b.forgetAll(); // a previous world's NATed entries on these VIP ports must not steer this one's packets
    await o.apply(renderRuleset(model));
    o.events({ kind: "note", ts: Date.now(), host: "hlb", rules: ["HLB-1", "HLB-2"], detail: `kernel balancer: nftables table ip ${model.table ?? "edgesim"} loaded with ${o.pools.length} VIP pools (DNAT by ${o.pools[0]?.affinity === "none" ? "round robin" : "source-address hash"})` });
    for (const spec of o.pools) b.track(spec);
    return b;
  }

  get model(): KernelModel {
    return { ...(this.o.table ? { table: this.o.table } : {}), pools: this.o.pools };
  }

  /** The pools by map name ("vip_access_5061", "vip_av"). */
  get maps(): string[] {
    return [...this.running.keys()];
  }

  /** The health state of one pool (the same BackendPool as a userland VIP's). */
  pool(map: string): BackendPool {
    const r = this.running.get(map);
    if (!r) throw new RangeError(`kernel balancer: no pool '${map}' (have ${this.maps.join(", ")})`);
    return r.pool;
  }

  /** The pool behind a userland VIP key ("vip-av", "vip-access:5061"), if this balancer has it. */
  poolForVip(vipKey: string): BackendPool | undefined {
    return this.running.get(vipKey.replace(/:/g, "_").replace(/[^A-Za-z0-9_]/g, "_"))?.pool;
  }

  /** Resolves when every map update caused so far is loaded. */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.queue));
  }

  /** Which backend address each slot of a pool's map points at now. */
  slots(map: string): string[] {
    const r = this.running.get(map)!;
    return slotAssignment(r.spec, r.pool.healthy()).map((b) => b.address);
  }

  private track(spec: KernelPoolSpec): void {
    const map = mapName(spec);
    const r: Running = {
      spec, queue: Promise.resolve(),
      pool: new BackendPool({
        vip: spec.vip, servers: spec.backends.map((b) => b.server), affinity: spec.affinity, events: this.o.events,
        ...(this.o.fall !== undefined ? { fall: this.o.fall } : {}),
        onChange: (server, state) => this.refresh(r, state === "down" ? server : undefined),
      }),
    };
    if (spec.probe) {
      r.monitor = new HealthMonitor(r.pool, spec.probe, { intervalMs: this.o.healthIntervalMs ?? 2000 });
      r.monitor.start();
    }
    this.running.set(map, r);
  }

  /** A server changed state: rewrite the pool's map (the dead edge leaves it) in one nft transaction. */
  private refresh(r: Running, down?: string): void {
    const healthy = r.pool.healthy();
    const dead = r.spec.backends.find((b) => b.server === down);
    r.queue = r.queue.then(async () => {
      if (this.stopped) return;
      try {
        await this.o.apply(mapUpdate(this.model, r.spec, healthy));
        if (dead && this.o.forgetFlows)
          for (const p of r.spec.ports) await this.o.forgetFlows({ transport: p.transport, vipAddress: r.spec.vipAddress, port: p.port, backend: dead.address });
        const slots = slotAssignment(r.spec, healthy);
        this.o.events({ kind: "note", ts: Date.now(), host: r.spec.vip, rules: ["DNS-5"], detail: `kernel balancer: map ${mapName(r.spec)} now ${slots.length ? slots.map((b, i) => `${i}->${b.server}`).join(", ") : "empty: no healthy server, the VIP refuses"}` });
      } catch (e) {
        this.o.events({ kind: "note", ts: Date.now(), host: r.spec.vip, rules: [], detail: `kernel balancer: could not update map ${mapName(r.spec)}: ${(e as Error).message}` });
      }
    });
  }

  /** One round of health probes on every pool now, and the map updates they cause (tests). */
  async checkHealth(): Promise<void> {
    for (const r of this.running.values()) await r.monitor?.checkNow();
    await Promise.all([...this.running.values()].map((r) => r.queue));
  }

  /** Drops every conntrack entry of flows to the VIP ports (any backend). */
  private async forgetAll(): Promise<void> {
    if (!this.o.forgetFlows) return;
    for (const p of this.o.pools) for (const port of p.ports) await this.o.forgetFlows({ transport: port.transport, vipAddress: p.vipAddress, port: port.port });
  }

  /** Stops the probes and removes the table and its flows: the namespace is left as it was found. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running.values()].map(async (r) => {
      await r.monitor?.stop();
      await r.queue;
    }));
    await this.o.apply(deleteRuleset(this.model));
    await this.forgetAll();
  }
}
