/**
 * The STUN/TURN client behind the scenario sentences (stun-steps.ts): one UDP socket on a
 * planned client address, "connected" to the server it targets (RFC 5389 7.2.1: a client
 * matches answers to where it sent, and a connected socket's kernel drops datagrams from
 * any other address, which is what HLB-2 is about), or unconnected to show where an answer
 * really came from. The connection is kept by the client, not the kernel: after an
 * Allocate it follows the allocation to the edge that holds it (HLB-3) from the same
 * address and port, and Linux gives a socket bound to an ephemeral port a new port when it
 * is disconnected, which would change the 5-tuple.
 * Binding (RFC 5389 10.1), Allocate with long-term credentials (RFC 5766
 * 6.1; 401 with REALM/NONCE, 438 retried with the fresh NONCE, RFC 5389 10.2.3) and Refresh
 * (RFC 5766 7). Every wait is bounded; every request is retransmitted a bounded number of
 * times (RFC 5389 7.2.1), so a lost datagram on a busy machine is not a false "no answer".
 */
import dgram from "node:dgram";
import { assertLoopback } from "../../../edge/net/loopback.ts";
import {
  Lifetime, Nonce, Realm, RequestedTransport, StunClass, StunMessageBuilder, StunMethod, TRANSPORT_UDP, Username,
  decodeStun, getErrorCode, getNonce, getRealm, getXorMappedAddress, getXorRelayedAddress, longTermKey, newTransactionId,
  type StunAttributeSetter, type StunMessage,
} from "../../../edge/wire/stun/index.ts";

export interface Addr { address: string; port: number }
export const addrText = (a: Addr): string => `${a.address}:${a.port}`;

/** One answer: the message and the address it came from (what a client checks against its target). */
export interface Answer { msg: StunMessage; from: Addr }

/** Retransmissions and the wait for each (RFC 5389 7.2.1 uses 500 ms doubling; a loaded 2-core machine needs longer). */
const TRIES = 3;
const WAIT_MS = 1000;

export class StunProbe {
  readonly local: Addr;
  /** Error codes in the order they arrived (401, 438, 438, ... shows a client bounced between edges). */
  readonly codes: number[] = [];
  #auth: { username: string; realm: string; nonce: string; key: Buffer } | undefined;
  #waiters = new Map<string, (a: Answer) => void>();
  #closed = false;

  private constructor(private readonly sock: dgram.Socket, public server: Addr, readonly connected: boolean) {
    const a = sock.address();
    this.local = { address: a.address, port: a.port };
    sock.on("message", (m, r) => {
      // What a connected socket's kernel does: a datagram from anywhere but the server is dropped unseen.
      if (this.connected && (r.address !== this.server.address || r.port !== this.server.port)) return;
      let msg: StunMessage;
      try {
        msg = decodeStun(m);
      } catch {
        return; // not STUN: a scenario client only waits for STUN answers
      }
      this.#waiters.get(msg.transactionId.toString("hex"))?.({ msg, from: { address: r.address, port: r.port } });
    });
    sock.on("error", () => undefined); // ICMP unreachable on loopback when a server is gone: the wait times out and says so
  }

  /** A socket bound on `address` (ephemeral port), connected to `server` unless `connect` is false. */
  static async open(address: string, server: Addr, connect = true): Promise<StunProbe> {
    assertLoopback(address, "bind a scenario STUN client on");
    assertLoopback(server.address, "send STUN from a scenario client to");
    const sock = dgram.createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      sock.once("error", (e) => reject(new Error(`scenario STUN client: cannot bind UDP on ${address}: ${e.message}`)));
      sock.bind(0, address, () => resolve());
    });
    sock.removeAllListeners("error");
    return new StunProbe(sock, server, connect);
  }

  /**
   * Talk to another server from the same socket (the same client transport address): after
   * an Allocate, the edge that holds the allocation (HLB-3); after that edge fell silent,
   * back to the VIP.
   */
  follow(to: Addr): void {
    assertLoopback(to.address, "send STUN from a scenario client to");
    this.server = to;
  }

  /** Sends one request (retransmitted) and resolves with the first answer, or undefined when none came. */
  async transact(method: number, attrs: StunAttributeSetter[], signed: boolean): Promise<Answer | undefined> {
    const tx = newTransactionId();
    const b = new StunMessageBuilder(method, StunClass.Request, tx);
    for (const a of attrs) b.set(a);
    if (signed && this.#auth) b.set(Username(this.#auth.username)).set(Realm(this.#auth.realm)).set(Nonce(this.#auth.nonce)).addIntegrity(this.#auth.key);
    const bytes = b.addFingerprint().encode();
    const key = tx.toString("hex");
    for (let i = 0; i < TRIES && !this.#closed; i++) {
      const got = await new Promise<Answer | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), WAIT_MS);
        this.#waiters.set(key, (a) => { clearTimeout(timer); resolve(a); });
        this.sock.send(bytes, this.server.port, this.server.address);
      });
      if (got) {
        this.#waiters.delete(key);
        const code = getErrorCode(got.msg)?.code;
        if (code) this.codes.push(code);
        return got;
      }
    }
    this.#waiters.delete(key);
    return undefined;
  }

  /** RFC 5389 10.1: the server-reflexive address as the server saw it, and who answered. */
  async binding(): Promise<{ answer: Answer; mapped: Addr | undefined } | undefined> {
    const a = await this.transact(StunMethod.Binding, [], false);
    if (!a) return undefined;
    const x = getXorMappedAddress(a.msg);
    return { answer: a, mapped: x ? { address: x.address, port: x.port } : undefined };
  }

  /**
   * RFC 5766 6.1: unsigned Allocate, 401 with REALM/NONCE, signed retry; a 438 is retried
   * with its fresh NONCE, at most `rounds` signed requests in all. Resolves with the last
   * answer (success or error), or undefined when the server fell silent.
   */
  async allocate(user: string, password: string, rounds = 5): Promise<{ last: Answer | undefined; relayed: Addr | undefined; mapped: Addr | undefined }> {
    const attrs = [RequestedTransport(TRANSPORT_UDP), Lifetime(600)];
    let last = await this.transact(StunMethod.Allocate, attrs, false);
    if (last) this.#learn(last.msg, user, password);
    for (let i = 0; i < rounds && last && this.#auth && last.msg.cls !== StunClass.SuccessResponse; i++) {
      const code = getErrorCode(last.msg)?.code;
      if (code !== 401 && code !== 438) break;
      last = await this.transact(StunMethod.Allocate, attrs, true);
      if (last) this.#learn(last.msg, user, password);
    }
    const ok = last?.msg.cls === StunClass.SuccessResponse;
    const r = ok ? getXorRelayedAddress(last!.msg) : undefined;
    const m = ok ? getXorMappedAddress(last!.msg) : undefined;
    return { last, relayed: r ? { address: r.address, port: r.port } : undefined, mapped: m ? { address: m.address, port: m.port } : undefined };
  }

  /** RFC 5766 7: a signed Refresh of this 5-tuple's allocation (a 438 is retried once with the fresh NONCE). */
  async refresh(lifetimeSec = 600): Promise<Answer | undefined> {
    let a = await this.transact(StunMethod.Refresh, [Lifetime(lifetimeSec)], true);
    if (a && getErrorCode(a.msg)?.code === 438 && this.#auth) {
      this.#auth.nonce = getNonce(a.msg) ?? this.#auth.nonce;
      a = await this.transact(StunMethod.Refresh, [Lifetime(lifetimeSec)], true);
    }
    return a;
  }

  #learn(msg: StunMessage, user: string, password: string): void {
    const realm = getRealm(msg) ?? this.#auth?.realm;
    const nonce = getNonce(msg) ?? this.#auth?.nonce;
    if (realm && nonce) this.#auth = { username: user, realm, nonce, key: this.#auth?.realm === realm ? this.#auth.key : longTermKey(user, realm, password) };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.keys()) this.#waiters.delete(w);
    this.sock.close();
  }
}

/** "401 Unauthorized"-style text of an answer, for details. */
export function answerText(a: Answer | undefined): string {
  if (!a) return "no answer";
  const e = getErrorCode(a.msg);
  return e ? `${e.code} ${e.reason}` : a.msg.cls === StunClass.SuccessResponse ? "success" : `class ${a.msg.cls}`;
}
