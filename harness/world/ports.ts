/**
 * The product's ports, and the fallback for ports below 1024 when edgesim does not
 * run as root (binding 443, 80 or 53 needs root on Linux): the port plus 10000
 * (443 -> 10443, 80 -> 10080, 53 -> 10053). The plan printed at start-up shows
 * which one is in use.
 */
export const PORTS = {
  dns: 53,
  http: 80,
  https: 443,
  sipMtls: 5061,
  sipAvAuth: 5062,
  xmppS2s: 5269,
  xmppGateway: 23456,
  stun: 3478,
  psom: 8057,
  webInternal: 4443,
  webHttpInternal: 8080,
  relayMin: 50000,
  relayMax: 59999,
} as const;

export const PRIVILEGED_FALLBACK_OFFSET = 10000;

export function canBindPrivileged(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export type PortMapper = (port: number) => number;

/** Maps a documented port to the one actually bound: identical as root, +10000 below 1024 otherwise. */
export function portMapper(privileged = canBindPrivileged()): PortMapper {
  return (port) => (port < 1024 && !privileged ? port + PRIVILEGED_FALLBACK_OFFSET : port);
}
