/**
 * Probes for the role gating tests: a TCP dial from a simulated host's own
 * address, reporting whether the peer reset it (the gated listener's answer to a
 * firewall drop, PORT-5) or kept it, and a STUN Binding datagram. Waits are bounded.
 */
import dgram from "node:dgram";
import net from "node:net";
import { assertLoopback } from "../../edge/net/loopback.ts";
import { StunClass, StunMessageBuilder, StunMethod, newTransactionId } from "../../edge/wire/stun/index.ts";

/**
 * Dials to:port from `from`; "refused" when the peer resets or closes it before `holdMs`
 * (a gated listener resets a dropped peer at once, so the dialler may see the reset
 * before its own connect event), "held" when it stays open.
 */
export function tcpOutcome(from: string, to: { address: string; port: number }, holdMs = 1500): Promise<"held" | "refused"> {
  assertLoopback(from, "bind a probe on");
  assertLoopback(to.address, "probe");
  return new Promise((resolve) => {
    const s = net.connect({ host: to.address, port: to.port, localAddress: from });
    const done = (r: "held" | "refused") => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done("held"), holdMs);
    s.once("error", () => done("refused"));
    s.once("close", () => done("refused"));
  });
}

/** Sends one STUN Binding request from `from` to `to`. */
export async function sendBinding(from: string, to: { address: string; port: number }): Promise<void> {
  assertLoopback(from, "bind a probe on");
  assertLoopback(to.address, "probe");
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind({ address: from, port: 0 }, () => r()));
  const req = new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId()).encode();
  await new Promise<void>((r) => s.send(req, to.port, to.address, () => r()));
  s.close();
}
