/**
 * Dialback keys, XEP-0185 section 3: key = HMAC-SHA256(SHA256(secret),
 * "Receiving Server" + " " + "Originating Server" + " " + "Stream ID"), in hex.
 * Stateless: the authoritative server recomputes the key from the db:verify it
 * receives, so every edge of a pool that shares the secret can answer for a key
 * another edge generated (the partner may reach any of them).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export function dialbackKey(secret: string, receiving: string, originating: string, streamId: string): string {
  const k = createHash("sha256").update(secret).digest("hex");
  return createHmac("sha256", k).update(`${receiving} ${originating} ${streamId}`).digest("hex");
}

export function dialbackKeyMatches(secret: string, receiving: string, originating: string, streamId: string, key: string): boolean {
  const expected = Buffer.from(dialbackKey(secret, receiving, originating, streamId));
  const given = Buffer.from(key.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
