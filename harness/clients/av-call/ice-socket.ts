/**
 * One client's media socket: the base of its host candidate, the socket its STUN Binding
 * and TURN allocation use (RFC 8445 5.1.1.2: srflx and relay candidates share the host's
 * base), and its connectivity checks and media. It demultiplexes what arrives (RFC 7983):
 * STUN responses go to their transaction, Data indications from the TURN server are
 * unwrapped (what the peer sent to the relay), the rest is direct traffic.
 *
 * Two firewalls, every stop traced: the world's (PORT-5, `gate`, a UdpGate on send and
 * receive: a remote user's check to an internal user's host candidate is dropped by the
 * external firewall, which is why relays exist; Binding and Allocate to the A/V VIP pass
 * by 002-ext-vip-stun-udp-in), and the client's own (`firewallAllows`, optional: UDP only
 * to and from its own A/V Edge), standing for what the world does not model, a partner's
 * perimeter and a remote user's home router; it leaves relay-to-relay as the one pair of a
 * federated call (docs/av-call.md). Outgoing datagrams meet the client's own first.
 */
import dgram from "node:dgram";
import { assertLoopback } from "../../../edge/net/loopback.ts";
import type { EventSink } from "../../../edge/events/types.ts";
import type { ConnectionGate, GateDecision } from "../../../edge/net/gate.ts";
import { UdpGate } from "../../../edge/net/udp-gate.ts";
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
  /** The IP addresses the client's own firewall lets through (its own A/V Edge's); none: no firewall of its own. */
  firewallAllows?: string[];
  firewallName?: string;
  /** The world's firewalls (PORT-5), checked per new flow on send and receive; default: none modelled. */
  gate?: ConnectionGate;
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
  readonly #fw: UdpGate;
  #lastDecision: GateDecision | undefined;
  #closed = false;

  constructor(readonly o: IceSocketOptions) {
    const gate = o.gate;
    // Keeps the gate's last answer, so a check stopped by the world's firewall can say which rule is missing.
    this.#fw = new UdpGate({ ...(gate ? { gate: (t, m) => (this.#lastDecision = gate(t, m)) } : {}), events: o.events, host: o.host, purpose: "ICE check or media (UDP)" });
  }

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
    return !this.o.firewallAllows || this.o.firewallAllows.includes(a.address);
  }

  /** The client's own firewall stopped a datagram: traced as a drop with the rule it lacks (PORT-5). */
  #drop(direction: "to" | "from", a: Addr, bytes: Buffer): void {
    const name = this.o.firewallName ?? `${this.o.host}'s firewall`;
    const what = `${name} dropped ${bytes.length} bytes ${direction} ${addrText(a)}: missing a UDP rule for ${a.address}, it passes UDP only ${direction} the A/V Edge (${(this.o.firewallAllows ?? []).join(", ")})`;
    this.dropped.push(what);
    this.o.events({ kind: "firewall.drop", ts: Date.now(), host: this.o.host, firewall: name, rules: ["PORT-5"], detail: what, tuple: direction === "to" ? { transport: "udp", srcAddress: this.local.address, srcPort: this.local.port, dstAddress: a.address, dstPort: a.port } : { transport: "udp", srcAddress: a.address, srcPort: a.port, dstAddress: this.local.address, dstPort: this.local.port } });
  }

  /** The world's firewall stopped a datagram (the gate traced it): remember why, for the check's result. */
  #worldDrop(direction: "to" | "from", a: Addr, bytes: Buffer): false {
    const d = this.#lastDecision;
    this.dropped.push(`the ${d?.firewall ?? "world's"} firewall dropped ${bytes.length} bytes ${direction} ${addrText(a)}: ${d?.detail ?? "no rule passes it"} (PORT-5)`);
    return false;
  }

  /** Sends from the host candidate; false when the client's own firewall or the world's stops it. */
  sendDirect(bytes: Buffer, to: Addr): boolean {
    if (this.#closed) return false; // a check's retransmission timer outlived the call
    if (!this.#allowed(to)) {
      this.#drop("to", to, bytes);
      return false;
    }
    if (!this.#fw.send(this.local, to)) return this.#worldDrop("to", to, bytes);
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
    if (!this.#fw.receive(from, this.local)) return void this.#worldDrop("from", from, bytes);
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
    this.#closed = true;
    for (const w of this.#waiters.keys()) this.#waiters.delete(w);
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
