/**
 * Requests addressed to the Access Edge itself (RFC 3261 11, 16.4): an OPTIONS whose
 * Request-URI names this edge - no user part, one of its names or addresses, no port
 * or a port it listens on - is a federation keep-alive or a load balancer's monitor,
 * and the edge answers it as a UAS (11.2) instead of routing it by policy (where it
 * would be a request for a user of no domain: 403, FED-12).
 *
 * Which names are "the edge itself" comes from the topology: this server's external
 * and internal FQDNs, the pool's external access FQDN (the Access VIP's name) and the
 * edge pool's internal FQDN (the internal VIP's name), plus its own addresses. The
 * transport parameter does not matter: the request reached us, whatever it names.
 */
import type { AnyUri } from "../../wire/sip/index.ts";

export interface EdgeItself {
  /** Lower-case host names and addresses. */
  hosts: ReadonlySet<string>;
  /** The ports this edge listens on (5061, 443 or its unprivileged stand-in, WSS). */
  ports: ReadonlySet<number>;
}

export function edgeItself(hosts: readonly string[], ports: readonly number[]): EdgeItself {
  return { hosts: new Set(hosts.map((h) => h.toLowerCase().replace(/\.$/, ""))), ports: new Set(ports) };
}

/** True for a sip/sips URI with no user that names one of the edge's hosts (and one of its ports, when it has a port). */
export function namesEdgeItself(uri: AnyUri, self: EdgeItself): boolean {
  if (uri.kind !== "sip" || uri.user !== undefined) return false;
  if (!self.hosts.has(uri.host.toLowerCase().replace(/\.$/, ""))) return false;
  return uri.port === undefined || self.ports.has(uri.port);
}

/**
 * Allow (RFC 3261 20.5): the methods the edge relays for each side. REGISTER only from
 * remote users (outside access, FED-9): federation peers register nowhere here.
 */
const RELAYED = ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "MESSAGE", "INFO", "SUBSCRIBE", "NOTIFY", "REFER"];

/**
 * The fields of the edge's 200 to OPTIONS (11.2: Allow and Supported SHOULD be present).
 * Supported names the one extension the edge takes part in: path (RFC 3327), which it
 * adds to its remote users' REGISTER; elsewhere it supports none (an empty Supported).
 */
export function optionsAnswerFields(side: "federation" | "internal" | "remote"): Array<[string, string]> {
  const allow = side === "remote" ? [...RELAYED, "REGISTER"] : RELAYED;
  return [
    ["Allow", allow.join(", ")],
    ["Supported", side === "remote" ? "path" : ""],
  ];
}
