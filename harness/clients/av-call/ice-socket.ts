/**
 * One client's media socket: the base of its host candidate, the socket its STUN Binding
 * and TURN allocation use (RFC 8445 5.1.1.2: srflx and relay candidates share the host's
 * base), and its connectivity checks and media. It demultiplexes what arrives (RFC 7983):
 * STUN responses go to their transaction, Data indications from the TURN server are
 * unwrapped (what the peer sent to the relay), the rest is direct traffic.
 *
 * The client sits behind a firewall that passes UDP only to and from its own A/V Edge
 * (edgesim's model of the perimeter of a Lync deployment: media between organisations
 * goes edge to edge). Every datagram it stops is traced, never silently lost.
 */
import dgram from "node:dgram";
import { assertLoopback } from "../../../edge/net/loopback.ts";
import type { EventSink } from "../../../edge/events/types.ts";
import {
  classifyPacket, Data, decodeStun, getData, getXorPeerAddress, newTransactionId, StunClass, StunMessageBuilder, StunMethod,
  XorPeerAddress, type StunMessage,
} from "../../../edge/wire/stun/index.ts";
import { addrText, type Addr } from "./ice-types.ts";

export type Via = "direct" | "relay";
export interface Arrival { bytes: Buffer; from: Addr; via: Via }

export interface IceSocketOptions {
  /** The simulated host ("client-alice"), for traces. */
  host: string;
  address: string;
  /** The IP addresses the client's firewall lets through (its own A/V Edge's). */
  firewallAllows: string[];
  firewallName: string;
  events: EventSink;
}

export class IceSocket {
  readonly socket = dgram.createSocket("udp4");
  local: Addr = { address: "", port: 0 };
  /** The STUN/TURN server this client talks to (set by gathering). */
  server: Addr | undefined;
  #waiters = new Map<string, (m: StunMessage, a: Arrival) => void>();
  #onArrival: (m: Arrival) => void = () => undefined;
  readonly dropped: string[] = [];

  constructor(readonly o: IceSocketOptions) {}

  async bind(): Promise<Addr> {
    assertLoopback(this.o.address, "bind a call client's media socket on");
    await new Promise<void>((resolve, reject) => {
      this.socket.once("error", (e) => reject(new Error(`${this.o.host}: cannot bind UDP on ${this.o.address}: ${e.message}`)));
      this.socket.bind({ address: this.o.address, port: 0 }, () => resolve());
    });
    this.socket.removeAllListeners("error");
    this.socket.on("error", () => undefined); // ICMP unreachable from a closed peer: the check times out and says so
    this.socket.on("message", (msg, r) => this.#receive(msg, { address: r.address, port: r.port }));
    this.local = { address: this.o.address, port: this.socket.address().port };
    return this.local;
  }

  /** Direct traffic and what the relay delivered (checks, media). */
  onArrival(fn: (a: Arrival) => void): void {
    this.#onArrival = fn;
  }

  note(detail: string, rules: string[] = []): void {
    this.o.events({ kind: "note", ts: Date.now(), host: this.o.host, rules, detail });
  }

  #allowed(a: Addr): boolean {
    return this.o.firewallAllows.includes(a.address);
  }

  #drop(direction: "to" | "from", a: Addr, bytes: Buffer): void {
    const what = `${this.o.firewallName} dropped ${bytes.length} bytes ${direction} ${addrText(a)}: it passes UDP only ${direction} the A/V Edge (${this.o.firewallAllows.join(", ")})`;
    this.dropped.push(what);
    this.o.events({ kind: "firewall.drop", ts: Date.now(), host: this.o.host, firewall: this.o.firewallName, rules: [], detail: what, tuple: direction === "to" ? { transport: "udp", srcAddress: this.local.address, srcPort: this.local.port, dstAddress: a.address, dstPort: a.port } : { transport: "udp", srcAddress: a.address, srcPort: a.port, dstAddress: this.local.address, dstPort: this.local.port } });
  }

  /** Sends from the host candidate; false when the client's firewall stops it. */
  sendDirect(bytes: Buffer, to: Addr): boolean {
    if (!this.#allowed(to)) {
      this.#drop("to", to, bytes);
      return false;
    }
    assertLoopback(to.address, "send a call's datagram to");
    this.socket.send(bytes, to.port, to.address);
    return true;
  }

  /** Sends from the relayed candidate: a TURN Send indication to the server (RFC 5766 10.1). */
  sendRelayed(bytes: Buffer, peer: Addr): boolean {
    if (!this.server) throw new RangeError(`${this.o.host}: no TURN server to relay through (gather first)`);
    const ind = new StunMessageBuilder(StunMethod.Send, StunClass.Indication, newTransactionId()).set(XorPeerAddress({ family: "IPv4", ...peer })).set(Data(bytes)).encode();
    return this.sendDirect(ind, this.server);
  }

  send(bytes: Buffer, to: Addr, via: Via): boolean {
    return via === "relay" ? this.sendRelayed(bytes, to) : this.sendDirect(bytes, to);
  }

  /**
   * A STUN transaction (RFC 5389 7.2.1): retransmits at 0, 250, 750 ms; resolves with the
   * response (and where it came from), or undefined after `timeoutMs` (or at once when the
   * firewall stops the request).
   */
  transact(tx: Buffer, bytes: Buffer, to: Addr, via: Via, timeoutMs = 2500, strictSource = false): Promise<{ msg: StunMessage; arrival: Arrival } | undefined> {
    const key = tx.toString("hex");
    return new Promise((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const finish = (r: { msg: StunMessage; arrival: Arrival } | undefined) => {
        timers.forEach(clearTimeout);
        this.#waiters.delete(key);
        resolve(r);
      };
      this.#waiters.set(key, (msg, arrival) => {
        // A client talks to its STUN/TURN server over a connected socket: the kernel drops an answer from another address (HLB-2).
        if (strictSource && (arrival.from.address !== to.address || arrival.from.port !== to.port)) {
          const why = `dropped the answer to a request sent to ${addrText(to)}: it came from ${addrText(arrival.from)}, not the address the client targeted (a connected socket's kernel drops it)`;
          this.dropped.push(why);
          return this.note(why, ["HLB-2", "HLB-6"]);
        }
        finish({ msg, arrival });
      });
      if (!this.send(bytes, to, via)) return finish(undefined);
      for (const at of [250, 750]) timers.push(setTimeout(() => this.send(bytes, to, via), at));
      timers.push(setTimeout(() => finish(undefined), timeoutMs));
    });
  }

  #receive(bytes: Buffer, from: Addr): void {
    if (!this.#allowed(from)) return this.#drop("from", from, bytes);
    const fromServer = this.server !== undefined && from.address === this.server.address && from.port === this.server.port;
    if (classifyPacket(bytes) !== "stun") return this.#onArrival({ bytes, from, via: "direct" });
    let msg: StunMessage;
    try {
      msg = decodeStun(bytes);
    } catch (err) {
      this.note(`discarded a malformed STUN message from ${addrText(from)}: ${(err as Error).message}`);
      return;
    }
    if (fromServer && msg.method === StunMethod.Data && msg.cls === StunClass.Indication) {
      const peer = getXorPeerAddress(msg);
      const data = getData(msg);
      if (!peer || !data) return this.note(`discarded a Data indication without XOR-PEER-ADDRESS or DATA from ${addrText(from)} (RFC 5766 10.4)`);
      return this.#deliver(Buffer.from(data), { address: peer.address, port: peer.port }, "relay");
    }
    this.#deliver(bytes, from, "direct", msg);
  }

  #deliver(bytes: Buffer, from: Addr, via: Via, decoded?: StunMessage): void {
    if (classifyPacket(bytes) === "stun") {
      let msg = decoded;
      try {
        msg ??= decodeStun(bytes);
      } catch (err) {
        return this.note(`discarded a malformed STUN message relayed from ${addrText(from)}: ${(err as Error).message}`);
      }
      if (msg.cls === StunClass.SuccessResponse || msg.cls === StunClass.ErrorResponse) {
        const w = this.#waiters.get(msg.transactionId.toString("hex"));
        if (w) w(msg, { bytes, from, via });
        else this.note(`a STUN response from ${addrText(from)} (${via}) matches no transaction: late retransmission, ignored`);
        return;
      }
    }
    this.#onArrival({ bytes, from, via });
  }

  close(): void {
    for (const w of this.#waiters.keys()) this.#waiters.delete(w);
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
