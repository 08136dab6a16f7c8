/**
 * The sandbox's one safety rule: every address edgesim binds or dials is in
 * 127.0.0.0/8. Every socket helper calls assertLoopback before it touches the
 * network, so a wrong DNS record or a typo in a topology fails loudly instead of
 * sending a packet off this machine.
 */
export class NonLoopbackAddressError extends Error {
  readonly address: string;
  constructor(address: string, purpose: string) {
    super(`refusing to ${purpose} ${address}: edgesim only uses addresses in 127.0.0.0/8`);
    this.name = "NonLoopbackAddressError";
    this.address = address;
  }
}

const LOOPBACK_V4 = /^127\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/;

export function isLoopback(address: string): boolean {
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return LOOPBACK_V4.test(a);
}

export function assertLoopback(address: string, purpose = "use"): string {
  if (!isLoopback(address)) throw new NonLoopbackAddressError(address, purpose);
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
