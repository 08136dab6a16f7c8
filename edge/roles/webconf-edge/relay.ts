/**
 * One client's conference connection: the edge dials the front end's PSOM port over
 * mutual TLS from its internal address (PORT-3: PSOM MTLS TCP 8057), checks the
 * front end's name on its certificate, then relays bytes both ways until either
 * side closes.
 */
import net from "node:net";
import tls from "node:tls";
import { assertLoopback } from "../../net/loopback.ts";
import type { WebconfEdgeOptions } from "./options.ts";

export function relayToPsom(client: tls.TLSSocket, o: WebconfEdgeOptions, done: (err?: Error) => void): void {
  const p = o.psom;
  assertLoopback(p.address, "dial the PSOM server at");
  const raw = net.connect({ host: p.address, port: p.port, localAddress: assertLoopback(o.internal.address, "dial PSOM from") });
  const inside = tls.connect({
    socket: raw, servername: p.fqdn, cert: o.internal.identity.certPem, key: o.internal.identity.keyPem, ca: o.internal.identity.caPem,
    minVersion: "TLSv1.2", checkServerIdentity: (_host, cert) => tls.checkServerIdentity(p.fqdn, cert),
  });
  const timer = setTimeout(() => inside.destroy(new Error(`no TLS session with PSOM ${p.fqdn} ${p.address}:${p.port} within ${o.handshakeTimeoutMs ?? 5000} ms`)), o.handshakeTimeoutMs ?? 5000);
  let finished = false;
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    client.destroy();
    inside.destroy();
    done(err);
  };
  client.pause();
  inside.once("secureConnect", () => {
    clearTimeout(timer);
    client.pipe(inside);
    inside.pipe(client);
    client.resume();
  });
  inside.once("error", (e) => finish(new Error(`PSOM relay to ${p.fqdn} ${p.address}:${p.port}: ${e.message}`)));
  raw.once("error", (e) => finish(new Error(`PSOM relay to ${p.fqdn} ${p.address}:${p.port}: ${e.message}`)));
  client.once("error", (e) => finish(e));
  client.once("close", () => finish());
  inside.once("close", () => finish());
}
