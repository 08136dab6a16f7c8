/**
 * TURN credentials as the product's A/V authentication service (MRAS) hands them out,
 * modelled on the TURN REST API scheme (draft-uberti-behave-turn-rest 2.2):
 * username = "<expiry unix seconds>:<user>", password = base64(HMAC-SHA1(secret, username)).
 * The secret is derived from the av-auth private key, which is the same on every edge
 * of the pool (CERT-3), so a credential issued by one edge is valid on every other.
 * Static username/password pairs exist for interop with coturn's clients.
 */
import { createHmac, createPrivateKey } from "node:crypto";

/** The pool-wide secret: HMAC-SHA256 keyed by the av-auth private key (DER), over a fixed label. */
export function derivePoolSecret(avAuthKeyPem: string): Buffer {
  let der: Buffer;
  try {
    der = createPrivateKey(avAuthKeyPem).export({ type: "pkcs8", format: "der" });
  } catch (err) {
    throw new RangeError(`A/V authentication: the av-auth private key is not a readable PEM key (${(err as Error).message})`);
  }
  return createHmac("sha256", der).update("edgesim MRAS TURN credential secret v1 (CERT-3)").digest();
}

export interface AvCredentials {
  username: string;
  password: string;
  /** Seconds the credential stays valid (the product's default is 480 minutes). */
  lifetimeSec: number;
}

export function passwordFor(secret: Buffer, username: string): string {
  return createHmac("sha1", secret).update(username, "utf8").digest("base64");
}

/** A credential for `user`, valid `lifetimeSec` from `nowMs`. */
export function issueCredentials(secret: Buffer, user: string, lifetimeSec: number, nowMs = Date.now()): AvCredentials {
  if (!user || /[\s:]/.test(user.replace(/^sip:/, ""))) throw new RangeError(`A/V authentication: user '${user}' is empty or has spaces or colons`);
  const expiry = Math.floor(nowMs / 1000) + lifetimeSec;
  const username = `${expiry}:${user}`;
  return { username, password: passwordFor(secret, username), lifetimeSec };
}

export type PasswordLookup =
  | { ok: true; password: string; user: string }
  | { ok: false; why: "unknown user" | "expired credential" };

/** Finds the password for a USERNAME: static users first, then pool-secret credentials that have not expired. */
export function lookupPassword(username: string, staticUsers: Record<string, string>, secret: Buffer | undefined, nowMs = Date.now()): PasswordLookup {
  const fixed = Object.hasOwn(staticUsers, username) ? staticUsers[username] : undefined;
  if (fixed !== undefined) return { ok: true, password: fixed, user: username };
  const m = /^(\d{1,12}):(.+)$/.exec(username);
  if (!secret || !m) return { ok: false, why: "unknown user" };
  if (Number(m[1]) * 1000 < nowMs) return { ok: false, why: "expired credential" };
  return { ok: true, password: passwordFor(secret, username), user: m[2]! };
}
