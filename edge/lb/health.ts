/**
 * Health checks: the balancer probes each server and takes it out of rotation when
 * it stops answering (BackendPool.report). Probes: a TCP connect (Access, Web
 * Conferencing, internal VIPs), a STUN Binding over UDP to the server's own address
 * (RFC 5389 7), or a STUN Binding handed in-process to an A/V Edge sink (no-NAT,
 * where the server has no socket on the VIP). Every probe is bounded by a timeout.
 */
import net from "node:net";
import dgram from "node:dgram";
import { assertLoopback } from "../net/loopback.ts";
import { StunClass, StunMethod, StunMessageBuilder, decodeStun, isStun, newTransactionId } from "../wire/stun/index.ts";
import type { AvPacketSink } from "../roles/av-edge/handoff.ts";
import type { BackendPool } from "./pool.ts";
import type { Addr } from "./types.ts";

/** Resolves when the server is healthy, rejects with the reason otherwise. */
export type Probe = (server: string) => Promise<void>;

function withTimeout<T>(what: string, ms: number, run: (done: (err?: Error, v?: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => undefined;
    const timer = setTimeout(() => finish(new Error(`${what}: no answer within ${ms} ms`)), ms);
    const finish = (err?: Error, v?: T) => {
      clearTimeout(timer);
      cleanup();
      if (err) reject(err);
      else resolve(v as T);
    };
    cleanup = run(finish);
  });
}

/** TCP connect from `localAddress` (the balancer's own address) to the server. */
export function tcpConnectProbe(targetOf: (server: string) => Addr, localAddress: string, timeoutMs = 1000): Probe {
  return (server) => {
    const t = targetOf(server);
    assertLoopback(t.address, "health-check");
    assertLoopback(localAddress, "health-check from");
    return withTimeout(`TCP health check of ${server} at ${t.address}:${t.port}`, timeoutMs, (done) => {
      const s = net.connect({ host: t.address, port: t.port, localAddress });
      s.once("connect", () => done());
      s.once("error", (e) => done(new Error(`TCP health check of ${server} at ${t.address}:${t.port}: ${e.message}`)));
      return () => s.destroy();
    });
  };
}

function bindingRequest(): { txId: Buffer; bytes: Buffer } {
  const txId = newTransactionId();
  return { txId, bytes: new StunMessageBuilder(StunMethod.Binding, StunClass.Request, txId).addFingerprint().encode() };
}

function isBindingSuccess(data: Buffer, txId: Buffer): boolean {
  if (!isStun(data)) return false;
  try {
    const m = decodeStun(data);
    return m.method === StunMethod.Binding && m.cls === StunClass.SuccessResponse && Buffer.compare(m.transactionId, txId) === 0;
  } catch {
    return false;
  }
}

/** STUN Binding over UDP from `localAddress` to the server's own UDP listener. */
export function stunUdpProbe(targetOf: (server: string) => Addr, localAddress: string, timeoutMs = 1000): Probe {
  return (server) => {
    const t = targetOf(server);
    assertLoopback(t.address, "health-check");
    assertLoopback(localAddress, "health-check from");
    const { txId, bytes } = bindingRequest();
    return withTimeout(`STUN health check of ${server} at ${t.address}:${t.port}`, timeoutMs, (done) => {
      const s = dgram.createSocket("udp4");
      s.on("message", (m) => { if (isBindingSuccess(m, txId)) done(); });
      s.once("error", (e) => done(new Error(`STUN health check of ${server}: ${e.message}`)));
      s.bind(0, localAddress, () => s.send(bytes, t.port, t.address));
      return () => s.close();
    });
  };
}

/** STUN Binding handed to the server's A/V sink in-process, as if from `from` to `local`. */
export function sinkBindingProbe(sinkOf: (server: string) => Pick<AvPacketSink, "handleUdp"> | undefined, from: Addr, local: Addr, timeoutMs = 1000): Probe {
  return (server) => {
    const sink = sinkOf(server);
    if (!sink) return Promise.reject(new Error(`STUN health check of ${server}: no A/V sink for it`));
    const { txId, bytes } = bindingRequest();
    return withTimeout(`STUN health check of ${server} (in-process)`, timeoutMs, (done) => {
      let open = true;
      try {
        sink.handleUdp(bytes, { client: from, local }, (d) => { if (open && isBindingSuccess(d, txId)) done(); });
      } catch (e) {
        queueMicrotask(() => done(new Error(`STUN health check of ${server}: the sink threw ${(e as Error).message}`)));
      }
      return () => { open = false; };
    });
  };
}

export interface MonitorOptions {
  /** Time between probe rounds; default 2000 ms. */
  intervalMs?: number;
}

/** Probes every server of a pool each interval; one round at a time, never overlapping. */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly pool: BackendPool, private readonly probe: Probe, private readonly o: MonitorOptions = {}) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.checkNow().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs ?? 2000);
      });
    };
    this.timer = setTimeout(tick, this.o.intervalMs ?? 2000);
  }

  /** One round of probes now. */
  async checkNow(): Promise<void> {
    await Promise.all(
      this.pool.servers.map((s) =>
        this.probe(s).then(
          () => this.pool.report(s, true),
          (e: Error) => this.pool.report(s, false, e.message),
        ),
      ),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * Brings a VIP up: `open` binds its listeners, then, when it has a probe, its health
 * monitor starts (every 2 s unless told otherwise). On any failure what was opened is
 * closed with `stop` and the error names the VIP, so a half-open VIP never holds a port.
 * Shared by the L4 `Vip` and the L7 `HttpVip`.
 */
export async function bringUpVip(o: {
  name: string;
  address: string;
  pool: BackendPool;
  probe?: Probe | undefined;
  healthIntervalMs?: number | undefined;
  open: () => Promise<void>;
  stop: () => Promise<void>;
}): Promise<HealthMonitor | undefined> {
  try {
    await o.open();
    if (!o.probe) return undefined;
    const monitor = new HealthMonitor(o.pool, o.probe, { intervalMs: o.healthIntervalMs ?? 2000 });
    monitor.start();
    return monitor;
  } catch (e) {
    await o.stop();
    throw new Error(`load balancer VIP ${o.name} ${o.address}: ${(e as Error).message}`, { cause: e });
  }
}
