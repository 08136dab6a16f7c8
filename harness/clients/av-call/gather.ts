/**
 * Candidate gathering (RFC 8445 5.1.1) against the client's A/V Edge: the host candidate is
 * the socket itself; the server-reflexive one is the XOR-MAPPED-ADDRESS of a STUN Binding
 * (RFC 5389); the relayed one is the XOR-RELAYED-ADDRESS of a TURN Allocate (RFC 5766 6)
 * with long-term credentials (the 401 / REALM / NONCE dance of RFC 5389 10.2) from the A/V
 * authentication service. Permissions (RFC 5766 9) are installed for the peer's candidates
 * once its SDP is known. Failures say which server and what it answered.
 */
import {
  getErrorCode, getLifetime, getNonce, getRealm, getXorMappedAddress, getXorRelayedAddress, Lifetime, longTermKey, newTransactionId, Nonce,
  Realm, RequestedTransport, StunClass, StunMessageBuilder, StunMethod, TRANSPORT_UDP, Username, XorPeerAddress, type StunAttributeSetter, type StunMessage,
} from "../../../edge/wire/stun/index.ts";
import type { IceSocket } from "./ice-socket.ts";
import { addrText, makeCandidate, type Addr, type Candidate } from "./ice-types.ts";

export interface TurnCredentials { username: string; password: string }

export interface Gathered {
  host: Candidate;
  srflx?: Candidate;
  relay?: Candidate;
  /** What went wrong while gathering, per candidate type (the candidate is then missing). */
  problems: string[];
}

export class GatherError extends Error {}

export class TurnClient {
  #auth: { username: string; realm: string; nonce: string; key: Buffer } | undefined;
  relayed: Addr | undefined;

  /** Where requests go: the A/V Edge the client was given (a VIP), then the edge that holds its allocation (HLB-3). */
  server: Addr;

  constructor(private readonly sock: IceSocket, server: Addr) {
    this.server = server;
  }

  async #request(method: number, attrs: StunAttributeSetter[], signed: boolean): Promise<StunMessage> {
    const tx = newTransactionId();
    const b = new StunMessageBuilder(method, StunClass.Request, tx);
    for (const a of attrs) b.set(a);
    if (signed && this.#auth) b.set(Username(this.#auth.username)).set(Realm(this.#auth.realm)).set(Nonce(this.#auth.nonce)).addIntegrity(this.#auth.key);
    const dropped = this.sock.dropped.length;
    const r = await this.sock.transact(tx, b.encode(), this.server, "direct", 2500, true);
    if (!r) throw new GatherError(`${addrText(this.server)} did not answer a ${methodName(method)} request within 2.5 s${this.sock.dropped.length > dropped ? ` (${this.sock.dropped[dropped]!})` : ""}`);
    return r.msg;
  }

  /** A signed request; a 438 (stale nonce) is retried once with the fresh NONCE (RFC 5389 10.2.3). */
  async #signed(method: number, attrs: StunAttributeSetter[]): Promise<StunMessage> {
    let res = await this.#request(method, attrs, true);
    if (getErrorCode(res)?.code === 438 && this.#auth) {
      this.#auth.nonce = getNonce(res) ?? this.#auth.nonce;
      res = await this.#request(method, attrs, true);
    }
    const err = getErrorCode(res);
    if (err) throw new GatherError(`${addrText(this.server)} answered ${methodName(method)} with ${err.code} ${err.reason}`);
    return res;
  }

  async binding(): Promise<Addr> {
    const res = await this.#request(StunMethod.Binding, [], false);
    const mapped = getXorMappedAddress(res);
    if (res.cls !== StunClass.SuccessResponse || !mapped) throw new GatherError(`${addrText(this.server)} answered the Binding request without XOR-MAPPED-ADDRESS (${getErrorCode(res)?.code ?? "no error code"})`);
    return { address: mapped.address, port: mapped.port };
  }

  /** RFC 5766 6.1: unsigned Allocate, 401 with REALM/NONCE, signed retry. */
  async allocate(creds: TurnCredentials): Promise<{ relayed: Addr; mapped: Addr | undefined; lifetime: number | undefined }> {
    const attrs = [RequestedTransport(TRANSPORT_UDP), Lifetime(600)];
    const challenge = await this.#request(StunMethod.Allocate, attrs, false);
    const code = getErrorCode(challenge)?.code;
    const realm = getRealm(challenge);
    const nonce = getNonce(challenge);
    if (code !== 401 || !realm || !nonce) throw new GatherError(`${addrText(this.server)} answered an unsigned Allocate with ${code ?? "success"} instead of a 401 challenge with REALM and NONCE`);
    this.#auth = { username: creds.username, realm, nonce, key: longTermKey(creds.username, realm, creds.password) };
    const res = await this.#signed(StunMethod.Allocate, attrs);
    const relayed = getXorRelayedAddress(res);
    if (!relayed) throw new GatherError(`${addrText(this.server)} allocated without XOR-RELAYED-ADDRESS`);
    this.relayed = { address: relayed.address, port: relayed.port };
    this.#followAllocation();
    const mapped = getXorMappedAddress(res);
    return { relayed: this.relayed, mapped: mapped ? { address: mapped.address, port: mapped.port } : undefined, lifetime: getLifetime(res) };
  }

  /**
   * HLB-3: the allocation lives on one edge, whose relay is on its own A/V address, and
   * that edge answers STUN/TURN on the same address and port as the one the client was
   * given. From now on requests, Send indications and what arrives (Data indications)
   * use the edge's own address, so nothing of the allocation crosses the load balancer.
   * The product's clients do the same: media and TURN go to the real server's public IP
   * once allocated (seed 002: the HLB only carries the initial STUN/TURN negotiation).
   */
  #followAllocation(): void {
    if (!this.relayed || this.relayed.address === this.server.address) return;
    const vip = this.server;
    this.server = { address: this.relayed.address, port: vip.port };
    this.sock.server = this.server;
    this.sock.note(`TURN allocation ${addrText(this.relayed)} is held by the A/V Edge at ${addrText(this.server)}: later requests and media go there, not to ${addrText(vip)} (HLB-3)`, ["HLB-3"]);
  }

  /** RFC 5766 9: one CreatePermission for every peer IP (ports do not matter to permissions). */
  async permit(peers: Addr[]): Promise<void> {
    const ips = [...new Set(peers.map((p) => p.address))];
    if (!ips.length) return;
    await this.#signed(StunMethod.CreatePermission, ips.map((address) => XorPeerAddress({ family: "IPv4", address, port: 0 })));
  }

  /** RFC 5766 7: Refresh with LIFETIME 0 deletes the allocation. Best effort at hang-up. */
  async release(): Promise<void> {
    if (!this.relayed) return;
    await this.#signed(StunMethod.Refresh, [Lifetime(0)]).catch(() => undefined);
    this.relayed = undefined;
  }
}

function methodName(m: number): string {
  return ({ [StunMethod.Binding]: "Binding", [StunMethod.Allocate]: "Allocate", [StunMethod.Refresh]: "Refresh", [StunMethod.CreatePermission]: "CreatePermission" } as Record<number, string>)[m] ?? `method 0x${m.toString(16)}`;
}

/** Host, then srflx (Binding), then relay (Allocate) from the one server; a failure leaves that candidate out and says why. */
export async function gather(sock: IceSocket, turn: TurnClient, creds: TurnCredentials | undefined): Promise<Gathered> {
  const host = makeCandidate("host", sock.local);
  const out: Gathered = { host, problems: [] };
  try {
    out.srflx = makeCandidate("srflx", await turn.binding(), sock.local);
  } catch (err) {
    out.problems.push(`srflx: ${(err as Error).message}`);
  }
  if (!creds) out.problems.push("relay: no TURN credentials");
  else
    try {
      const a = await turn.allocate(creds);
      out.relay = makeCandidate("relay", a.relayed, a.mapped ?? sock.local);
    } catch (err) {
      out.problems.push(`relay: ${(err as Error).message}`);
    }
  return out;
}
