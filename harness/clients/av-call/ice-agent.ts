/**
 * One side of a call's media: an ICE agent (RFC 8445, the subset in docs/av-call.md) on one
 * UDP socket. It gathers host, server-reflexive and relayed candidates from its A/V Edge,
 * describes them in SDP, answers the peer's checks, runs its own checks over every pair in
 * priority order, nominates (controlling side) the highest-priority pair that answered, and
 * carries counted RTP-like media over the selected pair (through the TURN relay when the
 * pair's local candidate is the relayed one).
 */
import { decodeStun, StunClass, StunMethod } from "../../../edge/wire/stun/index.ts";
import { answerCheck, checkAll, newIceCredentials, runCheck, viaOf, type CheckResult, type IceCredentials } from "./checks.ts";
import { gather, TurnClient, type Gathered, type TurnCredentials } from "./gather.ts";
import { IceSocket, type IceSocketOptions, type Via } from "./ice-socket.ts";
import { addrText, formPairs, pairText, type Addr, type Candidate, type CandidatePair } from "./ice-types.ts";
import { encodeRtp, isRtp, MediaCounter } from "./rtp.ts";
import { buildSdp, type MediaDescription } from "./sdp.ts";

export interface IceAgentOptions extends IceSocketOptions {
  /** The user, for SDP o= and traces. */
  user: string;
  controlling: boolean;
  /** The A/V Edge this client gathers from: a VIP or an edge's own address, UDP 3478. */
  stunServer: Addr;
  credentials?: TurnCredentials;
}

export interface MediaPath { to: Addr; via: Via; pair: string }

export class IceAgent {
  readonly sock: IceSocket;
  readonly turn: TurnClient;
  readonly ice: IceCredentials = newIceCredentials();
  readonly media = new MediaCounter();
  gathered: Gathered | undefined;
  remote: MediaDescription | undefined;
  /** The pair the controlling side nominated, as this side saw it arrive (controlled side). */
  nominated: MediaPath | undefined;
  readonly checksReceived: Array<{ from: Addr; via: Via }> = [];

  constructor(readonly o: IceAgentOptions) {
    this.sock = new IceSocket(o);
    this.sock.server = o.stunServer;
    this.turn = new TurnClient(this.sock, o.stunServer);
  }

  async gather(): Promise<Gathered> {
    await this.sock.bind();
    this.sock.onArrival((a) => this.#arrival(a.bytes, a.from, a.via));
    this.gathered = await gather(this.sock, this.turn, this.o.credentials);
    const g = this.gathered;
    this.sock.note(`${this.o.user} gathered ${this.candidates.map((c) => `${c.type} ${addrText(c)}`).join(", ")} from the A/V Edge at ${addrText(this.o.stunServer)}${g.problems.length ? `; missing: ${g.problems.join("; ")}` : ""}`);
    return g;
  }

  get candidates(): Candidate[] {
    const g = this.gathered;
    return g ? [g.host, ...(g.srflx ? [g.srflx] : []), ...(g.relay ? [g.relay] : [])] : [];
  }

  /** RFC 8839 4.2.1.2: the default candidate is the relayed one when there is one. */
  description(): MediaDescription {
    const g = this.gathered;
    if (!g) throw new RangeError(`${this.o.user}: describe media after gathering`);
    const def = g.relay ?? g.srflx ?? g.host;
    return { user: this.o.user.split("@")[0] ?? "-", defaultAddress: def.address, defaultPort: def.port, ufrag: this.ice.ufrag, pwd: this.ice.pwd, candidates: this.candidates };
  }

  sdp(): string {
    return buildSdp(this.description());
  }

  /** The peer's SDP: its candidates get TURN permissions on our relay (RFC 5766 9), so its checks and media can reach us. */
  async setRemote(d: MediaDescription): Promise<void> {
    this.remote = d;
    if (!this.gathered?.relay) return;
    try {
      await this.turn.permit(d.candidates);
    } catch (err) {
      // The relay was announced but cannot carry anything (e.g. HLB-6: the edge holding it answers 437): its checks will fail, and say so.
      this.gathered.problems.push(`relay permissions: ${(err as Error).message}`);
      this.sock.note(`${this.o.user}: no TURN permissions on ${addrText(this.gathered.relay)}: ${(err as Error).message}`, ["HLB-3"]);
    }
  }

  pairs(): CandidatePair[] {
    if (!this.remote) throw new RangeError(`${this.o.user}: no remote description yet`);
    return formPairs(this.candidates, this.remote.candidates, this.o.controlling);
  }

  checkAll(): Promise<CheckResult[]> {
    return checkAll(this.sock, this.ice, this.#remoteIce(), this.pairs(), this.o.controlling);
  }

  /** RFC 8445 8.1.1 (regular nomination): a check with USE-CANDIDATE on the chosen pair. */
  nominate(pair: CandidatePair): Promise<CheckResult> {
    return runCheck(this.sock, this.ice, this.#remoteIce(), pair, true, true);
  }

  #remoteIce(): IceCredentials {
    if (!this.remote) throw new RangeError(`${this.o.user}: no remote ICE credentials yet`);
    return { ufrag: this.remote.ufrag, pwd: this.remote.pwd };
  }

  /** Sends `count` sequence-numbered packets over the path, paced in small bursts; returns how many left the socket. */
  async sendMedia(path: MediaPath, count: number, ssrc: number): Promise<number> {
    let sent = 0;
    for (let seq = 0; seq < count; seq++) {
      if (this.sock.send(encodeRtp(seq, ssrc), path.to, path.via)) sent++;
      if (seq % 10 === 9) await new Promise((r) => setTimeout(r, 5));
    }
    return sent;
  }

  #arrival(bytes: Buffer, from: Addr, via: Via): void {
    if (isRtp(bytes)) return this.media.record(bytes, `${addrText(from)} (${via})`);
    let msg;
    try {
      msg = decodeStun(bytes);
    } catch {
      return this.sock.note(`discarded ${bytes.length} bytes from ${addrText(from)} (${via}): neither STUN nor RTP`);
    }
    if (msg.method === StunMethod.Binding && msg.cls === StunClass.Request) {
      const r = answerCheck(this.sock, this.ice, msg, from, via);
      if (!r) return;
      this.checksReceived.push({ from, via });
      if (r.nominated && !this.nominated) {
        this.nominated = { to: from, via, pair: `${via === "relay" ? "relay" : "host"} -> ${addrText(from)}` };
        this.sock.note(`${this.o.user}: the controlling agent nominated the pair ${this.nominated.pair} (USE-CANDIDATE)`);
      }
      return;
    }
    this.sock.note(`ignored a STUN ${msg.cls === StunClass.Indication ? "indication" : "message"} from ${addrText(from)} (${via}) that is not a check`);
  }

  /** The path media takes for a pair (local relay -> through TURN). */
  static pathOf(pair: CandidatePair): MediaPath {
    return { to: { address: pair.remote.address, port: pair.remote.port }, via: viaOf(pair), pair: pairText(pair) };
  }

  async close(): Promise<void> {
    await this.turn.release();
    this.sock.close();
  }
}
