/**
 * What an edge role needs from DNS, as an interface: the harness provides the
 * implementation (a resolver pointed at the sandbox DNS view the role sits in),
 * so edge/ never imports harness/.
 */
import type { LookupFunction } from "node:net";

/** One SRV record (RFC 2782), unordered: order with the policy's RFC 2782 selection. */
export interface SrvTarget {
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface NameResolver {
  /** Which view this resolver asks ("internal" or "external"), for traces. */
  readonly view: string;
  resolveSrv(name: string): Promise<SrvTarget[]>;
  resolveA(name: string): Promise<string[]>;
  /** A `lookup` for net.connect/tls.connect that resolves through this view and only ever yields 127.0.0.0/8. */
  readonly lookup: LookupFunction;
}

/** A name did not resolve: NXDOMAIN, no data, or the server did not answer. */
export class NameNotFoundError extends Error {
  readonly hostname: string;
  readonly code: string;
  constructor(hostname: string, code: string, view: string) {
    super(`${hostname} did not resolve in the ${view} DNS view (${code})`);
    this.name = "NameNotFoundError";
    this.hostname = hostname;
    this.code = code;
  }
}
