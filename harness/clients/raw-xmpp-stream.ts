/**
 * A raw XMPP stream for hostile-input scenarios and tests (XMPP-3): writes exactly
 * the bytes it is given and collects what comes back as text (decoded across chunk
 * boundaries), with bounded waits. No parsing: the point is to send what no honest
 * server sends and read the peer's raw answer.
 */
import { connect, type Socket } from "node:net";
import { assertLoopback } from "../../edge/net/loopback.ts";

export class RawXmppStream {
  text = "";
  closed = false;

  constructor(protected readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (this.text += d));
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => (this.closed = true));
  }

  /** A plain TCP stream to address:port (from the machine's own address unless `localAddress`). */
  static connect(address: string, port: number, localAddress?: string): Promise<RawXmppStream> {
    assertLoopback(address, "open a raw XMPP stream to");
    return new Promise((resolve, reject) => {
      const s = connect({ host: address, port, ...(localAddress ? { localAddress: assertLoopback(localAddress, "bind a raw XMPP stream to") } : {}) }, () => resolve(new RawXmppStream(s)));
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
