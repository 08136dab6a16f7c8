/**
 * Relay sockets (RFC 5766 6.2, 14.6): UDP sockets in the relay range on the edge's own
 * external A/V address (PORT-1 50000-59999, HLB-3: media reaches the physical IP, never
 * the VIP). The search starts at a random port and walks the range, so two allocations
 * rarely race for one port; when no port binds, the caller answers 508.
 */
import dgram from "node:dgram";
import { assertLoopback } from "../../net/loopback.ts";

/** Tries to bind one UDP socket on address:port; resolves undefined when the port is taken. */
export function bindUdp(address: string, port: number): Promise<dgram.Socket | undefined> {
  assertLoopback(address, "bind a relay socket on");
  return new Promise((resolve) => {
    // 1 MiB buffers: a burst of media must not be dropped by the kernel while the event loop is busy.
    const s = dgram.createSocket({ type: "udp4", reuseAddr: false, recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    const onError = () => {
      s.close();
      resolve(undefined);
    };
    s.once("error", onError);
    s.bind({ address, port, exclusive: true }, () => {
      s.off("error", onError);
      resolve(s);
    });
  });
}

export interface RelayPortRange {
  address: string;
  min: number;
  max: number;
}

/** How many ports one allocation tries before giving up with 508. */
export const MAX_BIND_ATTEMPTS = 64;

/**
 * A relay socket; with `even` an even port, and with `reserveNext` also the odd port
 * above it (RFC 5766 14.6 EVEN-PORT R bit), returned apart for the reservation table.
 */
export async function openRelay(range: RelayPortRange, opts: { even?: boolean; reserveNext?: boolean } = {}): Promise<{ socket: dgram.Socket; reserved?: dgram.Socket } | undefined> {
  const span = range.max - range.min + 1;
  const step = opts.even ? 2 : 1;
  let port = range.min + Math.floor(Math.random() * span);
  if (opts.even && port % 2 === 1) port = port + 1 > range.max ? range.min + (range.min % 2) : port + 1;
  for (let i = 0; i < Math.min(MAX_BIND_ATTEMPTS, Math.ceil(span / step)); i++) {
    if (port > range.max || (opts.reserveNext && port + 1 > range.max)) port = range.min + (opts.even ? range.min % 2 : 0);
    const socket = await bindUdp(range.address, port);
    if (socket) {
      if (!opts.reserveNext) return { socket };
      const reserved = await bindUdp(range.address, port + 1);
      if (reserved) return { socket, reserved };
      socket.close();
    }
    port += step;
  }
  return undefined;
}
