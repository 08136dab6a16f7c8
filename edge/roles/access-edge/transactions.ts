/**
 * The proxy's client transactions (RFC 3261 16.6 step 9, 17.1): a request the edge
 * forwarded, keyed by the branch of the Via the edge added and the CSeq method, so a
 * response finds its way back to the connection the request came from (16.7).
 * Timer F (non-INVITE) / Timer B (INVITE, until a provisional response) ends the
 * transaction with a timeout; a connection that closes under a pending transaction
 * ends it at once. Each ends exactly once.
 */
import type { SipRequest, SipResponse } from "../../wire/sip/index.ts";
import type { SipConnection } from "./sip-connection.ts";

export type TransactionEnd =
  | { kind: "response"; response: SipResponse }
  | { kind: "timeout" }
  | { kind: "closed" };

export interface ClientTransaction {
  key: string;
  /** The request as it arrived (for answering it ourselves). */
  request: SipRequest;
  /** Where the response goes. */
  upstream: SipConnection;
  downstream: SipConnection;
  invite: boolean;
  timer: NodeJS.Timeout | undefined;
  onEnd(end: TransactionEnd): void;
}

export function transactionKey(branch: string, method: string): string {
  return `${branch}|${method.toUpperCase()}`;
}

export class TransactionTable {
  #byKey = new Map<string, ClientTransaction>();

  constructor(private readonly timeoutMs: number) {}

  add(t: Omit<ClientTransaction, "timer">): void {
    const tx: ClientTransaction = { ...t, timer: undefined };
    tx.timer = setTimeout(() => this.#end(tx, { kind: "timeout" }), this.timeoutMs);
    this.#byKey.set(t.key, tx);
  }

  /** A response arrived: provisional ones stop Timer B of an INVITE, final ones end the transaction. */
  match(branch: string, method: string): ClientTransaction | undefined {
    return this.#byKey.get(transactionKey(branch, method));
  }

  provisional(tx: ClientTransaction): void {
    if (tx.invite && tx.timer) {
      clearTimeout(tx.timer);
      tx.timer = undefined;
    }
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

  stop(): void {
    for (const tx of this.#byKey.values()) if (tx.timer) clearTimeout(tx.timer);
    this.#byKey.clear();
  }

  #end(tx: ClientTransaction, end: TransactionEnd): void {
    if (this.#byKey.get(tx.key) !== tx) return;
    this.#byKey.delete(tx.key);
    if (tx.timer) clearTimeout(tx.timer);
    tx.onEnd(end);
  }
}
