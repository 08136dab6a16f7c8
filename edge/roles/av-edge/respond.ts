/**
 * Building answers to a request in the request's own dialect: an RFC 5389 request gets a
 * 96-bit transaction ID answer, an [MS-TURN] request (MAGIC-COOKIE attribute first) a
 * 128-bit one with MAGIC-COOKIE first (MS-TURN 2.2.2.8), a classic RFC 3489 request (no
 * cookie at all) a 128-bit one without it. FINGERPRINT is added when the request had one
 * (RFC 5389 7.3: agents that use it expect it back).
 */
import {
  AttrType, ErrorCode, findAttribute, MsTurnMagicCookie, Nonce, Realm, Software, StunClass, StunMessageBuilder, UnknownAttributes,
  type StunMessage,
} from "../../wire/stun/index.ts";

export type RequestDialect = "rfc5389" | "ms-turn" | "rfc3489";

export interface RequestContext {
  msg: StunMessage;
  dialect: RequestDialect;
  software: string;
}

export function responseBuilder(req: RequestContext, cls: StunClass): StunMessageBuilder {
  const txId = req.dialect === "rfc5389" ? req.msg.raw.subarray(8, 20) : req.msg.raw.subarray(4, 20);
  const b = new StunMessageBuilder(req.msg.method, cls, txId);
  if (req.dialect === "ms-turn") b.set(MsTurnMagicCookie());
  if (req.dialect !== "rfc3489") b.set(Software(req.software));
  return b;
}

export function finish(req: RequestContext, b: StunMessageBuilder, key?: Buffer): Buffer {
  if (key) b.addIntegrity(key);
  if (req.dialect !== "rfc3489" && findAttribute(req.msg, AttrType.Fingerprint)) b.addFingerprint();
  return b.encode();
}

export interface ErrorExtras {
  /** Sign with this key (RFC 5389 10.2.2: errors after a successful check are signed). */
  key?: Buffer;
  realm?: string;
  nonce?: string;
  unknown?: readonly number[];
  reason?: string;
}

/** An error response with ERROR-CODE, and REALM/NONCE/UNKNOWN-ATTRIBUTES when given. */
export function errorResponse(req: RequestContext, code: number, extras: ErrorExtras = {}): Buffer {
  const b = responseBuilder(req, StunClass.ErrorResponse).set(ErrorCode(code, extras.reason));
  if (extras.unknown?.length) b.set(UnknownAttributes(extras.unknown));
  if (extras.realm !== undefined) b.set(Realm(extras.realm));
  if (extras.nonce !== undefined) b.set(Nonce(extras.nonce));
  return finish(req, b, extras.key);
}
