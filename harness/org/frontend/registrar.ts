/**
 * The front end's registrar for remote users (RFC 3261 10.3): one binding per
 * address of record, reached through the Access Edge named in the REGISTER's Path
 * (RFC 3327) and over the connection the REGISTER came in on (RFC 5626 flow reuse:
 * the front end may dial only the internal VIP, never a particular edge).
 *
 * Expiry (RFC 3261 10.3 step 7): the Contact's `expires` parameter, else the
 * Expires header, else 3600 s; a registrar may shorten it, so it is capped at
 * MAX_EXPIRES_S. Zero removes the binding (10.2.2, un-registration), as does
 * `Contact: *` with Expires 0. An expired binding is gone: requests to the user
 * get 480 like any user who is not signed in.
 */
import type { SipConnection } from "../../../edge/roles/access-edge/index.ts";

export const DEFAULT_EXPIRES_S = 3600;
export const MAX_EXPIRES_S = 7200;

export interface Binding {
  pathFqdn: string;
  port: number;
  conn: SipConnection;
  /** Epoch ms after which the binding is gone. */
  expiresAt: number;
}

/** What a REGISTER asked for, read from its headers. */
export interface RegisterRequest {
  /** The Contact header values (`*` for all). */
  contacts: string[];
  /** The Expires header, when present. */
  expiresHeader?: string | undefined;
}

/** The seconds a REGISTER asks for (RFC 3261 10.2.1.1): Contact expires=, else Expires, else the default; capped. */
export function requestedExpiry(r: RegisterRequest): number {
  const param = r.contacts.map((c) => /;\s*expires\s*=\s*(\d+)/i.exec(c)?.[1]).find((v) => v !== undefined);
  const raw = param ?? r.expiresHeader?.trim();
  const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : DEFAULT_EXPIRES_S;
  return Math.min(n, MAX_EXPIRES_S);
}

export class Registrar {
  readonly #bindings = new Map<string, Binding>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies a REGISTER; returns the seconds granted (0: the binding was removed). */
  register(aor: string, where: Omit<Binding, "expiresAt">, request: RegisterRequest): number {
    const seconds = requestedExpiry(request);
    if (seconds === 0) {
      this.#bindings.delete(aor);
      return 0;
    }
    this.#bindings.set(aor, { ...where, expiresAt: this.now() + seconds * 1000 });
    return seconds;
  }

  /** The live binding of `aor`, or undefined (never registered, un-registered, or expired). */
  lookup(aor: string): Binding | undefined {
    const b = this.#bindings.get(aor);
    if (!b) return undefined;
    if (b.expiresAt <= this.now()) {
      this.#bindings.delete(aor);
      return undefined;
    }
    return b;
  }

  has(aor: string): boolean {
    return this.lookup(aor) !== undefined;
  }
}
