/**
 * STUN message type = 12-bit method + 2-bit class, interleaved as RFC 5389 6 (figure 3):
 *   M11..M7 C1 M6..M4 C0 M3..M0 in the low 14 bits; the top two bits are zero.
 * Methods: RFC 5389 18.1 (Binding) and RFC 5766 13 (TURN).
 */
export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

/** RFC 5389 6: 0b00 request, 0b01 indication, 0b10 success response, 0b11 error response. */
export const StunClass = {
  Request: 0,
  Indication: 1,
  SuccessResponse: 2,
  ErrorResponse: 3,
} as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

export function encodeMessageType(method: number, cls: StunClass): number {
  if (!Number.isInteger(method) || method < 0 || method > 0xfff) {
    throw new RangeError(`STUN method ${method} is outside the 12-bit range (RFC 5389 6)`);
  }
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

export function decodeMessageType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = (((type >> 4) & 1) | ((type >> 7) & 2)) as StunClass;
  return { method, cls };
}
