/**
 * A partner organisation's A/V Edge (e.g. fabrikam's): the same STUN/TURN server as ours
 * (edge/roles/av-edge), on one address the harness hands it (edgesim reuses the partner's
 * edge address: the topology plans no separate A/V host for partners), UDP 3478 with relays
 * in 50000-59999 on that address (PORT-1). The partner's own users get TURN credentials
 * from it directly (`credentialsFor`), standing in for the partner's own A/V authentication.
 */
import { randomBytes } from "node:crypto";
import type { EventSink } from "../../edge/events/types.ts";
import { AvEdgeServer, listenUdp, type Listener } from "../../edge/roles/av-edge/index.ts";

export interface PartnerAvEdgeOptions {
  /** The simulated host, e.g. "fabrikam-edge1". */
  host: string;
  domain: string;
  address: string;
  /** 3478 (STUN/TURN over UDP). */
  port: number;
  users: string[];
  /** PORT-1: the STUN port of peer A/V Edges this edge sends edge-to-edge media to (ours, for a Lync 2010/2013 partner); none for OCS 2007. */
  edgePeerPort?: (peerIp: string) => number | undefined;
  events: EventSink;
}

export class PartnerAvEdge {
  readonly server: AvEdgeServer;
  #listener: Listener | undefined;
  readonly #passwords: Record<string, string>;

  constructor(readonly o: PartnerAvEdgeOptions) {
    this.#passwords = Object.fromEntries(o.users.map((u) => [`sip:${u.toLowerCase()}`, randomBytes(12).toString("base64url")]));
    this.server = new AvEdgeServer({ host: o.host, relayAddress: o.address, realm: o.domain, staticUsers: this.#passwords, software: `edgesim partner A/V Edge (${o.domain})`, ...(o.edgePeerPort ? { edgePeerPort: o.edgePeerPort } : {}), events: o.events });
  }

  get address(): { address: string; port: number } {
    return { address: this.o.address, port: this.o.port };
  }

  async start(): Promise<void> {
    if (!this.#listener) this.#listener = await listenUdp(this.server, this.o.address, this.o.port);
  }

  credentialsFor(user: string): { username: string; password: string } {
    const username = `sip:${user.toLowerCase()}`;
    const password = this.#passwords[username];
    if (!password) throw new RangeError(`${this.o.domain}'s A/V Edge has no user ${user} (users: ${this.o.users.join(", ")})`);
    return { username, password };
  }

  async stop(): Promise<void> {
    const l = this.#listener;
    this.#listener = undefined;
    await l?.close();
    await this.server.stop();
  }
}
