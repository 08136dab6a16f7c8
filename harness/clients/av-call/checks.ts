/**
 * ICE connectivity checks (RFC 8445 7): STUN Binding requests between candidate pairs with
 * short-term credentials (USERNAME "remote-ufrag:local-ufrag", MESSAGE-INTEGRITY keyed by the
 * remote password, 7.2.2), PRIORITY and ICE-CONTROLLING/-CONTROLLED, FINGERPRINT; the
 * responder side (7.3), and USE-CANDIDATE for the controlling agent's nomination (8.1.1).
 * A check succeeds only when the response comes back from the address it was sent to, the
 * same way (7.2.5.2.1: symmetric), with valid integrity.
 */
import { randomBytes } from "node:crypto";
import {
  ErrorCode, findAttribute, getUsername, newTransactionId, RawAttribute, shortTermKey, StunClass, StunMessageBuilder, StunMethod, verifyIntegrity,
  XorMappedAddress, type StunMessage,
} from "../../../edge/wire/stun/index.ts";
import type { IceSocket, Via } from "./ice-socket.ts";
import { addrText, pairText, type Addr, type CandidatePair } from "./ice-types.ts";

export const ATTR_PRIORITY = 0x0024;
export const ATTR_USE_CANDIDATE = 0x0025;
export const ATTR_ICE_CONTROLLED = 0x8029;
export const ATTR_ICE_CONTROLLING = 0x802a;

export interface IceCredentials { ufrag: string; pwd: string }

export function newIceCredentials(): IceCredentials {
  return { ufrag: randomBytes(3).toString("hex"), pwd: randomBytes(12).toString("base64url") };
}

export interface CheckResult {
  pair: CandidatePair;
  ok: boolean;
  /** Why it failed, or what answered. */
  detail: string;
}

export const viaOf = (pair: CandidatePair): Via => (pair.local.type === "relay" ? "relay" : "direct");

export function buildCheck(local: IceCredentials, remote: IceCredentials, pair: CandidatePair, controlling: boolean, nominate: boolean): { tx: Buffer; bytes: Buffer } {
  const tx = newTransactionId();
  const prio = Buffer.alloc(4);
  prio.writeUInt32BE(pair.local.priority);
  const b = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, tx)
    .set(RawAttribute(0x0006, Buffer.from(`${remote.ufrag}:${local.ufrag}`)))
    .set(RawAttribute(ATTR_PRIORITY, prio))
    .set(RawAttribute(controlling ? ATTR_ICE_CONTROLLING : ATTR_ICE_CONTROLLED, randomBytes(8)));
  if (nominate) b.set(RawAttribute(ATTR_USE_CANDIDATE, Buffer.alloc(0)));
  return { tx, bytes: b.addIntegrity(shortTermKey(remote.pwd)).addFingerprint().encode() };
}

/** One check on one pair; the firewall or a timeout makes it fail with the reason. */
export async function runCheck(sock: IceSocket, local: IceCredentials, remote: IceCredentials, pair: CandidatePair, controlling: boolean, nominate = false): Promise<CheckResult> {
  const via = viaOf(pair);
  const to: Addr = { address: pair.remote.address, port: pair.remote.port };
  const { tx, bytes } = buildCheck(local, remote, pair, controlling, nominate);
  const droppedBefore = sock.dropped.length;
  const r = await sock.transact(tx, bytes, to, via);
  if (!r) {
    const stopped = sock.dropped.length > droppedBefore && via === "direct" ? sock.dropped[droppedBefore] : undefined;
    return { pair, ok: false, detail: stopped ?? `no answer within 2.5 s from ${addrText(to)}${via === "relay" ? " through the relay" : ""}` };
  }
  if (r.arrival.via !== via || r.arrival.from.address !== to.address || r.arrival.from.port !== to.port)
    return { pair, ok: false, detail: `answer came from ${addrText(r.arrival.from)} (${r.arrival.via}), not from ${addrText(to)} (${via}): not symmetric (RFC 8445 7.2.5.2.1)` };
  if (r.msg.cls !== StunClass.SuccessResponse) return { pair, ok: false, detail: `error response from ${addrText(to)}` };
  if (!verifyIntegrity(r.msg, shortTermKey(remote.pwd))) return { pair, ok: false, detail: `response from ${addrText(to)} failed MESSAGE-INTEGRITY` };
  return { pair, ok: true, detail: `answered by ${addrText(to)}${via === "relay" ? " through the relay" : ""}` };
}

/**
 * RFC 8445 6.1.4: checks in priority order, paced (Ta = 20 ms), all outstanding at once and
 * each bounded; the result lists every pair, highest priority first.
 */
export async function checkAll(sock: IceSocket, local: IceCredentials, remote: IceCredentials, pairs: CandidatePair[], controlling: boolean): Promise<CheckResult[]> {
  const pending = pairs.map((p, i) => new Promise<CheckResult>((resolve) => setTimeout(() => void runCheck(sock, local, remote, p, controlling).then(resolve), i * 20)));
  const results = await Promise.all(pending);
  for (const r of results) sock.note(`ICE check ${pairText(r.pair)}: ${r.ok ? "succeeded" : "failed"}: ${r.detail}`);
  return results;
}

export interface Responded { from: Addr; via: Via; nominated: boolean }

/**
 * RFC 8445 7.3: answers a Binding request addressed to us (USERNAME starts with our ufrag,
 * integrity with our password) with XOR-MAPPED-ADDRESS = where it came from; 400 without
 * USERNAME or MESSAGE-INTEGRITY, 401 when either is wrong. The answer goes back the way the
 * request came (directly or through the relay).
 */
export function answerCheck(sock: IceSocket, local: IceCredentials, msg: StunMessage, from: Addr, via: Via): Responded | undefined {
  const user = getUsername(msg);
  const hasMi = findAttribute(msg, 0x0008) !== undefined;
  let error: [number, string] | undefined;
  if (!user || !hasMi) error = [400, "Bad Request: a check needs USERNAME and MESSAGE-INTEGRITY (RFC 8445 7.3)"];
  else if (!user.startsWith(`${local.ufrag}:`) || !verifyIntegrity(msg, shortTermKey(local.pwd))) error = [401, "Unauthorized: wrong USERNAME or MESSAGE-INTEGRITY"];
  const b = new StunMessageBuilder(StunMethod.Binding, error ? StunClass.ErrorResponse : StunClass.SuccessResponse, msg.transactionId);
  if (error) {
    sock.note(`answered a check from ${addrText(from)} (${via}) with ${error[0]}: ${error[1]}`);
    sock.send(b.set(ErrorCode(error[0], error[1])).addFingerprint().encode(), from, via);
    return undefined;
  }
  sock.send(b.set(XorMappedAddress({ family: "IPv4", ...from })).addIntegrity(shortTermKey(local.pwd)).addFingerprint().encode(), from, via);
  return { from, via, nominated: findAttribute(msg, ATTR_USE_CANDIDATE) !== undefined };
}
