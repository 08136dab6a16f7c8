/**
 * What arrives on an A/V Edge port, sorted (RFC 5766 11, RFC 7983): ChannelData (first
 * bits 01) goes to the allocation; STUN is decoded and checked in the order of RFC 5389
 * 7.3: header (a length that is not a multiple of 4 or does not match the packet: discarded
 * unanswered, never a 400 that would reflect garbage), FINGERPRINT (a wrong one is
 * discarded unanswered), then per method:
 * Binding (no authentication; 420 for unknown comprehension-required attributes),
 * TURN requests (long-term authentication first, then 420, then the method), Send
 * indications. A request whose header is sound but whose body is malformed gets 400
 * naming where; anything that cannot be answered is discarded and traced, never thrown.
 */
import { WireDecodeError } from "../../wire/decode-error.ts";
import {
  AttrType, checkFingerprint, decodeStun, findAttribute, StunClass, StunMethod, unknownComprehensionRequired, type StunMessage,
} from "../../wire/stun/index.ts";
import { bindingSuccess, CLASSIC_CHANGE_REQUEST } from "./binding.ts";
import { fastBindingResponse } from "./fast-binding.ts";
import { authenticate, methodName, sendError, type TurnContext } from "./context.ts";
import type { ClientPath } from "./handoff.ts";
import { errorResponse, type RequestContext, type RequestDialect } from "./respond.ts";
import { handleAllocate, handleRefresh } from "./turn-allocate.ts";
import { handleChannelBind, handleChannelData, handleCreatePermission, handleSendIndication } from "./turn-peers.ts";

const MAGIC = 0x2112a442;

function discard(ctx: TurnContext, path: ClientPath, why: string): void {
  ctx.stats.discarded++;
  ctx.trace("stun.error", path, `discarded: ${why}`);
}

export function dispatchPacket(ctx: TurnContext, packet: Buffer, path: ClientPath): void {
  const fast = fastBindingResponse(packet, path.client, ctx.softwareTlv);
  if (fast) {
    ctx.stats.bindings++;
    return path.send(fast);
  }
  const first = packet[0] ?? 0xff;
  if ((first & 0xc0) === 0x40) return handleChannelData(ctx, packet, path, path.transport);
  if ((first & 0xc0) !== 0 || packet.length < 20) return discard(ctx, path, `${packet.length}-byte packet is neither STUN nor ChannelData`);
  const framing = framingProblem(packet);
  if (framing) return discard(ctx, path, `${framing} (RFC 5389 7.3: a message that fails the basic checks is discarded unanswered; an answer to garbage is a reflection vector)`);
  let msg: StunMessage;
  let dialect: RequestDialect;
  try {
    msg = decodeStun(packet);
    dialect = msg.dialect;
  } catch (err) {
    const classic = packet.readUInt32BE(4) !== MAGIC && packet.readUInt16BE(0) === 0x0001;
    if (!classic) return answerMalformed(ctx, packet, path, err);
    try {
      msg = decodeStun(packet, { dialect: "ms-turn" });
      dialect = "rfc3489";
    } catch (err2) {
      return answerMalformed(ctx, packet, path, err2);
    }
  }
  try {
    if (findAttribute(msg, AttrType.Fingerprint)) checkFingerprint(msg);
  } catch (err) {
    return discard(ctx, path, `FINGERPRINT check failed (RFC 5389 7.3: discarded): ${(err as Error).message}`);
  }
  const req: RequestContext = { msg, dialect, software: ctx.opts.software };
  try {
    route(ctx, req, path);
  } catch (err) {
    handlerFailed(ctx, req, path, err);
  }
}

/**
 * RFC 5389 6 and 7.3, the basic checks on the header: the message length is a multiple
 * of 4 and covers exactly the bytes that came (a datagram, or a TCP frame the framer cut
 * by that same length). Failing them, the bytes are not a STUN message at all.
 */
function framingProblem(packet: Buffer): string | undefined {
  const length = packet.readUInt16BE(2);
  if (length % 4 !== 0) return `message length ${length} is not a multiple of 4`;
  if (20 + length !== packet.length) return `message length ${length} says ${20 + length} bytes, the packet has ${packet.length}`;
  return undefined;
}

/** A getter refused an attribute value: 400 for a request (naming where), discard otherwise. */
function handlerFailed(ctx: TurnContext, req: RequestContext, path: ClientPath, err: unknown): void {
  if (!(err instanceof WireDecodeError) || req.msg.cls !== StunClass.Request) return discard(ctx, path, `${methodName(req.msg.method)}: ${(err as Error).message}`);
  sendError(ctx, req, path, err.wireCode === 401 ? 401 : 400, `${err.where}: ${err.reason}`);
}

function route(ctx: TurnContext, req: RequestContext, path: ClientPath): void {
  const { msg } = req;
  if (msg.cls === StunClass.Indication) {
    if (msg.method === StunMethod.Send && req.dialect === "rfc5389") return handleSendIndication(ctx, req, path);
    return discard(ctx, path, `${methodName(msg.method)} indication is not one a server accepts`);
  }
  if (msg.cls !== StunClass.Request) return discard(ctx, path, `${methodName(msg.method)} response sent to the server`);
  if (msg.method === StunMethod.Binding) {
    const unknown = unknownComprehensionRequired(msg).filter((t) => !(req.dialect === "rfc3489" && t === CLASSIC_CHANGE_REQUEST && changeFlags(msg) === 0));
    if (unknown.length) return sendError(ctx, req, path, 420, `unknown comprehension-required ${unknown.map(hex).join(", ")}`, { unknown });
    ctx.stats.bindings++;
    return path.send(bindingSuccess(req, path));
  }
  const turn = req.dialect === "rfc5389" || (req.dialect === "ms-turn" && msg.method === StunMethod.Allocate);
  if (!turn) return sendError(ctx, req, path, 400, `${methodName(msg.method)} request is not modelled in the ${req.dialect} dialect (docs/av-edge.md)`);
  const handler = TURN_HANDLERS[msg.method];
  if (!handler) return sendError(ctx, req, path, 400, `unknown method 0x${msg.method.toString(16)}`);
  const auth = authenticate(ctx, req, path);
  if (!auth) return;
  const unknown = unknownComprehensionRequired(msg);
  if (unknown.length) return sendError(ctx, req, path, 420, `unknown comprehension-required ${unknown.map(hex).join(", ")}`, { unknown, key: auth.key });
  const pending = handler(ctx, req, path, auth);
  if (pending instanceof Promise) pending.catch((err: unknown) => handlerFailed(ctx, req, path, err));
}

const TURN_HANDLERS: Record<number, typeof handleRefresh | typeof handleAllocate> = {
  [StunMethod.Allocate]: handleAllocate,
  [StunMethod.Refresh]: handleRefresh,
  [StunMethod.CreatePermission]: handleCreatePermission,
  [StunMethod.ChannelBind]: handleChannelBind,
};

function changeFlags(msg: StunMessage): number {
  const v = findAttribute(msg, CLASSIC_CHANGE_REQUEST)?.value;
  return v && v.length === 4 ? v.readUInt32BE(0) & 0x06 : -1;
}

function hex(t: number): string {
  return `0x${t.toString(16).padStart(4, "0")}`;
}

/** A request with a sound header (cookie, class Request) gets 400 naming where it broke; anything else is discarded. */
function answerMalformed(ctx: TurnContext, packet: Buffer, path: ClientPath, err: unknown): void {
  const why = err instanceof WireDecodeError ? `${err.where}: ${err.reason}` : String(err);
  const type = packet.readUInt16BE(0);
  const isRequest = (type & 0x0110) === 0;
  if (!isRequest || packet.readUInt32BE(4) !== MAGIC) return discard(ctx, path, `malformed STUN (${why})`);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const stub = { raw: packet.subarray(0, 20), method, cls: StunClass.Request, attributes: [], ignored: [], dialect: "rfc5389" } as unknown as StunMessage;
  const req: RequestContext = { msg: stub, dialect: "rfc5389", software: ctx.opts.software };
  path.send(errorResponse(req, 400, { reason: `Bad Request: ${why}`.slice(0, 120) }));
  ctx.stats.errors[400] = (ctx.stats.errors[400] ?? 0) + 1;
  ctx.trace("stun.error", path, `400 to malformed ${methodName(method)} request: ${why}`);
}
