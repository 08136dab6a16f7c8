/**
 * Size limits of the SIP codec. A message over a limit is refused with wireCode 513
 * (Message Too Large, RFC 3261 21.5.14) instead of being buffered without bound.
 */
export interface SipLimits {
  /** Bytes of start-line + header fields + the empty line. Default 16 KiB. */
  maxHeaderBytes: number;
  /** Bytes of body. Default 64 KiB. */
  maxBodyBytes: number;
  /** Header field lines (after unfolding). Default 100. */
  maxHeaders: number;
}

export const DEFAULT_SIP_LIMITS: Readonly<SipLimits> = Object.freeze({
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 64 * 1024,
  maxHeaders: 100,
});

export function withDefaults(limits: Partial<SipLimits> | undefined): SipLimits {
  return { ...DEFAULT_SIP_LIMITS, ...limits };
}
