/**
 * One TURN-over-TCP client connection (RFC 5766 2.1, 11.5; RFC 5389 7.2.2): the stream
 * is cut into STUN messages and ChannelData frames by the codec's framer; a framing
 * error (the stream is out of step) is traced and the connection closed. Allocations
 * made over the connection die with it (their 5-tuple is gone). Idle connections are
 * closed after `tcpIdleMs`.
 */
import type { Socket } from "node:net";
import { StunTcpFramer } from "../../wire/stun/index.ts";
import type { ClientPath } from "./handoff.ts";

export interface TcpHandlers {
  packet(frame: Buffer, path: ClientPath): void;
  framingError(path: ClientPath, why: string): void;
  closed(path: ClientPath): void;
}

export function serveTcp(socket: Socket, local: { address: string; port: number }, opts: { idleMs: number; maxFrame: number }, h: TcpHandlers): void {
  const framer = new StunTcpFramer({ maxFrameSize: opts.maxFrame });
  const path: ClientPath = {
    transport: "tcp",
    client: { address: (socket.remoteAddress ?? "0.0.0.0").replace(/^::ffff:/, ""), port: socket.remotePort ?? 0 },
    local,
    send: (data) => {
      if (!socket.destroyed && socket.writable) socket.write(data);
    },
  };
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleMs, () => socket.destroy());
  socket.on("data", (chunk: Buffer) => {
    let frames;
    try {
      frames = framer.push(chunk);
    } catch (err) {
      h.framingError(path, (err as Error).message);
      socket.destroy();
      return;
    }
    for (const f of frames) h.packet(f.bytes, path);
  });
  socket.on("error", () => socket.destroy());
  socket.on("close", () => h.closed(path));
}
