/**
 * Allocate (RFC 5766 6.2) and Refresh (7.2). Allocate: authenticate, 437 when the
 * 5-tuple already has an allocation (a retransmission of the same transaction gets the
 * same success again), REQUESTED-TRANSPORT must be UDP (400 absent, 442 other; an
 * [MS-TURN] Allocate carries none and means UDP), EVEN-PORT with RESERVATION-TOKEN is a
 * 400, 486 past the per-user quota, 508 past the edge total or with no relay port.
 * Lifetime: min(requested, max), but never below the default.
 */
import {
  getEvenPort, getLifetime, getRequestedTransport, getReservationToken, Lifetime, ReservationToken, StunClass,
  TRANSPORT_UDP, XorMappedAddress, XorRelayedAddress,
} from "../../wire/stun/index.ts";
import { Allocation } from "./allocation.ts";
import { allocationFor, sendError, type Authenticated, type TurnContext } from "./context.ts";
import { pathKey, type ClientPath } from "./handoff.ts";
import { openRelay } from "./relay-ports.ts";
import { finish, responseBuilder, type RequestContext } from "./respond.ts";

export function grantedLifetime(ctx: TurnContext, requested: number | undefined): number {
  const wanted = Math.min(requested ?? ctx.opts.defaultLifetimeSec, ctx.opts.maxLifetimeSec);
  return Math.max(wanted, ctx.opts.defaultLifetimeSec);
}

export async function handleAllocate(ctx: TurnContext, req: RequestContext, path: ClientPath, auth: Authenticated): Promise<void> {
  const key = pathKey(path);
  const txHex = req.msg.transactionId.toString("hex");
  const existing = ctx.table.get(key);
  if (existing) {
    if (existing.allocateTx === txHex) return path.send(existing.allocateResponse);
    return sendError(ctx, req, path, 437, "this 5-tuple already has an allocation", { key: auth.key });
  }
  if (ctx.table.pending.has(key)) return ctx.trace("stun.request", path, "Allocate retransmitted while its relay port is being bound: ignored");
  const transport = getRequestedTransport(req.msg);
  if (transport === undefined && req.dialect !== "ms-turn") return sendError(ctx, req, path, 400, "Allocate without REQUESTED-TRANSPORT", { key: auth.key });
  if (transport !== undefined && transport !== TRANSPORT_UDP) return sendError(ctx, req, path, 442, `REQUESTED-TRANSPORT ${transport} is not UDP (17)`, { key: auth.key });
  const even = getEvenPort(req.msg);
  const token = getReservationToken(req.msg);
  if (even && token) return sendError(ctx, req, path, 400, "EVEN-PORT and RESERVATION-TOKEN together (RFC 5766 6.2)", { key: auth.key });
  if (ctx.table.countFor(auth.username) >= ctx.opts.maxAllocationsPerUser)
    return sendError(ctx, req, path, 486, `'${auth.username}' already holds ${ctx.opts.maxAllocationsPerUser} allocations`, { key: auth.key });
  if (ctx.table.size + ctx.table.pending.size >= ctx.opts.maxAllocations)
    return sendError(ctx, req, path, 508, `the edge holds its maximum of ${ctx.opts.maxAllocations} allocations`, { key: auth.key });

  ctx.table.pending.add(key);
  let relay: Awaited<ReturnType<typeof openRelay>>;
  try {
    if (token) {
      const socket = ctx.table.claim(token);
      relay = socket ? { socket } : undefined;
      if (!relay) return sendError(ctx, req, path, 508, "RESERVATION-TOKEN unknown or expired", { key: auth.key });
    } else {
      relay = await openRelay({ address: ctx.opts.relayAddress, min: ctx.opts.relayPortMin, max: ctx.opts.relayPortMax }, { even: !!even, reserveNext: !!even?.reserveNext });
      if (!relay) return sendError(ctx, req, path, 508, `no free relay port in ${ctx.opts.relayPortMin}-${ctx.opts.relayPortMax} on ${ctx.opts.relayAddress}`, { key: auth.key });
    }
  } finally {
    ctx.table.pending.delete(key);
  }
  const port = relay.socket.address().port;
  const relayed = { address: ctx.opts.relayAddress, port };
  const lifetime = grantedLifetime(ctx, getLifetime(req.msg));
  const b = responseBuilder(req, StunClass.SuccessResponse)
    .set(XorRelayedAddress({ family: "IPv4", ...relayed }))
    .set(Lifetime(lifetime));
  if (relay.reserved) b.set(ReservationToken(ctx.table.reserve(relay.reserved, ctx.opts.reservationLifetimeSec)));
  b.set(XorMappedAddress({ family: "IPv4", ...path.client }));
  const response = finish(req, b, auth.key);
  const a = new Allocation(key, path, auth.username, auth.user, relay.socket, relayed, txHex, response, ctx.allocationEvents);
  a.setLifetime(lifetime);
  ctx.table.add(a);
  ctx.stats.allocations++;
  ctx.trace("turn.allocation", path, `allocated ${relayed.address}:${relayed.port} for ${auth.user} (${lifetime} s), mapped ${path.client.address}:${path.client.port}`, { rules: ["HLB-3"], relayed });
  path.send(response);
}

export function handleRefresh(ctx: TurnContext, req: RequestContext, path: ClientPath, auth: Authenticated): void {
  const a = allocationFor(ctx, path);
  if (!a) return sendError(ctx, req, path, 437, "Refresh on a 5-tuple with no allocation", { key: auth.key });
  if (a.username !== auth.username) return sendError(ctx, req, path, 441, `allocation belongs to '${a.username}', not '${auth.username}'`, { key: auth.key });
  const requested = getLifetime(req.msg);
  let lifetime = 0;
  if (requested === 0) {
    ctx.table.delete(a);
    ctx.trace("turn.allocation", path, `deleted ${a.relayed.address}:${a.relayed.port} (Refresh with LIFETIME 0)`);
  } else {
    lifetime = grantedLifetime(ctx, requested);
    a.setLifetime(lifetime);
    ctx.trace("turn.allocation", path, `refreshed ${a.relayed.address}:${a.relayed.port} for ${lifetime} s`);
  }
  path.send(finish(req, responseBuilder(req, StunClass.SuccessResponse).set(Lifetime(lifetime)), auth.key));
}
