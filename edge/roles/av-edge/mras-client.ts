/**
 * Asks an edge's A/V authentication service for a user's TURN credentials, as the front
 * end does (mutual TLS to TCP 5062 on the edge's internal interface, PORT-3). Used by
 * tests, scenarios and simulated clients. Fails with an error that names the edge and why.
 */
import tls from "node:tls";
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
}

export type GrantedAvCredentials = Extract<MrasResponse, { ok: true }>;

export class AvCredentialError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = "AvCredentialError";
  }
}

export function requestAvCredentials(r: AvCredentialRequest): Promise<GrantedAvCredentials> {
  assertLoopback(r.address, "ask A/V credentials from");
  const where = `A/V authentication at ${r.servername} (${r.address}:${r.port})`;
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: r.address, port: r.port, ...(r.localAddress ? { localAddress: assertLoopback(r.localAddress, "ask A/V credentials from") } : {}), servername: r.servername, cert: r.identity.certPem, key: r.identity.keyPem, ca: r.identity.caPem, minVersion: "TLSv1.2" });
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
