/**
 * The balancer's lb.forward events: one per new flow normally, one per datagram or
 * TCP chunk with its bytes when capture is on (the pcap writer draws each leg with
 * the addresses it really used, so the SNAT rewrite is visible leg by leg).
 */
import type { FiveTuple } from "../events/types.ts";
import type { Addr, ListenerContext } from "./types.ts";

export type Leg = "outside-in" | "inside-out" | "inside-back" | "outside-back";

export function tuple(transport: "udp" | "tcp", src: Addr, dst: Addr): FiveTuple {
  return { transport, srcAddress: src.address, srcPort: src.port, dstAddress: dst.address, dstPort: dst.port };
}

export function forwardEvent(ctx: ListenerContext, rules: readonly string[], backend: string | undefined, t: FiveTuple, detail: string, payload?: Buffer): void {
  ctx.events({
    kind: "lb.forward", ts: Date.now(), host: ctx.vip, rules: [...rules], vip: ctx.vip,
    ...(backend ? { backend } : {}), tuple: t, detail,
    ...(payload && ctx.capture ? { payload: payload.toString("base64") } : {}),
  });
}

/** Remembers which flows were already traced, so a trace names each new flow once (bounded). */
export class FlowLog {
  private seen = new Set<string>();
  constructor(private readonly max = 8192) {}
  /** True the first time a key is seen. */
  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.max) this.seen = new Set();
    this.seen.add(key);
    return true;
  }
  forget(predicate: (key: string) => boolean): void {
    for (const k of this.seen) if (predicate(k)) this.seen.delete(k);
  }
}
