/**
 * The long-term credential check of RFC 5389 10.2.2, in its order:
 * no MESSAGE-INTEGRITY -> 401 with REALM and NONCE; MESSAGE-INTEGRITY without
 * USERNAME, REALM or NONCE -> 400; stale NONCE -> 438 with a fresh one; unknown user
 * or expired MRAS credential -> 401; integrity mismatch -> 401. The key is
 * MD5(username ":" realm ":" SASLprep(password)) with the username and realm as sent.
 */
import { AttrType, findAttribute, getNonce, getRealm, getUsername, longTermKey, verifyIntegrity } from "../../wire/stun/index.ts";
import { lookupPassword } from "./credentials.ts";
import type { NonceIssuer } from "./nonce.ts";
import type { RequestContext } from "./respond.ts";

export type AuthResult =
  | { ok: true; key: Buffer; username: string; user: string }
  | { ok: false; code: 400 | 401 | 438; why: string; challenge: boolean };

export interface AuthConfig {
  realm: string;
  nonces: NonceIssuer;
  staticUsers: Record<string, string>;
  poolSecret: Buffer | undefined;
}

/** Key cache: MD5 per request is cheap, but a busy allocation refreshes and binds often. */
const MAX_KEYS = 4096;

export class LongTermAuth {
  private readonly keys = new Map<string, Buffer>();
  constructor(private readonly cfg: AuthConfig) {}

  check(req: RequestContext, now = Date.now()): AuthResult {
    const { msg } = req;
    if (!findAttribute(msg, AttrType.MessageIntegrity)) return { ok: false, code: 401, why: "no MESSAGE-INTEGRITY: challenge", challenge: true };
    const username = getUsername(msg);
    const realm = getRealm(msg);
    const nonce = getNonce(msg);
    if (username === undefined || realm === undefined || nonce === undefined)
      return { ok: false, code: 400, why: "MESSAGE-INTEGRITY without USERNAME, REALM and NONCE (RFC 5389 10.2.2)", challenge: false };
    if (!this.cfg.nonces.isFresh(nonce, now)) return { ok: false, code: 438, why: "stale or foreign NONCE", challenge: true };
    const found = lookupPassword(username, this.cfg.staticUsers, this.cfg.poolSecret, now);
    if (!found.ok) return { ok: false, code: 401, why: `USERNAME '${username}': ${found.why}`, challenge: true };
    const cacheKey = `${username}\u0000${realm}\u0000${found.password}`;
    let key = this.keys.get(cacheKey);
    if (!key) {
      key = longTermKey(username, realm, found.password);
      if (this.keys.size >= MAX_KEYS) this.keys.clear();
      this.keys.set(cacheKey, key);
    }
    if (!verifyIntegrity(msg, key)) return { ok: false, code: 401, why: `MESSAGE-INTEGRITY does not match for '${username}'`, challenge: true };
    return { ok: true, key, username, user: found.user };
  }
}
