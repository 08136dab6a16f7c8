/**
 * The modelled A/V authentication (MRAS) protocol on TCP 5062 of the edge's internal
 * interface, over mutual TLS (PORT-3). The product speaks SIP here; edgesim models the
 * exchange as one JSON object per line:
 *   -> {"request":"credentials","user":"sip:alice@contoso.test"}
 *   <- {"ok":true,"username":"1700000000:sip:alice@contoso.test","password":"...","lifetimeSec":28800,"realm":"contoso.test","servers":[...]}
 *   <- {"ok":false,"code":400|403,"error":"why"}
 * Lines are at most MRAS_MAX_LINE bytes; the connection may carry several requests.
 */
export const MRAS_MAX_LINE = 4096;
/** The product hands out A/V credentials valid for 480 minutes. */
export const MRAS_DEFAULT_LIFETIME_SEC = 480 * 60;

export interface MrasRequest {
  request: "credentials";
  user: string;
}

export interface MrasServerEntry {
  /** The name clients use (the A/V VIP FQDN, or an edge's own A/V FQDN). */
  host: string;
  transport: "udp" | "tcp";
  port: number;
}

export type MrasResponse =
  | { ok: true; username: string; password: string; lifetimeSec: number; realm: string; servers: MrasServerEntry[] }
  | { ok: false; code: number; error: string };
