/**
 * A small STUN/TURN client for the A/V Edge tests, over real UDP or TCP sockets:
 * sends requests, waits (bounded) for the answer with the same transaction ID, does the
 * long-term credential dance (RFC 5389 10.2: 401 -> REALM/NONCE -> signed retry), and
 * collects what else arrives (Data indications, ChannelData) for the data-path checks.
 */
import dgram from "node:dgram";
import net from "node:net";
import {
  decodeChannelData, decodeStun, getErrorCode, getNonce, getRealm, longTermKey, newTransactionId, Nonce, Realm, StunClass,
  StunMessageBuilder, StunTcpFramer, Username, type StunAttributeSetter, type StunMessage,
} from "../../edge/wire/stun/index.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";

export interface Received { kind: "stun"; msg: StunMessage; from: { address: string; port: number } }
export interface ReceivedChannel { kind: "channel"; channel: number; data: Buffer }

export class TurnTestClient {
  private waiters = new Map<string, (m: StunMessage) => void>();
  readonly indications: StunMessage[] = [];
  readonly channelData: ReceivedChannel[] = [];
  readonly responsesFrom: { address: string; port: number }[] = [];
  private realm?: string;
  private nonce?: string;
  private key?: Buffer;
  private username?: string;
  local = { address: "", port: 0 };

  private constructor(private readonly sendRaw: (b: Buffer) => void, private readonly closer: () => void, readonly transport: "udp" | "tcp") {}

  static async udp(localAddress: string, server: { address: string; port: number }): Promise<TurnTestClient> {
    assertLoopback(localAddress, "bind a test client on");
    assertLoopback(server.address, "send test STUN to");
    const s = dgram.createSocket("udp4");
    await new Promise<void>((r) => s.bind({ address: localAddress, port: 0 }, () => r()));
    const c = new TurnTestClient((b) => s.send(b, server.port, server.address), () => s.close(), "udp");
    c.local = { address: localAddress, port: s.address().port };
    s.on("message", (m, rinfo) => c.onPacket(m, { address: rinfo.address, port: rinfo.port }));
    return c;
  }

  static async tcp(localAddress: string, server: { address: string; port: number }): Promise<TurnTestClient> {
    assertLoopback(localAddress, "bind a test client on");
    assertLoopback(server.address, "connect test STUN to");
    const sock = net.connect({ host: server.address, port: server.port, localAddress });
    await new Promise<void>((resolve, reject) => {
      sock.once("connect", () => resolve());
      sock.once("error", reject);
    });
    const framer = new StunTcpFramer();
    const c = new TurnTestClient((b) => sock.write(b), () => sock.destroy(), "tcp");
    c.local = { address: localAddress, port: sock.localPort! };
    sock.on("data", (chunk) => {
      for (const f of framer.push(chunk)) c.onPacket(f.bytes, server);
    });
    sock.on("error", () => undefined);
    return c;
  }

  private onPacket(buf: Buffer, from: { address: string; port: number }): void {
    if ((buf[0]! & 0xc0) === 0x40) {
      const cd = decodeChannelData(buf, this.transport);
      this.channelData.push({ kind: "channel", channel: cd.channel, data: Buffer.from(cd.data) });
      return;
    }
    const msg = decodeStun(buf, { dialect: buf.readUInt32BE(4) === 0x2112a442 ? "auto" : "ms-turn" });
    if (msg.cls === StunClass.Indication) {
      this.indications.push(msg);
      return;
    }
    this.responsesFrom.push(from);
    const idLen = msg.dialect === "rfc5389" ? 12 : 16;
    const id = msg.raw.subarray(20 - idLen, 20).toString("hex");
    this.waiters.get(id)?.(msg);
  }

  /** Sends raw bytes and waits for the answer to transaction `txId` (hex of header bytes 8-19 or 4-19). */
  sendAndWait(bytes: Buffer, txId: string, timeoutMs = 3000): Promise<StunMessage> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(txId);
        reject(new Error(`no answer to transaction ${txId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(txId, (m) => {
        clearTimeout(t);
        this.waiters.delete(txId);
        resolve(m);
      });
      this.sendRaw(bytes);
    });
  }

  send(bytes: Buffer): void {
    this.sendRaw(bytes);
  }

  /** One request; with `signed` it carries USERNAME/REALM/NONCE and MESSAGE-INTEGRITY from the last challenge. */
  request(method: number, attrs: StunAttributeSetter[], opts: { signed?: boolean; fingerprint?: boolean; key?: Buffer } = {}): Promise<StunMessage> {
    const tx = newTransactionId();
    const b = new StunMessageBuilder(method, StunClass.Request, tx);
    for (const a of attrs) b.set(a);
    if (opts.signed) {
      if (!this.username || !this.realm || !this.nonce || !this.key) throw new Error("signed request before login(): no credentials yet");
      b.set(Username(this.username)).set(Realm(this.realm)).set(Nonce(this.nonce)).addIntegrity(opts.key ?? this.key);
    }
    if (opts.fingerprint) b.addFingerprint();
    return this.sendAndWait(b.encode(), tx.toString("hex"));
  }

  /** Sends `method` unsigned, expects 401 with REALM/NONCE, then retries signed; returns both answers. */
  async login(username: string, password: string, method: number, attrs: StunAttributeSetter[]): Promise<{ challenge: StunMessage; answer: StunMessage }> {
    const challenge = await this.request(method, attrs);
    if (getErrorCode(challenge)?.code !== 401) throw new Error(`expected a 401 challenge, got ${getErrorCode(challenge)?.code ?? "success"}`);
    this.realm = getRealm(challenge)!;
    this.nonce = getNonce(challenge)!;
    this.username = username;
    this.key = longTermKey(username, this.realm, password);
    return { challenge, answer: await this.request(method, attrs, { signed: true }) };
  }

  /** Signs later requests as another user (same realm and nonce): the 441 case. */
  signAs(username: string, password: string): void {
    if (!this.realm) throw new Error("signAs() before login(): no realm yet");
    this.username = username;
    this.key = longTermKey(username, this.realm, password);
  }

  /** Replaces the nonce (438 retries, stale-nonce tests). */
  setNonce(nonce: string): void {
    this.nonce = nonce;
  }

  /** Waits (bounded) until `pred` holds. */
  async until(pred: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.closer();
  }
}
