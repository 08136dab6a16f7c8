/**
 * One VIP of the hardware load balancer: its listening sockets (TCP servers and UDP
 * sockets on the VIP address), its pool of servers (health, affinity) and its
 * strategy (SNAT or no NAT). Every address it binds or dials is checked to be in
 * 127.0.0.0/8.
 */
import net from "node:net";
import dgram from "node:dgram";
import type { EventSink } from "../events/types.ts";
import { assertLoopback } from "../net/loopback.ts";
import { gateCheck, openGate, type ConnectionGate } from "../net/gate.ts";
import { UdpGate } from "../net/udp-gate.ts";
import { BackendPool } from "./pool.ts";
import { bringUpVip, type HealthMonitor, type Probe } from "./health.ts";
import type { Affinity, BackendTarget, LbStrategy, ListenerContext } from "./types.ts";
import { addrText } from "./types.ts";
import { forwardEvent, tuple } from "./trace.ts";

export interface VipListenerSpec {
  port: number;
  transport: "udp" | "tcp";
  /** One target per server of the pool for this port. */
  backends: BackendTarget[];
}

export interface VipOptions {
  /** The VIP's host name in the address plan ("vip-access"). */
  name: string;
  address: string;
  servers: string[];
  listeners: VipListenerSpec[];
  strategy: LbStrategy;
  affinity?: Affinity;
  events: EventSink;
  capture?: boolean;
  /** Health probe per server; without one every server is taken as healthy. */
  probe?: Probe;
  healthIntervalMs?: number;
  /** Failed probes before a server is out of rotation; default 2. */
  fall?: number;
  /** Most TCP connections open through this VIP; default 4096. */
  maxConnections?: number;
  /**
   * The firewall in front of the VIP (PORT-2, PORT-3, PORT-5): every accepted client and
   * every new UDP client flow is checked before a server is picked; a drop is reset
   * (TCP) or not delivered (UDP) and traced by the gate. Default openGate.
   */
  gate?: ConnectionGate;
}

/** Most TCP connections open at once per VIP listener unless VipOptions.maxConnections says otherwise. */
export const VIP_DEFAULT_MAX_CONNECTIONS = 4096;

interface Bound {
  spec: VipListenerSpec;
  ctx: ListenerContext;
  close(): Promise<void>;
}

export class Vip {
  readonly pool: BackendPool;
  private monitor: HealthMonitor | undefined;
  private readonly bound: Bound[] = [];

  private constructor(readonly o: VipOptions) {
    this.pool = new BackendPool({
      vip: o.name, servers: o.servers, affinity: o.affinity ?? "source", events: o.events,
      ...(o.fall !== undefined ? { fall: o.fall } : {}),
      onChange: (server, state) => { if (state === "down") o.strategy.forget(server); },
    });
  }

  static async start(o: VipOptions): Promise<Vip> {
    assertLoopback(o.address, `bind VIP ${o.name} on`);
    const vip = new Vip(o);
    vip.monitor = await bringUpVip({
      name: o.name,
      address: o.address,
      pool: vip.pool,
      probe: o.probe,
      healthIntervalMs: o.healthIntervalMs,
      open: async () => {
        for (const spec of o.listeners) vip.bound.push(await vip.listen(spec));
      },
      stop: () => vip.stop(),
    });
    return vip;
  }

  /** The addresses this VIP listens on. */
  get endpoints(): { address: string; port: number; transport: "udp" | "tcp" }[] {
    return this.bound.map((b) => ({ ...b.ctx.local, transport: b.spec.transport }));
  }

  /** One round of health probes now (tests; the monitor also runs on its interval). */
  async checkHealth(): Promise<void> {
    await this.monitor?.checkNow();
  }

  private backendFor(spec: VipListenerSpec, server: string): BackendTarget | undefined {
    return spec.backends.find((b) => b.server === server);
  }

  private async listen(spec: VipListenerSpec): Promise<Bound> {
    const local = { address: this.o.address, port: spec.port };
    const ctx: ListenerContext = { vip: this.o.name, local, transport: spec.transport, events: this.o.events, capture: this.o.capture ?? false };
    const failedFor = (clientIp: string) => (server: string, reason: string) => {
      this.pool.report(server, false, reason);
      const other = this.pool.healthy().find((s) => s !== server) ?? this.pool.pick(clientIp);
      return other && other !== server ? this.backendFor(spec, other) : undefined;
    };
    const choose = (clientIp: string, from: { address: string; port: number }, payload?: Buffer): BackendTarget | undefined => {
      const server = this.pool.pick(clientIp);
      const backend = server ? this.backendFor(spec, server) : undefined;
      if (!backend)
        forwardEvent(ctx, this.o.strategy.rules, server, tuple(spec.transport, from, local),
          server ? `${server} has no target for ${spec.transport} ${spec.port}: ${addrText(from)} refused` : `no healthy server behind ${this.o.name}: ${addrText(from)} refused`, payload);
      return backend;
    };
    const gate = this.o.gate ?? openGate;
    const purpose = `${this.o.name} ${spec.transport.toUpperCase()} ${spec.port}`;
    if (spec.transport === "tcp") {
      const server = net.createServer((sock) => {
        const from = { address: sock.remoteAddress ?? "?", port: sock.remotePort ?? 0 };
        sock.on("error", () => sock.destroy());
        if (gate !== openGate) {
          const t = { transport: "tcp" as const, srcAddress: from.address, srcPort: from.port, dstAddress: local.address, dstPort: local.port };
          if (!gateCheck(gate, this.o.events, t, { host: this.o.name, purpose }).allowed) return void sock.resetAndDestroy();
        }
        const backend = choose(from.address, from);
        if (!backend) return void sock.destroy();
        this.o.strategy.tcp(sock, backend, ctx, failedFor(from.address));
      });
      server.maxConnections = this.o.maxConnections ?? VIP_DEFAULT_MAX_CONNECTIONS;
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(spec.port, local.address, () => {
          server.off("error", reject);
          resolve();
        });
      });
      local.port = (server.address() as net.AddressInfo).port;
      await this.o.strategy.start?.(spec.backends, ctx);
      return { spec, ctx, close: () => new Promise<void>((r) => server.close(() => r())) };
    }
    // The same 4 MiB receive buffer as the edges' own listeners: a burst of garbage at the VIP must not push a valid
    // request out of a 208 KiB default queue (RFC 5389 7.3 discards garbage, but only once it has been read).
    const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
    ctx.udpSocket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(spec.port, local.address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    local.port = socket.address().port;
    socket.on("error", (e) => forwardEvent(ctx, this.o.strategy.rules, undefined, tuple("udp", local, local), `VIP socket error: ${e.message}`));
    const fw = new UdpGate({ gate, events: this.o.events, host: this.o.name, purpose });
    socket.on("message", (msg, rinfo) => {
      const from = { address: rinfo.address, port: rinfo.port };
      if (!fw.receive(from, local)) return; // dropped by the firewall, traced by the gate (PORT-5)
      const backend = choose(from.address, from, msg);
      if (backend) this.o.strategy.udp(msg, from, backend, ctx, failedFor(from.address));
    });
    await this.o.strategy.start?.(spec.backends, ctx);
    return { spec, ctx, close: () => new Promise<void>((r) => socket.close(() => r())) };
  }

  async stop(): Promise<void> {
    await this.monitor?.stop();
    await this.o.strategy.close();
    await Promise.all(this.bound.splice(0).map((b) => b.close()));
  }
}
