/**
 * A raw server-to-server client for hostile-stream tests: writes exactly the bytes
 * a test gives it to an XMPP server and collects what comes back, with bounded waits.
 */
import { connect, type Socket } from "node:net";
import { assertLoopback } from "../../edge/net/loopback.ts";

export class RawStream {
  text = "";
  closed = false;
  private constructor(private readonly socket: Socket) {
    socket.on("data", (d: Buffer) => (this.text += d.toString("utf8")));
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => (this.closed = true));
  }

  static open(address: string, port: number): Promise<RawStream> {
    assertLoopback(address, "open a raw XMPP stream to");
    return new Promise((resolve, reject) => {
      const s = connect({ host: address, port }, () => resolve(new RawStream(s)));
      s.once("error", reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Waits until the received text matches, or the connection closed, or `timeoutMs` passed. */
  async waitFor(pattern: RegExp, timeoutMs = 8000): Promise<RegExpExecArray | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text);
      if (m || this.closed || Date.now() > deadline) return m;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async waitClosed(timeoutMs = 8000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export const S2S_HEADER = (from: string, to: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' version='1.0'>`;
