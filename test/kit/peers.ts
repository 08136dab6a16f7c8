/**
 * Tests that need a real peer (dig, Prosody, Kamailio, coturn, ...) use peerIt:
 * where the peer is installed the test runs; where it is missing the test is
 * skipped with the install command in its name, except under CI, where a missing
 * peer is a failure (CI installs every peer: .ci/run).
 */
import { isInstalled } from "../../harness/paths/installed.ts";
import { it } from "vitest";

export interface Peer {
  /** The program to look for on PATH. */
  command: string;
  /** What to run to install it. */
  install: string;
}

export const PEERS = {
  dig: { command: "dig", install: "apt-get install -y bind9-dnsutils" },
  prosody: { command: "prosody", install: "apt-get install -y prosody" },
  ejabberd: { command: "ejabberdctl", install: "apt-get install -y ejabberd" },
  kamailio: { command: "kamailio", install: "apt-get install -y kamailio kamailio-tls-modules" },
  turnserver: { command: "turnserver", install: "apt-get install -y coturn" },
  turnutils: { command: "turnutils_uclient", install: "apt-get install -y coturn" },
  stun: { command: "stun", install: "apt-get install -y stun-client" },
  sipp: { command: "sipp", install: "apt-get install -y sip-tester" },
  tshark: { command: "tshark", install: "DEBIAN_FRONTEND=noninteractive apt-get install -y tshark" },
  nft: { command: "nft", install: "apt-get install -y nftables" },
} satisfies Record<string, Peer>;

export function hasPeer(peer: Peer): boolean {
  return isInstalled(peer.command);
}

/** An `it` that needs a peer. */
export function peerIt(peer: Peer): (name: string, fn: () => Promise<void> | void, timeout?: number) => void {
  if (hasPeer(peer)) return (name, fn, timeout) => it(name, fn, timeout);
  if (process.env.CI)
    return (name, _fn, timeout) =>
      it(name, () => {
        throw new Error(`${peer.command} is not installed, and CI must not skip: ${peer.install}`);
      }, timeout);
  return (name, fn, timeout) => it.skipIf(true)(`${name} [skipped: ${peer.command} not installed; ${peer.install}]`, fn, timeout);
}
