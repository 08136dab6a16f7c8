/**
 * Stateless NONCEs (RFC 5389 10.2.1, 10.2.2): hex issue time + a truncated HMAC of it,
 * keyed by a per-edge random key. A nonce whose HMAC does not match, or that is older
 * than the lifetime, is stale: the client gets 438 with a fresh one.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export class NonceIssuer {
  private readonly key = randomBytes(16);
  constructor(private readonly lifetimeSec: number) {}

  issue(nowMs = Date.now()): string {
    const t = Math.floor(nowMs / 1000).toString(16).padStart(10, "0");
    return t + this.mac(t);
  }

  /** True when `nonce` is one of ours and still fresh. */
  isFresh(nonce: string, nowMs = Date.now()): boolean {
    if (!/^[0-9a-f]{26}$/.test(nonce)) return false;
    const t = nonce.slice(0, 10);
    const given = Buffer.from(nonce.slice(10), "hex");
    if (!timingSafeEqual(given, Buffer.from(this.mac(t), "hex"))) return false;
    return nowMs / 1000 - parseInt(t, 16) <= this.lifetimeSec;
  }

  private mac(t: string): string {
    return createHmac("sha256", this.key).update(t).digest("hex").slice(0, 16);
  }
}
