/**
 * The peer side of an allocation: CreatePermission (RFC 5766 9.2), ChannelBind (11.2),
 * Send indications (10.2) and ChannelData (11.6). Peers must be in 127.0.0.0/8 (the
 * sandbox's one safety rule): any other peer is refused with 403 Forbidden, so the relay
 * can never send off this machine. Indications and ChannelData are never answered;
 * what cannot be relayed is counted and traced.
 */
import {
  decodeChannelData, getChannelNumber, getData, getXorPeerAddress, getXorPeerAddresses, isValidChannelNumber, StunClass, type StunTransport,
  type TransportAddress,
} from "../../wire/stun/index.ts";
import { isLoopback } from "../../net/loopback.ts";
import { allocationFor, sendError, type Authenticated, type TurnContext } from "./context.ts";
import type { ClientPath } from "./handoff.ts";
import { finish, responseBuilder, type RequestContext } from "./respond.ts";
import type { Allocation } from "./allocation.ts";

function peerProblem(p: TransportAddress): { code: number; why: string } | undefined {
  if (p.family !== "IPv4") return { code: 443, why: `peer ${p.address} is IPv6; relays are IPv4 (RFC 6156 443)` };
  if (!isLoopback(p.address)) return { code: 403, why: `peer ${p.address} is outside 127.0.0.0/8: the sandbox never relays off this machine` };
  return undefined;
}

/** The allocation on this 5-tuple owned by the authenticated user, or the 437/441 already sent. */
function ownedAllocation(ctx: TurnContext, req: RequestContext, path: ClientPath, username: string, key: Buffer): Allocation | undefined {
  const a = allocationFor(ctx, path);
  if (!a) return void sendError(ctx, req, path, 437, "no allocation on this 5-tuple", { key });
  if (a.username !== username) return void sendError(ctx, req, path, 441, `allocation belongs to '${a.username}', not '${username}'`, { key });
  return a;
}

export function handleCreatePermission(ctx: TurnContext, req: RequestContext, path: ClientPath, auth: Authenticated): void {
  const a = ownedAllocation(ctx, req, path, auth.username, auth.key);
  if (!a) return;
  const peers = getXorPeerAddresses(req.msg);
  if (peers.length === 0) return sendError(ctx, req, path, 400, "CreatePermission without XOR-PEER-ADDRESS", { key: auth.key });
  for (const p of peers) {
    const bad = peerProblem(p);
    if (bad) return sendError(ctx, req, path, bad.code, bad.why, { key: auth.key, reason: bad.code === 443 ? "Peer Address Family Mismatch" : undefined });
  }
  for (const p of peers) a.installPermission(p.address, ctx.opts.permissionLifetimeSec * 1000);
  ctx.trace("turn.allocation", path, `permission for ${peers.map((p) => p.address).join(", ")} on ${a.relayed.address}:${a.relayed.port} (${ctx.opts.permissionLifetimeSec} s)`);
  path.send(finish(req, responseBuilder(req, StunClass.SuccessResponse), auth.key));
}

export function handleChannelBind(ctx: TurnContext, req: RequestContext, path: ClientPath, auth: Authenticated): void {
  const a = ownedAllocation(ctx, req, path, auth.username, auth.key);
  if (!a) return;
  const channel = getChannelNumber(req.msg);
  const peer = getXorPeerAddress(req.msg);
  if (channel === undefined || !isValidChannelNumber(channel))
    return sendError(ctx, req, path, 400, `CHANNEL-NUMBER ${channel === undefined ? "missing" : `0x${channel.toString(16)} outside 0x4000-0x7fff`}`, { key: auth.key });
  if (!peer) return sendError(ctx, req, path, 400, "ChannelBind without XOR-PEER-ADDRESS", { key: auth.key });
  const bad = peerProblem(peer);
  if (bad) return sendError(ctx, req, path, bad.code, bad.why, { key: auth.key, reason: bad.code === 443 ? "Peer Address Family Mismatch" : undefined });
  const conflict = a.channelConflict(channel, peer);
  if (conflict) return sendError(ctx, req, path, 400, conflict, { key: auth.key });
  a.bindChannel(channel, peer, ctx.opts.channelLifetimeSec * 1000);
  a.installPermission(peer.address, ctx.opts.permissionLifetimeSec * 1000);
  ctx.trace("turn.allocation", path, `channel 0x${channel.toString(16)} -> ${peer.address}:${peer.port} on ${a.relayed.address}:${a.relayed.port}`);
  path.send(finish(req, responseBuilder(req, StunClass.SuccessResponse), auth.key));
}

function discard(ctx: TurnContext, path: ClientPath, why: string): void {
  ctx.stats.discarded++;
  ctx.trace("turn.relay", path, `discarded: ${why}`);
}

export function handleSendIndication(ctx: TurnContext, req: RequestContext, path: ClientPath): void {
  const a = allocationFor(ctx, path);
  const peer = getXorPeerAddress(req.msg);
  const data = getData(req.msg);
  if (!a) return fromPeerEdge(ctx, path, peer, data);
  if (!peer || !data) return discard(ctx, path, "Send indication without XOR-PEER-ADDRESS or DATA");
  if (!a.hasPermission(peer.address)) return discard(ctx, path, `Send indication to ${peer.address}, which has no permission`);
  if (a.sendToPeer(peer, data)) ctx.stats.relayedToPeer++;
}

/**
 * Edge-to-edge media (PORT-1): a Lync 2010/2013 A/V Edge's relay sends to our STUN port a
 * Send indication whose XOR-PEER-ADDRESS is one of our relayed addresses; it goes to that
 * allocation as from the sending relay (its permission checked as for any peer). From a
 * source that is not a known peer edge, it is what it looks like: a Send indication on a
 * 5-tuple with no allocation, discarded.
 */
function fromPeerEdge(ctx: TurnContext, path: ClientPath, peer: TransportAddress | undefined, data: Uint8Array | undefined): void {
  const edge = ctx.opts.edgePeerPort(path.client.address) !== undefined;
  const a = edge && peer && data ? ctx.table.relayedAt(peer.address, peer.port) : undefined;
  if (!a) return discard(ctx, path, "Send indication on a 5-tuple with no allocation (RFC 5766 10.2)");
  a.fromEdge(Buffer.from(data!), path.client);
}

export function handleChannelData(ctx: TurnContext, packet: Buffer, path: ClientPath, transport: StunTransport): void {
  const a = allocationFor(ctx, path);
  if (!a) return discard(ctx, path, "ChannelData on a 5-tuple with no allocation (RFC 5766 11.6)");
  let cd;
  try {
    cd = decodeChannelData(packet, transport);
  } catch (err) {
    return discard(ctx, path, `malformed ChannelData: ${(err as Error).message}`);
  }
  const sent = a.sendOnChannel(cd.channel, cd.data);
  if (sent === "unbound") return discard(ctx, path, `ChannelData on unbound or expired channel 0x${cd.channel.toString(16)}`);
  if (sent === "sent") ctx.stats.relayedToPeer++;
}
