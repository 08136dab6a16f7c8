/**
 * The user-agent side of SIP shared by partners, the front end and remote users:
 * build a request (RFC 3261 8.1.1), send it on a connection and wait for its final
 * response (a UAC transaction, bounded by a timeout), and answer requests as a UAS
 * (8.2.6). The outcome is what a caller needs to see why a message failed (FED-12).
 */
import { createResponse, generateBranch, generateTag, SipHeaders, SipRequest, type SipResponse } from "../../edge/wire/sip/index.ts";
import { parseMsDiagnostics, type SipConnection } from "../../edge/roles/access-edge/index.ts";
import { randomBytes } from "node:crypto";

export interface SendResult {
  status: number;
  reason: string;
  /** The ms-diagnostics header of the final response, when there was one. */
  diagnostics?: { code: number; text: string };
}

export interface ReceivedMessage {
  from: string;
  to: string;
  text: string;
  contentType: string;
  callId: string;
  /** FED-7: how the Access Edge marked the message (ms-edge-proxy-message-trust), when it did. */
  verification?: "verified" | "unverified";
  receivedAt: number;
}

export interface RequestSpec {
  method: string;
  uri: string;
  from: string;
  to: string;
  via: { host: string; port: number; transport?: string };
  body?: string;
  contentType?: string;
  extraHeaders?: Array<[string, string]>;
  callId?: string;
}

export function buildRequest(s: RequestSpec): SipRequest {
  const h = new SipHeaders();
  const branch = generateBranch();
  h.append("Via", `SIP/2.0/${s.via.transport ?? "TLS"} ${s.via.host}:${s.via.port};branch=${branch}`);
  h.append("Max-Forwards", "70");
  h.append("From", `<sip:${s.from}>;tag=${generateTag()}`);
  h.append("To", `<sip:${s.to}>`);
  h.append("Call-ID", s.callId ?? `${randomBytes(10).toString("hex")}@${s.via.host}`);
  h.append("CSeq", `1 ${s.method}`);
  h.append("Contact", `<sip:${s.from.split("@")[0]}@${s.via.host}:${s.via.port};transport=tls>`);
  for (const [n, v] of s.extraHeaders ?? []) h.append(n, v);
  const body = Buffer.from(s.body ?? "", "utf8");
  if (body.length) h.append("Content-Type", s.contentType ?? "text/plain; charset=utf-8");
  h.append("Content-Length", String(body.length));
  return new SipRequest(s.method, s.uri, h, body);
}

/** Outstanding requests of one user agent, by Via branch. */
export class UacTable {
  #pending = new Map<string, { resolve: (r: SendResult) => void; timer: NodeJS.Timeout; conn: SipConnection }>();

  /** Send and wait for the final response; a timeout or a closed connection is a result, not an exception. */
  send(conn: SipConnection, req: SipRequest, timeoutMs: number): Promise<SendResult> {
    const branch = req.topVia()!.branch!;
    return new Promise<SendResult>((resolve) => {
      const timer = setTimeout(() => this.#finish(branch, { status: 408, reason: `Request Timeout (no final response within ${timeoutMs} ms)` }), timeoutMs);
      this.#pending.set(branch, { resolve, timer, conn });
      try {
        conn.send(req);
      } catch (err) {
        this.#finish(branch, { status: 503, reason: `Service Unavailable (${(err as Error).message})` });
      }
    });
  }

  /** A response arrived: true when it was one of ours. */
  onResponse(res: SipResponse): boolean {
    const branch = res.topVia()?.branch;
    if (!branch || !this.#pending.has(branch)) return false;
    if (res.status >= 200) {
      const diagnostics = parseMsDiagnostics(res.headers.get("ms-diagnostics"));
      this.#finish(branch, { status: res.status, reason: res.reason, ...(diagnostics ? { diagnostics } : {}) });
    }
    return true;
  }

  connectionClosed(conn: SipConnection): void {
    for (const [branch, p] of this.#pending) if (p.conn === conn) this.#finish(branch, { status: 503, reason: "Service Unavailable (connection closed before a final response)" });
  }

  stop(): void {
    for (const branch of [...this.#pending.keys()]) this.#finish(branch, { status: 503, reason: "Service Unavailable (user agent stopped)" });
  }

  #finish(branch: string, r: SendResult): void {
    const p = this.#pending.get(branch);
    if (!p) return;
    this.#pending.delete(branch);
    clearTimeout(p.timer);
    p.resolve(r);
  }
}

/** The MESSAGE as a received message (RFC 3428). */
export function receivedMessage(req: SipRequest): ReceivedMessage {
  const trust = req.headers.get("ms-edge-proxy-message-trust") ?? "";
  const v = /ms-source-verified-user\s*=\s*(verified|unverified)/i.exec(trust)?.[1]?.toLowerCase() as ReceivedMessage["verification"] | undefined;
  return {
    from: aor(req.from()?.uriText),
    to: aor(req.to()?.uriText),
    text: req.body.toString("utf8"),
    contentType: req.headers.get("Content-Type") ?? "",
    callId: req.callId() ?? "",
    ...(v ? { verification: v } : {}),
    receivedAt: Date.now(),
  };
}

export function aor(uriText: string | undefined): string {
  const m = /^(?:sips?:)?([^@;>]+@[^;>?:]+)/i.exec((uriText ?? "").trim());
  return (m?.[1] ?? uriText ?? "").toLowerCase();
}

/** Answer a request as a UAS, with optional extra headers. */
export function answer(conn: SipConnection, req: SipRequest, status: number, extra: Array<[string, string]> = []): void {
  if (req.method === "ACK" || conn.closed) return;
  conn.send(createResponse(req, status, undefined, extra));
}
