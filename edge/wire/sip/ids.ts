/**
 * Identifiers a proxy or UAS mints: Via branch (RFC 3261 8.1.1.7: starts with the magic
 * cookie "z9hG4bK", unique per transaction) and From/To tags (19.3: at least 32 bits of
 * randomness).
 */
import { randomBytes } from "node:crypto";

export const MAGIC_COOKIE = "z9hG4bK";

export function generateBranch(): string {
  return MAGIC_COOKIE + randomBytes(12).toString("hex");
}

export function generateTag(): string {
  return randomBytes(8).toString("hex");
}

/**
 * Whether a branch is an RFC 3261 transaction id: the cookie plus something unique.
 * A bare "z9hG4bK" (RFC 4475 3.2.1) or no cookie means RFC 2543 transaction matching (17.2.3).
 */
export function isRfc3261Branch(branch: string | undefined): boolean {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length;
}
