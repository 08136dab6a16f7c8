/**
 * The proxy's client transactions (RFC 3261 16.6 step 9, 17.1): a request the edge
 * forwarded, keyed by the branch of the Via the edge added and the CSeq method, so a
 * response finds its way back to the connection the request came from (16.7).
 * Timer F (non-INVITE) / Timer B (INVITE, until a provisional response) ends the
 * transaction with a timeout; so does Timer C of a proxied INVITE (16.6 step 11,
 * 16.8: started when it is forwarded, reset by each provisional response above 100),
 * which tells the proxy to CANCEL downstream when a provisional response came. A
 * connection that closes under a pending transaction ends it at once. Each ends
 * exactly once.
 */
import type { SipRequest, SipResponse } from "../../wire/sip/index.ts";
import type { SipConnection } from "./sip-connection.ts";

export type TransactionEnd =
  | { kind: "response"; response: SipResponse }
  /** cancelDownstream: Timer C fired after a provisional response (16.8): the proxy sends CANCEL downstream. */
  | { kind: "timeout"; timer: "F" | "B" | "C"; cancelDownstream: boolean }
  | { kind: "closed" }
  /** The edge is stopping: answered before its connections close, never left without an answer. */
  | { kind: "stopping" };

export interface ClientTransaction {
  key: string;
  /** The request as it arrived (for answering it ourselves). */
  request: SipRequest;
  /** Where the response goes. */
  upstream: SipConnection;
  downstream: SipConnection;
  invite: boolean;
  /** Date.now() when Timer F / B fires; undefined once stopped (an INVITE's provisional response). */
  deadline: number | undefined;
  /** An INVITE's Timer C (RFC 3261 16.6 step 11): one timer each, INVITEs being few. */
  timerC: NodeJS.Timeout | undefined;
  /** A provisional response came (16.8: Timer C then means CANCEL, not a plain 408). */
  provisionalSeen: boolean;
  onEnd(end: TransactionEnd): void;
}

/** Timer C "MUST be larger than 3 minutes" (RFC 3261 16.6 step 11). */
export const TIMER_C_DEFAULT_MS = 181_000;

export function transactionKey(branch: string, method: string): string {
  return `${branch}|${method.toUpperCase()}`;
}

/**
 * Every transaction has the same timeout, so deadlines come in the order transactions
 * are added: one queue and one timer armed for the oldest live deadline, instead of a
 * timer per transaction set and cleared on every request (the relay's hot path).
 * Transactions that ended stay in the queue until the timer or a compaction skips them.
 */
export class TransactionTable {
  #byKey = new Map<string, ClientTransaction>();
  #queue: ClientTransaction[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  /** timeoutMs: Timer F and B; inviteTimeoutMs: Timer C. */
  constructor(private readonly timeoutMs: number, private readonly inviteTimeoutMs = TIMER_C_DEFAULT_MS) {}

  add(t: Omit<ClientTransaction, "deadline" | "timerC" | "provisionalSeen">): void {
    const tx: ClientTransaction = { key: t.key, request: t.request, upstream: t.upstream, downstream: t.downstream, invite: t.invite, deadline: Date.now() + this.timeoutMs, timerC: undefined, provisionalSeen: false, onEnd: t.onEnd };
    this.#byKey.set(t.key, tx);
    if (tx.invite) this.#armTimerC(tx);
    this.#queue.push(tx);
    if (this.#timer === undefined) this.#arm();
  }

  /** A response arrived: provisional ones stop Timer B of an INVITE, final ones end the transaction. */
  match(branch: string, method: string): ClientTransaction | undefined {
    return this.#byKey.get(transactionKey(branch, method));
  }

  /** Stops Timer B; a provisional above 100 resets Timer C (16.7 step 2). */
  provisional(tx: ClientTransaction, status: number): void {
    if (!tx.invite) return;
    tx.deadline = undefined;
    tx.provisionalSeen = true;
    if (status > 100) this.#armTimerC(tx);
  }

  final(tx: ClientTransaction, response: SipResponse): void {
    this.#end(tx, { kind: "response", response });
  }

  /** A connection closed: every transaction waiting on it, downstream or upstream, ends. */
  connectionClosed(conn: SipConnection): void {
    for (const tx of [...this.#byKey.values()]) if (tx.downstream === conn || tx.upstream === conn) this.#end(tx, { kind: "closed" });
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** End every pending transaction with `end` (the edge is stopping), oldest first. */
  endAll(end: TransactionEnd): void {
    for (const tx of [...this.#byKey.values()]) this.#end(tx, end);
  }

  stop(): void {
    for (const tx of this.#byKey.values()) if (tx.timerC !== undefined) clearTimeout(tx.timerC);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#byKey.clear();
    this.#queue = [];
    this.#head = 0;
  }

  /** Still timed: #end clears the deadline of every transaction it ends (and ignores one the table no longer holds). */
  #live(tx: ClientTransaction): boolean {
    return tx.deadline !== undefined;
  }

  /** Step the queue's front past transactions that ended (or stopped timing); compact now and then. */
  #advance(): void {
    const q = this.#queue;
    while (this.#head < q.length && !this.#live(q[this.#head]!)) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Drop ended transactions off the front, then arm the timer for the oldest live deadline (none: no timer). */
  #arm(): void {
    this.#advance();
    const next = this.#queue[this.#head];
    if (next === undefined) {
      this.#queue = [];
      this.#head = 0;
      return;
    }
    const at = next.deadline!;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - Date.now()));
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = Date.now();
    // Re-read the queue each turn: ending a transaction may empty and reset it.
    for (;;) {
      const tx = this.#queue[this.#head];
      if (tx === undefined) break;
      if (this.#live(tx) && tx.deadline! > now) break;
      this.#head++;
      if (this.#live(tx)) this.#end(tx, { kind: "timeout", timer: tx.invite ? "B" : "F", cancelDownstream: false });
    }
    this.#arm();
  }

  #armTimerC(tx: ClientTransaction): void {
    if (tx.timerC !== undefined) clearTimeout(tx.timerC);
    tx.timerC = setTimeout(() => {
      tx.timerC = undefined;
      // 16.8: with a provisional response, CANCEL downstream; without one, as if a 408 came.
      this.#end(tx, { kind: "timeout", timer: "C", cancelDownstream: tx.provisionalSeen });
    }, this.inviteTimeoutMs);
  }

  #end(tx: ClientTransaction, end: TransactionEnd): void {
    if (this.#byKey.get(tx.key) !== tx) return;
    this.#byKey.delete(tx.key);
    tx.deadline = undefined;
    if (tx.timerC !== undefined) clearTimeout(tx.timerC);
    tx.timerC = undefined;
    // Answers come back about in the order requests left: step past what has ended, so a
    // busy edge does not hold every request of the last Timer F period until the timer fires.
    this.#advance();
    // Nothing left to time: no timer keeps the process alive for a transaction that ended.
    if (this.#byKey.size === 0) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#queue = [];
      this.#head = 0;
    }
    tx.onEnd(end);
  }
}
