/**
 * A decode error that says where it failed, so tests and traces can assert on it
 * (modelled on pion/stun errors.go). Every codec under edge/wire/ throws this type
 * (or a subclass) for bad input, never a bare Error.
 */
export type WireProtocol = "sip" | "stun" | "xmpp" | "dns" | "http";

export class WireDecodeError extends Error {
  /** Which codec refused the input. */
  readonly protocol: WireProtocol;
  /** Where it failed: "start-line", "header 'Via' (line 3)", "byte 20", "attribute 0x0008 at byte 44". */
  readonly where: string;
  /** What was wrong, in a few words. */
  readonly reason: string;
  /** The wire code a server answers with, where the protocol has one (SIP 400, STUN 400/420, XMPP condition). */
  readonly wireCode: number | string | undefined;

  constructor(protocol: WireProtocol, where: string, reason: string, wireCode?: number | string) {
    super(`${protocol}: ${reason} at ${where}`);
    this.name = "WireDecodeError";
    this.protocol = protocol;
    this.where = where;
    this.reason = reason;
    this.wireCode = wireCode;
  }
}
