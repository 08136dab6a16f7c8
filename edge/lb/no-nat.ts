/**
 * No NAT (HLB-2), the only correct mode for the A/V VIP: the server sees the real
 * client address. On loopback the balancer cannot forward a datagram with a foreign
 * source address, so it hands it to the chosen edge in-process with its original
 * 5-tuple (AvPacketSink.handleUdp), and the answer genuinely leaves from the VIP's
 * own socket: the client that sent to the VIP is answered from the VIP. (In the
 * product the answer passes back through the balancer because the balancer is the
 * edge's default gateway, HLB-5.) TCP connections are handed over as accepted
 * sockets (acceptTcp), so the server reads and writes the client's own connection.
 * The edge is told the address the balancer delivered to (its own, `server`): that
 * is the server side of a TURN allocation's 5-tuple, so once allocated the client
 * sends straight to the edge's own address and the balancer carries nothing more
 * of that allocation (HLB-3).
 *
 * answerFrom "physical" is the HLB-6 misconfiguration: the edge answers a client
 * that targeted the VIP from its own physical address, and a connected client's
 * kernel drops that answer.
 */
import dgram from "node:dgram";
import type net from "node:net";
import { assertLoopback } from "../net/loopback.ts";
import type { Addr, AnswerFrom, BackendTarget, LbStrategy, ListenerContext } from "./types.ts";
import { addrText } from "./types.ts";
import { FlowLog, forwardEvent, tuple } from "./trace.ts";

export class NoNatStrategy implements LbStrategy {
  readonly mode = "no-nat" as const;
  readonly rules: readonly string[];
  /** HLB-6 "physical": one socket per server on its own address, where its wrong answers leave from. */
  private readonly physical = new Map<string, dgram.Socket>();
  private readonly flows = new FlowLog();

  constructor(private readonly answerFrom: AnswerFrom = "targeted") {
    this.rules = answerFrom === "targeted" ? ["HLB-2", "HLB-5"] : ["HLB-6"];
  }

  async start(backends: BackendTarget[], ctx: ListenerContext): Promise<void> {
    if (this.answerFrom !== "physical" || ctx.transport !== "udp") return;
    for (const b of backends) {
      if (this.physical.has(b.server)) continue;
      const addr = assertLoopback(b.target.address, "bind the physical answer socket on");
      const socket = await bindUdp(addr, b.target.port).catch(() => bindUdp(addr, 0));
      socket.on("message", (m, r) => forwardEvent(ctx, this.rules, b.server, tuple("udp", { address: r.address, port: r.port }, localOf(socket)), `datagram to ${b.server}'s physical answer socket is not for the balancer: dropped`, m));
      socket.on("error", (e) => forwardEvent(ctx, this.rules, b.server, tuple("udp", b.target, ctx.local), `physical answer socket of ${b.server} failed: ${e.message}`));
      this.physical.set(b.server, socket);
    }
  }

  tcp(client: net.Socket, backend: BackendTarget, ctx: ListenerContext): void {
    const from: Addr = { address: client.remoteAddress ?? "?", port: client.remotePort ?? 0 };
    if (!backend.sink?.acceptTcp) {
      forwardEvent(ctx, this.rules, backend.server, tuple("tcp", from, ctx.local), `no-NAT needs ${backend.server} to accept handed connections and it has no handoff: connection from ${addrText(from)} closed`);
      client.destroy();
      return;
    }
    forwardEvent(ctx, this.rules, backend.server, tuple("tcp", from, backend.target),
      `no NAT: ${addrText(from)} -> ${addrText(ctx.local)} handed to ${backend.server} with the client's own address; answers leave from ${addrText(ctx.local)}`);
    backend.sink.acceptTcp(client, ctx.local);
  }

  udp(packet: Buffer, from: Addr, backend: BackendTarget, ctx: ListenerContext): void {
    const sink = backend.sink?.handleUdp ? backend.sink : undefined;
    if (!sink?.handleUdp) {
      forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, ctx.local), `no-NAT needs ${backend.server}'s A/V sink and it has none: datagram from ${addrText(from)} dropped`, packet);
      return;
    }
    const phys = this.physical.get(backend.server);
    const key = `${addrText(from)}|${backend.server}|${addrText(ctx.local)}`;
    if (this.flows.first(key))
      forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, backend.target),
        phys
          ? `no NAT, but ${backend.server} answers from its physical ${addrText(localOf(phys))} although ${addrText(from)} targeted the VIP ${addrText(ctx.local)}: a connected client drops those answers (HLB-6)`
          : `no NAT: ${addrText(from)} -> ${addrText(ctx.local)} handed to ${backend.server}, which sees the client's own address; answers leave from the VIP ${addrText(ctx.local)}`);
    if (ctx.capture) {
      forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, ctx.local), "outside leg", packet);
      forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, backend.target), "inside leg (destination only rewritten: the source stays the client's)", packet);
    }
    const reply = phys
      ? (d: Buffer) => {
          if (ctx.capture) forwardEvent(ctx, this.rules, backend.server, tuple("udp", localOf(phys), from), "answer from the physical address, not the VIP the client targeted (HLB-6)", d);
          phys.send(d, from.port, from.address);
        }
      : (d: Buffer) => {
          if (ctx.capture) {
            forwardEvent(ctx, this.rules, backend.server, tuple("udp", backend.target, from), "inside leg, answer towards the client via the balancer (default gateway, HLB-5)", d);
            forwardEvent(ctx, this.rules, backend.server, tuple("udp", ctx.local, from), "outside leg, answered from the VIP the client targeted", d);
          }
          ctx.udpSocket?.send(d, from.port, from.address);
        };
    try {
      // server: the destination the balancer rewrote to, the 5-tuple's server side; after its Allocate the client talks to it directly (HLB-3).
      sink.handleUdp(packet, { client: from, local: ctx.local, server: backend.target }, reply);
    } catch (e) {
      forwardEvent(ctx, this.rules, backend.server, tuple("udp", from, ctx.local), `${backend.server}'s A/V sink threw on a datagram from ${addrText(from)}: ${(e as Error).message}`, packet);
    }
  }

  forget(server: string): number {
    let n = 0;
    this.flows.forget((k) => k.split("|")[1] === server && ++n > 0);
    return n;
  }

  async close(): Promise<void> {
    for (const s of this.physical.values()) s.close();
    this.physical.clear();
  }
}

function localOf(s: dgram.Socket): Addr {
  const a = s.address();
  return { address: a.address, port: a.port };
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    s.once("error", (e) => {
      s.close();
      reject(e);
    });
    s.bind(port, address, () => {
      s.removeAllListeners("error");
      resolve(s);
    });
  });
}
