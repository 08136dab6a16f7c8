/**
 * What the request handlers share: settings, the allocation table, the credential
 * check, the trace, the counters. One per edge server.
 */
import type { StunEvent } from "../../events/types.ts";
import type { AllocationEvents } from "./allocation.ts";
import type { AllocationTable } from "./allocation-table.ts";
import type { AuthResult, LongTermAuth } from "./auth.ts";
import type { Allocation } from "./allocation.ts";
import { pathKey, type ClientPath } from "./handoff.ts";
import type { NonceIssuer } from "./nonce.ts";
import type { ResolvedOptions } from "./options.ts";
import { errorResponse, type RequestContext } from "./respond.ts";

export type TraceKind = "stun.request" | "stun.response" | "stun.error" | "turn.allocation" | "turn.relay";
/** The typed fields of a trace beyond its sentence: rule IDs and, for TURN, the addresses concerned (StunEvent). */
export type TraceExtra = Pick<StunEvent, "relayed" | "reachedAt" | "reachedBefore"> & { rules?: string[] };

export interface AvEdgeStats {
  bindings: number;
  allocations: number;
  errors: Record<number, number>;
  /** Input that was discarded without an answer (malformed, bad FINGERPRINT, no permission, ...). */
  discarded: number;
  relayedToPeer: number;
  relayedToClient: number;
}

export interface TurnContext {
  opts: ResolvedOptions;
  table: AllocationTable;
  auth: LongTermAuth;
  nonces: NonceIssuer;
  stats: AvEdgeStats;
  allocationEvents: AllocationEvents;
  /** The SOFTWARE attribute, encoded once (fast-binding.ts). */
  softwareTlv: Buffer;
  trace(kind: TraceKind, path: ClientPath, detail: string, extra?: TraceExtra): void;
}

/** Sends an error response, counts and traces it; 401/438 carry REALM and a fresh NONCE. */
export function sendError(ctx: TurnContext, req: RequestContext, path: ClientPath, code: number, why: string, extras: { key?: Buffer; unknown?: readonly number[]; reason?: string } = {}): void {
  const challenge = code === 401 || code === 438;
  path.send(errorResponse(req, code, { ...extras, ...(challenge ? { realm: ctx.opts.realm, nonce: ctx.nonces.issue() } : {}) }));
  ctx.stats.errors[code] = (ctx.stats.errors[code] ?? 0) + 1;
  ctx.trace("stun.error", path, `${code} to ${methodName(req.msg.method)}: ${why}`);
}

/**
 * The allocation on this path's 5-tuple, which then follows the path (allocation.ts
 * `follow`): a client that allocated through the A/V VIP and now talks to the edge's
 * own address gets its Data indications from there (HLB-3); traced when it moves.
 */
export function allocationFor(ctx: TurnContext, path: ClientPath): Allocation | undefined {
  const a = ctx.table.get(pathKey(path));
  const before = a?.follow(path);
  if (a && before)
    ctx.trace("turn.allocation", path, `${a.relayed.address}:${a.relayed.port}: the client now reaches its allocation at ${path.local.address}:${path.local.port}, not ${before.address}:${before.port}; data towards it leaves from there`, {
      rules: ["HLB-3"],
      relayed: { address: a.relayed.address, port: a.relayed.port },
      reachedAt: { address: path.local.address, port: path.local.port },
      reachedBefore: { address: before.address, port: before.port },
    });
  return a;
}

export type Authenticated = Extract<AuthResult, { ok: true }>;

/** Sends the auth failure, or returns the authenticated user. */
export function authenticate(ctx: TurnContext, req: RequestContext, path: ClientPath): Authenticated | undefined {
  const r = ctx.auth.check(req);
  if (r.ok) return r;
  sendError(ctx, req, path, r.code, r.why);
  return undefined;
}

const METHOD_NAMES: Record<number, string> = { 1: "Binding", 3: "Allocate", 4: "Refresh", 6: "Send", 7: "Data", 8: "CreatePermission", 9: "ChannelBind" };

export function methodName(method: number): string {
  return METHOD_NAMES[method] ?? `method 0x${method.toString(16)}`;
}
