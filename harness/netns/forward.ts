/**
 * Keeping the dashboard reachable from the host when the world runs in its own network
 * namespace: a TCP address inside the namespace cannot be dialled from the host, but a
 * unix socket is a file, and files are shared. The world's process serves a unix socket
 * that splices to the dashboard's TCP address inside; the parent on the host listens on
 * the same TCP address there and splices to the unix socket. Bytes are not touched.
 */
import net from "node:net";
import { rmSync } from "node:fs";
import { assertLoopback } from "../../edge/net/loopback.ts";

export interface Forwarder {
  close(): Promise<void>;
}

function splice(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.once("error", end).once("close", end);
  b.once("error", end).once("close", end);
}

function closing(server: net.Server, after?: () => void): () => Promise<void> {
  return () => new Promise((resolve) => server.close(() => {
    after?.();
    resolve();
  }));
}

/** Inside the namespace: unix socket `path` -> TCP `to`. */
export async function unixToTcp(path: string, to: { address: string; port: number }): Promise<Forwarder> {
  assertLoopback(to.address, "forward the dashboard to");
  rmSync(path, { force: true });
  const server = net.createServer((s) => splice(s, net.connect({ host: to.address, port: to.port })));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  return { close: closing(server, () => rmSync(path, { force: true })) };
}

/** On the host: TCP `from` -> unix socket `path`. */
export async function tcpToUnix(from: { address: string; port: number }, path: string): Promise<Forwarder> {
  assertLoopback(from.address, "listen for the dashboard on");
  const server = net.createServer((s) => splice(s, net.connect({ path })));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(from.port, from.address, () => resolve());
  });
  return { close: closing(server) };
}
