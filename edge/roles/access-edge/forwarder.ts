/**
 * The proxy half of the Access Edge (RFC 3261 16.6, 16.7): edits a request for the
 * next hop (Max-Forwards, Route, Via, Record-Route), keeps a client transaction so
 * the response goes back on the connection the request came from (Via path), and
 * ends every transaction with a final response upstream: the next hop's, or our own
 * 408 (Timer F / B; Timer C of an INVITE, with a CANCEL downstream, 16.8) / 504 (next
 * hop closed) with ms-diagnostics (FED-12). ACK is forwarded without a transaction
 * (17.1.1.3: it has no response).
 */
import { hash } from "node:crypto";
import type { EventSink } from "../../events/types.ts";
import { addRecordRoute, addVia, createResponse, decrementMaxForwards, isRfc3261Branch, MAGIC_COOKIE, generateBranch, SipHeaders, SipRequest, SipResponse, type SipHeaderField } from "../../wire/sip/index.ts";
import { cancelFor } from "./cancel-request.ts";
import { edgeRefusal, formatMsDiagnostics, protocolRefusal, type EdgeRefusal } from "./diagnostics.ts";
import type { SipConnection } from "./sip-connection.ts";
import { TransactionTable, transactionKey, type TransactionEnd } from "./transactions.ts";

export interface OutInterface {
  /** The FQDN in our Via and Record-Route on that side. */
  fqdn: string;
  port: number;
  transport: "TLS" | "WSS";
}

export interface ForwardOptions {
  out: OutInterface;
  extraHeaders?: Array<[string, string]>;
  /** Called once with the transaction's final status (FED-11 outcome bookkeeping). */
  onFinal?(status: number): void;
  /** Our own FQDN upstream, the source of our own answers. */
  source: string;
  /** Whether the next hop is the federation side (how a closed connection is explained). */
  downstreamIsFederation: boolean;
}

const RECORD_ROUTED = new Set(["INVITE", "SUBSCRIBE", "REFER"]);

const ANSWER_FIELDS = ["Via", "From", "To", "Call-ID", "CSeq"];

/** Copies of the fields a response copies (8.2.6.2), in that order. */
function answerFields(req: SipRequest): SipHeaderField[] {
  const fields: SipHeaderField[] = [];
  for (const n of ANSWER_FIELDS) for (const f of req.headers.fieldsOf(n)) fields.push({ ...f });
  return fields;
}

/** The fields a response copies (8.2.6.2), taken before our edits so our own answers carry the request's Via path. */
export function answerable(req: SipRequest): SipRequest {
  return new SipRequest(req.method, req.uri, new SipHeaders(answerFields(req)));
}

export function refusalResponse(req: SipRequest, refusal: EdgeRefusal, source: string): SipResponse {
  return safeResponse(req, refusal.status, refusal.reason, [["ms-diagnostics", formatMsDiagnostics(refusal.diagnostics, source)]]);
}

/**
 * createResponse (8.2.6), falling back to copying the fields as they are when the To
 * field is too broken to add a tag to (RFC 4475 messages): bad input still gets its answer.
 */
export function safeResponse(req: SipRequest, status: number, reason?: string, extra: Array<[string, string]> = []): SipResponse {
  try {
    return createResponse(req, status, reason, extra);
  } catch {
    const headers = new SipHeaders(answerFields(req));
    for (const [n, v] of extra) headers.append(n, v);
    headers.append("Content-Length", "0");
    return new SipResponse(status, reason ?? "Bad Request", headers);
  }
}

export class Forwarder {
  readonly transactions: TransactionTable;
  /** "<host>\0": what the derived branch's SHA-1 starts with. */
  #branchPrefix: string;

  /** timeoutMs: Timer F / B; inviteTimeoutMs: Timer C (default TIMER_C_DEFAULT_MS, over 3 minutes). */
  constructor(private readonly host: string, private readonly events: EventSink, timeoutMs: number, inviteTimeoutMs?: number) {
    this.transactions = new TransactionTable(timeoutMs, inviteTimeoutMs);
    this.#branchPrefix = `${host}\0`;
  }

  /**
   * 16.6 step 8 with 16.11's stateless trick: the branch is derived from the incoming
   * one, so a CANCEL or a non-2xx ACK gets the same branch as its INVITE downstream.
   */
  branchFor(req: SipRequest): string {
    return this.#derive(req.topVia()?.branch) ?? generateBranch();
  }

  #derive(incoming: string | undefined): string | undefined {
    if (!isRfc3261Branch(incoming)) return undefined;
    // One-shot SHA-1 of host, NUL, incoming branch (the same digest as three update() calls, without a Hash object).
    return MAGIC_COOKIE + hash("sha1", this.#branchPrefix + incoming!, "hex").slice(0, 24);
  }

  /**
   * 16.3 step 4: the request already left by this very interface with the branch we would
   * derive (our Via for that interface, branch derived from the Via below it) - a loop.
   * Leaving by another interface is a spiral (a remote user's request coming back from the
   * front end towards federation), which is legitimate.
   */
  isLoop(req: SipRequest, outFqdn: string): boolean {
    const vias = req.vias();
    const host = outFqdn.toLowerCase();
    return vias.some((v, i) => v.host.toLowerCase() === host && v.branch !== undefined && v.branch === this.#derive(vias[i + 1]?.branch));
  }

  forward(req: SipRequest, upstream: SipConnection, downstream: SipConnection, o: ForwardOptions): void {
    const original = answerable(req);
    if (this.isLoop(req, o.out.fqdn)) {
      const refusal = protocolRefusal(482, "Loop Detected", `the request already left ${o.out.fqdn} with this branch (Via)`);
      this.events({ kind: "sip.refused", ts: Date.now(), host: this.host, tuple: upstream.info.tuple, rules: refusal.rules, method: req.method, status: 482, callId: original.callId(), detail: refusal.diagnostics.text });
      if (req.method !== "ACK") upstream.send(refusalResponse(original, refusal, o.source));
      return;
    }
    const branch = this.branchFor(req);
    decrementMaxForwards(req);
    addVia(req, { transport: o.out.transport, host: o.out.fqdn, port: o.out.port, branch });
    if (RECORD_ROUTED.has(req.method)) addRecordRoute(req, `sip:${o.out.fqdn}:${o.out.port};transport=tls`);
    for (const [name, value] of o.extraHeaders ?? []) req.headers.set(name, value);
    if (req.method === "ACK") {
      downstream.send(req);
      return;
    }
    if (req.method === "INVITE") upstream.send(createResponse(original, 100));
    this.transactions.add({
      key: transactionKey(branch, req.method),
      request: original,
      upstream,
      downstream,
      invite: req.method === "INVITE",
      // An INVITE keeps the request as forwarded: Timer C's CANCEL is built from it (9.1).
      onEnd: this.#endHandler(original, upstream, o, req.method === "INVITE" ? { forwarded: req, downstream } : undefined),
    });
    downstream.send(req);
  }

  /** A response from a next hop: back along the Via path (16.7), or traced and dropped when it matches nothing. */
  onResponse(res: SipResponse, from: SipConnection): void {
    const top = res.topVia();
    const method = res.cseq()?.method;
    const tx = top?.branch && method ? this.transactions.match(top.branch, method) : undefined;
    if (!tx) {
      this.events({ kind: "sip.response", ts: Date.now(), host: this.host, tuple: from.info.tuple, rules: [], status: res.status, callId: res.callId(), detail: "matches no transaction of this edge (late or stray): dropped" });
      return;
    }
    // 16.7 step 3; the Via was parsed (and checked) when the response was framed: no need to parse it again.
    res.headers.removeFirstValue("Via");
    if (res.status < 200) {
      this.transactions.provisional(tx, res.status);
      // 16.7 step 5: provisional responses go upstream at once, but never a 100 (hop by hop; we sent our own).
      if (res.status > 100 && !tx.upstream.closed) tx.upstream.send(res);
      return;
    }
    this.transactions.final(tx, res);
  }

  /** The transaction's end callback; returned, not written inline, so tsx (keepNames) does not name a function per request. */
  #endHandler(original: SipRequest, upstream: SipConnection, o: ForwardOptions, invite?: InviteLeg): (end: TransactionEnd) => void {
    return (end) => this.#ended(end, original, upstream, o, invite);
  }

  #ended(end: TransactionEnd, original: SipRequest, upstream: SipConnection, o: ForwardOptions, invite?: InviteLeg): void {
    let res: SipResponse;
    if (end.kind === "response") res = end.response;
    else {
      const what = `${original.method} ${original.uri}`;
      if (end.kind === "timeout" && end.cancelDownstream && invite) this.#cancel(invite);
      const refusal = ownAnswer(end, what, o.downstreamIsFederation);
      res = refusalResponse(original, refusal, o.source);
      this.events({ kind: "sip.refused", ts: Date.now(), host: this.host, tuple: upstream.info.tuple, rules: refusal.rules, method: original.method, status: refusal.status, callId: original.callId(), detail: refusal.diagnostics.text });
    }
    o.onFinal?.(res.status);
    if (!upstream.closed) upstream.send(res);
  }

  /**
   * 16.8: Timer C fired after a provisional response: CANCEL the INVITE downstream. The
   * CANCEL is a client transaction of its own, so its 200 is consumed here (not traced
   * as stray); nothing waits on it: upstream has its 408 already.
   */
  #cancel(invite: InviteLeg): void {
    if (invite.downstream.closed) return;
    const cancel = cancelFor(invite.forwarded);
    const branch = cancel.topVia()?.branch;
    this.events({ kind: "sip.request", ts: Date.now(), host: this.host, tuple: invite.downstream.info.tuple, rules: ["RFC3261-16.8"], method: "CANCEL", callId: cancel.headers.get("Call-ID"), detail: `Timer C fired with no final response to INVITE ${invite.forwarded.uri}: CANCEL sent downstream` });
    if (branch) this.transactions.add({ key: transactionKey(branch, "CANCEL"), request: cancel, upstream: invite.downstream, downstream: invite.downstream, invite: false, onEnd: ignoreEnd });
    invite.downstream.send(cancel);
  }

  /** The edge stops: every request still waiting on a next hop gets its 503 upstream first (FED-12: none left unanswered). */
  stop(): void {
    this.transactions.endAll({ kind: "stopping" });
    this.transactions.stop();
  }
}

/** What Timer C needs of a forwarded INVITE: the request as it left, and where it went. */
interface InviteLeg {
  forwarded: SipRequest;
  downstream: SipConnection;
}

function ignoreEnd(): void {}

/** Why the edge answers a transaction itself (FED-12): the next hop closed, the edge stops, or a timer fired. */
function ownAnswer(end: Exclude<TransactionEnd, { kind: "response" }>, what: string, downstreamIsFederation: boolean): EdgeRefusal {
  if (end.kind === "closed") return edgeRefusal(downstreamIsFederation ? "peerRefusedUs" : "nextHopDown", what);
  if (end.kind === "stopping") return edgeRefusal("stopping", what);
  if (end.timer === "C") return edgeRefusal("inviteTimeout", `${what}: ${end.cancelDownstream ? "CANCEL sent downstream" : "no provisional response"}`);
  return edgeRefusal("timeout", what);
}
