/**
 * SNAT (HLB-1): the VIP replaces the client's source address with its own. On
 * loopback the rewrite is real: TCP is re-dialled to the server FROM the VIP's
 * address (localAddress), UDP leaves from a per-client socket bound on the VIP's
 * address, so the server's socket genuinely sees the balancer as its peer, answers
 * the balancer, and the balancer restores the addresses towards the client.
 * Allowed on the Access and Web Conferencing VIPs; on the A/V VIP it is the HLB-6
 * misconfiguration (XOR-MAPPED-ADDRESS then names the balancer).
 */
import net from "node:net";
import dgram from "node:dgram";
import { assertLoopback } from "../net/loopback.ts";
import type { Addr, BackendFailed, BackendTarget, LbStrategy, ListenerContext } from "./types.ts";
import { addrText } from "./types.ts";
import { FlowLog, forwardEvent, tuple } from "./trace.ts";

export interface SnatOptions {
  /** UDP sessions idle this long are closed; default 60 s. */
  udpIdleMs?: number;
  /** Most UDP sessions at once; past it new clients are refused (traced). Default 4096. */
  maxUdpSessions?: number;
  /** Datagrams queued per session while its socket binds; default 64. */
  maxPending?: number;
}

/** The defaults of SnatOptions, exported so benches and docs print the real figures. */
export const SNAT_DEFAULTS: Readonly<Required<SnatOptions>> = Object.freeze({ udpIdleMs: 60_000, maxUdpSessions: 4096, maxPending: 64 });

interface UdpSession {
  key: string;
  client: Addr;
  server: string;
  target: Addr;
  socket: dgram.Socket;
  ready: boolean;
  pending: Buffer[];
  last: number;
  ctx: ListenerContext;
}

export class SnatStrategy implements LbStrategy {
  readonly mode = "snat" as const;
  readonly rules: readonly string[];
  private readonly sessions = new Map<string, UdpSession>();
  private readonly tcpConns = new Set<net.Socket>();
  private readonly sweep: NodeJS.Timeout;
  private readonly flows = new FlowLog();

  /** `rules`: HLB-1 on Access/Web Conferencing; the A/V VIP passes ["HLB-6"] (SNAT where it must not be). */
  constructor(private readonly o: SnatOptions = {}, rules: readonly string[] = ["HLB-1"]) {
    this.rules = rules;
    const idle = o.udpIdleMs ?? SNAT_DEFAULTS.udpIdleMs;
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const s of this.sessions.values()) if (now - s.last > idle) this.closeSession(s);
    }, Math.max(50, Math.floor(idle / 2)));
    this.sweep.unref();
  }

  tcp(client: net.Socket, backend: BackendTarget, ctx: ListenerContext, failed: BackendFailed, retried = false): void {
    const from: Addr = { address: client.remoteAddress ?? "?", port: client.remotePort ?? 0 };
    const t = backend.target;
    assertLoopback(t.address, "SNAT-dial");
    client.pause();
    const inside = net.connect({ host: t.address, port: t.port, localAddress: assertLoopback(ctx.local.address, "SNAT-dial from") });
    this.tcpConns.add(client).add(inside);
    let connected = false;
    inside.once("connect", () => {
      connected = true;
      const snat: Addr = { address: inside.localAddress ?? ctx.local.address, port: inside.localPort ?? 0 };
      forwardEvent(ctx, this.rules, backend.server, tuple("tcp", snat, t),
        `SNAT: ${addrText(from)} -> ${addrText(ctx.local)} carried to ${backend.server} ${addrText(t)} from the VIP's own ${addrText(snat)}: ${backend.server} sees the balancer, not the client`);
      if (ctx.capture) {
        client.on("data", (d: Buffer) => {
          forwardEvent(ctx, this.rules, backend.server, tuple("tcp", from, ctx.local), "outside leg", d);
          forwardEvent(ctx, this.rules, backend.server, tuple("tcp", snat, t), "inside leg (source rewritten to the VIP)", d);
        });
        inside.on("data", (d: Buffer) => {
          forwardEvent(ctx, this.rules, backend.server, tuple("tcp", t, snat), "inside leg, answer to the VIP", d);
          forwardEvent(ctx, this.rules, backend.server, tuple("tcp", ctx.local, from), "outside leg, addresses restored", d);
        });
      }
      client.pipe(inside);
      inside.pipe(client);
      client.resume();
      inside.once("close", close);
    });
    const close = () => {
      client.destroy();
      inside.destroy();
      this.tcpConns.delete(client);
      this.tcpConns.delete(inside);
    };
    let failedOnce = false;
    inside.on("error", (e) => {
      if (connected) return close();
      if (failedOnce) return;
      failedOnce = true;
      this.tcpConns.delete(inside);
      inside.destroy();
      const next = failed(backend.server, `connect to ${addrText(t)} failed: ${e.message}`);
      if (next && !retried && next.server !== backend.server) return this.tcp(client, next, ctx, failed, true);
      forwardEvent(ctx, this.rules, backend.server, tuple("tcp", from, ctx.local), `no server took ${addrText(from)}: ${e.message}; connection closed`);
      close();
    });
    client.on("error", close);
    client.once("close", close);
  }

  udp(packet: Buffer, from: Addr, backend: BackendTarget, ctx: ListenerContext): void {
    const key = `${addrText(from)}|${backend.server}|${addrText(ctx.local)}`;
    let s = this.sessions.get(key);
    if (!s) {
      if (this.sessions.size >= (this.o.maxUdpSessions ?? SNAT_DEFAULTS.maxUdpSessions)) {
        forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, ctx.local), `SNAT session table full (${this.sessions.size}): datagram from ${addrText(from)} dropped`, packet);
        return;
      }
      s = this.openSession(key, from, backend, ctx);
    }
    s.last = Date.now();
    if (ctx.capture) forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, ctx.local), "outside leg", packet);
    if (!s.ready) {
      if (s.pending.length < (this.o.maxPending ?? SNAT_DEFAULTS.maxPending)) s.pending.push(packet);
      else forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, ctx.local), "SNAT session still binding and its queue is full: datagram dropped", packet);
      return;
    }
    this.sendInside(s, packet);
  }

  private openSession(key: string, client: Addr, backend: BackendTarget, ctx: ListenerContext): UdpSession {
    const socket = dgram.createSocket("udp4");
    const s: UdpSession = { key, client, server: backend.server, target: backend.target, socket, ready: false, pending: [], last: Date.now(), ctx };
    this.sessions.set(key, s);
    assertLoopback(backend.target.address, "SNAT-send to");
    socket.on("message", (msg, rinfo) => {
      s.last = Date.now();
      const fromServer = rinfo.address === s.target.address && rinfo.port === s.target.port;
      if (!fromServer) {
        forwardEvent(ctx, this.rules, s.server, tuple("udp", { address: rinfo.address, port: rinfo.port }, this.snatAddr(s)), `SNAT session of ${addrText(client)} got a datagram from ${rinfo.address}:${rinfo.port}, not its server: dropped`, msg);
        return;
      }
      if (ctx.capture) {
        forwardEvent(ctx, this.rules, s.server, tuple("udp", s.target, this.snatAddr(s)), "inside leg, answer to the VIP", msg);
        forwardEvent(ctx, this.rules, s.server, tuple("udp", ctx.local, client), "outside leg, addresses restored", msg);
      }
      ctx.udpSocket?.send(msg, client.port, client.address);
    });
    socket.on("error", (e) => {
      forwardEvent(ctx, this.rules, s.server, tuple("udp", client, ctx.local), `SNAT session socket failed: ${e.message}; session closed`);
      this.closeSession(s);
    });
    socket.bind(0, assertLoopback(ctx.local.address, "SNAT-bind"), () => {
      s.ready = true;
      const snat = this.snatAddr(s);
      if (this.flows.first(key))
        forwardEvent(ctx, this.rules, s.server, tuple("udp", snat, s.target),
          `SNAT: ${addrText(client)} -> ${addrText(ctx.local)} carried to ${s.server} ${addrText(s.target)} from the VIP's own ${addrText(snat)}: ${s.server} sees the balancer, not the client`);
      for (const p of s.pending.splice(0)) this.sendInside(s, p);
    });
    return s;
  }

  private snatAddr(s: UdpSession): Addr {
    try {
      const a = s.socket.address();
      return { address: a.address, port: a.port };
    } catch {
      return { address: s.ctx.local.address, port: 0 };
    }
  }

  private sendInside(s: UdpSession, packet: Buffer): void {
    if (s.ctx.capture) forwardEvent(s.ctx, this.rules, s.server, tuple("udp", this.snatAddr(s), s.target), "inside leg (source rewritten to the VIP)", packet);
    s.socket.send(packet, s.target.port, s.target.address);
  }

  private closeSession(s: UdpSession): void {
    if (this.sessions.get(s.key) !== s) return;
    this.sessions.delete(s.key);
    this.flows.forget((k) => k === s.key);
    try {
      s.socket.close();
    } catch {
      // already closed by its error handler
      return;
    }
  }

  forget(server: string): number {
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.server !== server) continue;
      this.closeSession(s);
      n++;
    }
    return n;
  }

  get udpSessions(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    for (const s of [...this.sessions.values()]) this.closeSession(s);
    for (const c of this.tcpConns) c.destroy();
    this.tcpConns.clear();
  }
}
