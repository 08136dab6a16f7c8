/**
 * DNS-1: when a partner edge stops, our edge must dial the next SRV target for the next
 * request instead of writing it onto the pooled connection the partner just closed (that
 * request would end 504 "next hop closed"). The connection pool hands out a connection
 * until it is marked closed, so it must be marked closed when the peer's FIN arrives, not
 * only at the socket's 'close' event, which Node emits after our own shutdown, turns of
 * the event loop later (the window federation-enhanced.yaml used to hit with the kernel
 * balancer, docs/load-balancer.md). Real TCP sockets on loopback.
 */
import { describe, expect, it } from "vitest";
import net from "node:net";
import type { TLSSocket } from "node:tls";
import { SipConnection } from "../../edge/roles/access-edge/sip-connection.ts";
import { noEvents } from "../../edge/events/types.ts";

describe("a SIP connection whose peer closes (DNS-1)", () => {
  it("DNS-1: is closed, and its owner told, as soon as the peer's FIN is read", async () => {
    const server = net.createServer((s) => s.end()); // a partner edge that goes down: FIN at once
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect({ host: "127.0.0.1", port });
    await new Promise<void>((r) => socket.once("connect", () => r()));
    // overTls reads only the stream side of the socket: a plain TCP socket carries the same FIN.
    const conn = SipConnection.overTls(socket as unknown as TLSSocket, { host: "edge1", localFqdn: "edge1.contoso.test", transport: "tls", tuple: { transport: "tls", srcAddress: "127.0.0.1", srcPort: socket.localPort ?? 0, dstAddress: "127.0.0.1", dstPort: port } }, noEvents);
    let told = 0;
    conn.setHandler({ onRequest: () => undefined, onResponse: () => undefined, onClose: () => void told++ });
    // Registered after the connection's own listener: runs right after it, before any 'close'.
    const atEnd = await new Promise<{ closed: boolean; told: number }>((r) => socket.once("end", () => r({ closed: conn.closed, told })));
    expect(atEnd).toEqual({ closed: true, told: 1 });
    await new Promise<void>((r) => socket.once("close", () => r()));
    expect(told).toBe(1);
    await new Promise<void>((r) => server.close(() => r()));
  });
});
