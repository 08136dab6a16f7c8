/**
 * Asks the pool's A/V authentication service for a user's TURN credentials, as the front
 * end does (mutual TLS to TCP 5062, PORT-3, CERT-3). Seed 002 has one row for it,
 * 002-int-vip-avauth-5062: front end -> the edge pool's internal VIP (with DNS load
 * balancing the rule names the edges' internal addresses). Given a `gate`, the dial asks
 * the firewall first, from `localAddress`: a front end dialling an edge node's 5062 behind
 * an HLB is dropped (no rule names it) and rejected with code 504 and the drop as `cause`.
 * Used by tests, scenarios and simulated clients. Fails with an error that names the edge and why.
 */
import tls from "node:tls";
import type { EventSink } from "../../events/types.ts";
import { FirewallDropError, gatedCreateConnection, type ConnectionGate } from "../../net/gate.ts";
import { assertLoopback } from "../../net/loopback.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import { MRAS_MAX_LINE, type MrasResponse } from "./mras-protocol.ts";

export interface AvCredentialRequest {
  address: string;
  port: number;
  /** The name the edge's certificate must carry (edge1.contoso.test, edgepool.contoso.test). */
  servername: string;
  /** Who asks: the front end's identity (others are refused with 403). */
  identity: TlsIdentity;
  user: string;
  timeoutMs?: number;
  /** The asking host's own address (the front end's): the firewall judges the connection by it (PORT-3). */
  localAddress?: string;
  /** The firewall between the asker and the edge (PORT-5); needs `localAddress`, `host` and `events`. Without it the dial is not checked here (the edge's listener may still reset it). */
  gate?: ConnectionGate;
  /** The asking host ("fe01"), for the gate's trace. */
  host?: string;
  events?: EventSink;
}

export type GrantedAvCredentials = Extract<MrasResponse, { ok: true }>;

export class AvCredentialError extends Error {
  constructor(readonly code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AvCredentialError";
  }
}

export function requestAvCredentials(r: AvCredentialRequest): Promise<GrantedAvCredentials> {
  assertLoopback(r.address, "ask A/V credentials from");
  const where = `A/V authentication at ${r.servername} (${r.address}:${r.port})`;
  const tlsOptions = { servername: r.servername, cert: r.identity.certPem, key: r.identity.keyPem, ca: r.identity.caPem, minVersion: "TLSv1.2" as const };
  return new Promise((resolve, reject) => {
    let s: tls.TLSSocket;
    try {
      s = r.gate ? gatedTls(r, tlsOptions) : tls.connect({ host: r.address, port: r.port, ...(r.localAddress ? { localAddress: assertLoopback(r.localAddress, "ask A/V credentials from") } : {}), ...tlsOptions });
    } catch (err) {
      if (!(err instanceof FirewallDropError)) throw err;
      return reject(new AvCredentialError(504, `${where}: ${err.message}`, { cause: err }));
    }
    let buffered = "";
    const fail = (err: Error) => {
      s.destroy();
      reject(err);
    };
    s.setTimeout(r.timeoutMs ?? 5000, () => fail(new AvCredentialError(504, `${where} did not answer within ${r.timeoutMs ?? 5000} ms`)));
    s.on("error", (err) => fail(new AvCredentialError(502, `${where}: ${err.message}`)));
    s.on("secureConnect", () => s.write(JSON.stringify({ request: "credentials", user: r.user }) + "\n"));
    s.setEncoding("utf8");
    s.on("data", (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MRAS_MAX_LINE) return fail(new AvCredentialError(502, `${where} answered more than ${MRAS_MAX_LINE} bytes without a newline`));
      const nl = buffered.indexOf("\n");
      if (nl < 0) return;
      let res: MrasResponse;
      try {
        res = JSON.parse(buffered.slice(0, nl)) as MrasResponse;
      } catch {
        return fail(new AvCredentialError(502, `${where} answered a line that is not JSON`));
      }
      s.end();
      if (res.ok) resolve(res);
      else reject(new AvCredentialError(res.code, `${where} refused: ${res.code} ${res.error}`));
    });
    s.on("end", () => fail(new AvCredentialError(502, `${where} closed the connection without an answer`)));
  });
}

/** The gated dial (PORT-5): the firewall checks the front end's tuple before a packet leaves; throws FirewallDropError. */
function gatedTls(r: AvCredentialRequest, tlsOptions: tls.ConnectionOptions): tls.TLSSocket {
  if (!r.localAddress || !r.host || !r.events) throw new TypeError("requestAvCredentials: a gate needs localAddress, host and events (the firewall judges the asker by its own address)");
  return gatedCreateConnection({ gate: r.gate!, events: r.events, host: r.host, purpose: "A/V authentication request (MRAS, 5062)", localAddress: r.localAddress, address: r.address, port: r.port }, tlsOptions) as tls.TLSSocket;
}
