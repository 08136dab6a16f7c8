/**
 * A load balancer's TCP health check connects and closes without sending a byte
 * (edge/lb/health.ts; hardware balancers do the same). To a TLS server that looks
 * like a failed handshake; it is not a client, so roles do not trace it as one.
 */
import type { Socket } from "node:net";

export function isHealthProbe(socket: Socket): boolean {
  return socket.bytesRead === 0;
}
