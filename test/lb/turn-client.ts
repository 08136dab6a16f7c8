/**
 * A small TURN client (RFC 5766) for the balancer tests: Allocate with long-term
 * credentials (401 -> retry with REALM/NONCE, 438 -> retry with the new NONCE,
 * RFC 5389 10.2.3), CreatePermission, Send indications and Data indications, over
 * one UDP socket. Every wait is bounded.
 */
import type dgram from "node:dgram";
import {
  Data, Lifetime, Nonce, Realm, RequestedTransport, StunClass, StunMessageBuilder, StunMethod, Username, XorPeerAddress,
  decodeStun, getData, getErrorCode, getNonce, getRealm, getXorPeerAddress, getXorRelayedAddress, longTermKey, newTransactionId,
  type StunAttributeSetter, type StunMessage, type TransportAddress,
} from "../../edge/wire/stun/index.ts";

export class TurnClient {
  private realm = "";
  private nonce = "";
  /** Every error code received, in order (438 438 438... shows a client bounced between edges). */
  readonly codes: number[] = [];
  private readonly data: { peer: TransportAddress; data: Buffer }[] = [];
  private readonly waiters = new Map<string, (m: StunMessage) => void>();
  private dataWaiter: (() => void) | undefined;

  constructor(private readonly sock: dgram.Socket, private server: { address: string; port: number }, private readonly user: string, private readonly pass: string) {
    sock.on("message", (m) => {
      let msg: StunMessage;
      try {
        msg = decodeStun(m);
      } catch {
        return;
      }
      if (msg.method === StunMethod.Data && msg.cls === StunClass.Indication) {
        const peer = getXorPeerAddress(msg);
        const d = getData(msg);
        if (peer && d) this.data.push({ peer, data: Buffer.from(d) });
        this.dataWaiter?.();
        return;
      }
      this.waiters.get(msg.transactionId.toString("hex"))?.(msg);
    });
  }

  /** HLB-3: from now on talk to the edge that holds the allocation (the relayed IP, the STUN port: the VIP's in a world), not the VIP. */
  follow(relayed: TransportAddress, port = this.server.port): { address: string; port: number } {
    this.server = { address: relayed.address, port };
    return this.server;
  }

  private send(bytes: Buffer): void {
    this.sock.send(bytes, this.server.port, this.server.address);
  }

  /** One request with credentials once we have a nonce; retried on 401/438 up to `tries` times. */
  async request(method: number, attrs: StunAttributeSetter[], tries = 4, ms = 1500): Promise<StunMessage | undefined> {
    for (let i = 0; i < tries; i++) {
      const tx = newTransactionId();
      const b = new StunMessageBuilder(method, StunClass.Request, tx);
      for (const a of attrs) b.set(a);
      if (this.nonce) b.set(Username(this.user)).set(Realm(this.realm)).set(Nonce(this.nonce)).addIntegrity(longTermKey(this.user, this.realm, this.pass));
      const answer = await new Promise<StunMessage | undefined>((resolve) => {
        const timer = setTimeout(() => { this.waiters.delete(tx.toString("hex")); resolve(undefined); }, ms);
        this.waiters.set(tx.toString("hex"), (m) => { clearTimeout(timer); this.waiters.delete(tx.toString("hex")); resolve(m); });
        this.send(b.encode());
      });
      if (!answer) return undefined;
      if (answer.cls === StunClass.SuccessResponse) return answer;
      const code = getErrorCode(answer)?.code ?? 0;
      this.codes.push(code);
      if (code !== 401 && code !== 438) return answer;
      this.realm = getRealm(answer) ?? this.realm;
      this.nonce = getNonce(answer) ?? this.nonce;
    }
    return undefined;
  }

  async allocate(tries = 4): Promise<TransportAddress | undefined> {
    const m = await this.request(StunMethod.Allocate, [RequestedTransport(17), Lifetime(600)], tries);
    return m && m.cls === StunClass.SuccessResponse ? getXorRelayedAddress(m) : undefined;
  }

  async refresh(lifetime: number, tries = 4): Promise<StunMessage | undefined> {
    return this.request(StunMethod.Refresh, [Lifetime(lifetime)], tries);
  }

  async permit(peer: TransportAddress): Promise<boolean> {
    const m = await this.request(StunMethod.CreatePermission, [XorPeerAddress(peer)]);
    return m?.cls === StunClass.SuccessResponse;
  }

  sendTo(peer: TransportAddress, data: Buffer): void {
    this.send(new StunMessageBuilder(StunMethod.Send, StunClass.Indication, newTransactionId()).set(XorPeerAddress(peer)).set(Data(data)).encode());
  }

  /** The next Data indication, or undefined after `ms`. */
  async nextData(ms = 2000): Promise<{ peer: TransportAddress; data: Buffer } | undefined> {
    if (this.data.length) return this.data.shift();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.dataWaiter = () => { clearTimeout(timer); resolve(); };
    });
    this.dataWaiter = undefined;
    return this.data.shift();
  }
}
