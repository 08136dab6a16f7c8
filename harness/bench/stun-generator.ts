/**
 * Closed-loop UDP generators for the STUN bench: a connected UDP socket keeps `window`
 * requests in flight and sends a new one for every answer, for `ms` milliseconds.
 * Lost datagrams are refilled after 100 ms of silence, so a loss stalls nothing.
 * - bindingRate: STUN Binding requests answered per second.
 * - relayRate: a TURN client (long-term credentials, ChannelBind) and a peer that echoes:
 *   ChannelData client -> relay -> peer -> relay -> client; two relayed packets per loop.
 */
import dgram from "node:dgram";
import {
  ChannelNumber, decodeStun, encodeChannelData, getErrorCode, getNonce, getRealm, getXorRelayedAddress, longTermKey, newTransactionId, Nonce, Realm,
  Lifetime, RequestedTransport, StunClass, StunMessageBuilder, StunMethod, Username, XorPeerAddress, type StunAttributeSetter, type StunMessage,
} from "../../edge/wire/stun/index.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";

export interface Target { address: string; port: number }

async function connectedSocket(local: string, to: Target): Promise<dgram.Socket> {
  assertLoopback(local, "bind a bench generator on");
  assertLoopback(to.address, "send bench traffic to");
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind({ address: local, port: 0 }, () => r()));
  await new Promise<void>((r) => s.connect(to.port, to.address, () => r()));
  s.on("error", () => undefined);
  return s;
}

/** Runs a closed loop over `s`: `next()` builds each outgoing datagram; `isAnswer` says whether a received one counts. */
function closedLoop(s: dgram.Socket, next: () => Buffer, isAnswer: (b: Buffer) => boolean, window: number, ms: number): Promise<number> {
  return new Promise((resolve) => {
    let answered = 0;
    let lastAnswer = Date.now();
    const start = Date.now();
    s.on("message", (b) => {
      if (!isAnswer(b)) return;
      answered++;
      lastAnswer = Date.now();
      s.send(next());
    });
    for (let i = 0; i < window; i++) s.send(next());
    const refill = setInterval(() => {
      if (Date.now() - lastAnswer > 100) for (let i = 0; i < window; i++) s.send(next());
    }, 100);
    setTimeout(() => {
      clearInterval(refill);
      s.removeAllListeners("message");
      resolve(answered / ((Date.now() - start) / 1000));
    }, ms);
  });
}

export async function bindingRate(local: string, to: Target, window: number, ms: number): Promise<number> {
  const s = await connectedSocket(local, to);
  const template = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId()).encode();
  let n = 0;
  const next = () => {
    const b = Buffer.from(template);
    b.writeUInt32BE(n++ >>> 0, 16);
    return b;
  };
  try {
    return await closedLoop(s, next, (b) => b.length >= 20 && b.readUInt16BE(0) === 0x0101, window, ms);
  } finally {
    s.close();
  }
}

function request(s: dgram.Socket, method: number, attrs: StunAttributeSetter[], sign?: { username: string; realm: string; nonce: string; key: Buffer }): Promise<StunMessage> {
  const tx = newTransactionId();
  const b = new StunMessageBuilder(method, StunClass.Request, tx);
  for (const a of attrs) b.set(a);
  if (sign) b.set(Username(sign.username)).set(Realm(sign.realm)).set(Nonce(sign.nonce)).addIntegrity(sign.key);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`bench TURN client: no answer to method ${method} within 3 s`)), 3000);
    const on = (m: Buffer) => {
      if (m.length < 20 || !m.subarray(8, 20).equals(tx)) return;
      clearTimeout(t);
      s.off("message", on);
      resolve(decodeStun(m));
    };
    s.on("message", on);
    s.send(b.encode());
  });
}

export async function relayRate(local: string, peerLocal: string, server: Target, user: { username: string; password: string }, window: number, ms: number): Promise<number> {
  const c = await connectedSocket(local, server);
  const challenge = await request(c, StunMethod.Allocate, [RequestedTransport(17)]);
  const realm = getRealm(challenge);
  const nonce = getNonce(challenge);
  if (!realm || !nonce) throw new Error(`bench TURN client: ${server.address} sent no REALM/NONCE challenge (error ${getErrorCode(challenge)?.code})`);
  const sign = { username: user.username, realm, nonce, key: longTermKey(user.username, realm, user.password) };
  const alloc = await request(c, StunMethod.Allocate, [RequestedTransport(17)], sign);
  const relayed = getXorRelayedAddress(alloc);
  if (!relayed) throw new Error(`bench TURN client: Allocate at ${server.address} failed (${getErrorCode(alloc)?.code})`);
  const peer = await connectedSocket(peerLocal, relayed);
  peer.on("message", (m) => peer.send(m));
  const bound = await request(c, StunMethod.ChannelBind, [ChannelNumber(0x4000), XorPeerAddress({ family: "IPv4", address: peerLocal, port: peer.address().port })], sign);
  if (bound.cls !== StunClass.SuccessResponse) throw new Error(`bench TURN client: ChannelBind at ${server.address} failed (${getErrorCode(bound)?.code})`);
  const payload = encodeChannelData(0x4000, Buffer.alloc(160, 0x55), "udp");
  try {
    const loops = await closedLoop(c, () => payload, (b) => (b[0]! & 0xc0) === 0x40, window, ms);
    return loops * 2;
  } finally {
    await request(c, StunMethod.Refresh, [Lifetime(0)], sign).catch(() => undefined);
    c.close();
    peer.close();
  }
}
