/**
 * Comprehension-required vs optional attributes, RFC 5389 7.3 and 15: an agent that
 * meets an unknown type in 0x0000-0x7FFF must reject a request with 420 (Unknown
 * Attribute) listing those types in UNKNOWN-ATTRIBUTES; unknown 0x8000-0xFFFF types
 * are ignored. The known set depends on the dialect: [MS-TURN] 2.2.2 lists its own
 * mandatory types (it knows MAGIC-COOKIE 0x000F but not, e.g., REQUESTED-TRANSPORT).
 */
import { WireDecodeError } from "../decode-error.ts";
import { AttrType, isComprehensionRequired, MsTurnAttrType } from "./attr-type.ts";
import { attrWhere, hex4 } from "./errors.ts";
import type { StunDialect, StunMessage } from "./message.ts";

const RFC_REQUIRED: ReadonlySet<number> = new Set([
  AttrType.MappedAddress,
  AttrType.Username,
  AttrType.MessageIntegrity,
  AttrType.ErrorCode,
  AttrType.UnknownAttributes,
  AttrType.ChannelNumber,
  AttrType.Lifetime,
  AttrType.XorPeerAddress,
  AttrType.Data,
  AttrType.Realm,
  AttrType.Nonce,
  AttrType.XorRelayedAddress,
  AttrType.EvenPort,
  AttrType.RequestedTransport,
  AttrType.DontFragment,
  AttrType.XorMappedAddress,
  AttrType.ReservationToken,
  AttrType.Priority,
  AttrType.UseCandidate,
]);

/** [MS-TURN] 2.2.2 mandatory list, plus the ICE check attributes (PRIORITY, USE-CANDIDATE). */
const MS_TURN_REQUIRED: ReadonlySet<number> = new Set([
  AttrType.MappedAddress,
  AttrType.Username,
  AttrType.MessageIntegrity,
  AttrType.ErrorCode,
  AttrType.UnknownAttributes,
  AttrType.Lifetime,
  0x000e, // Alternate Server in the STUN-02 numbering
  MsTurnAttrType.MagicCookie,
  MsTurnAttrType.Bandwidth,
  MsTurnAttrType.DestinationAddress,
  MsTurnAttrType.RemoteAddress,
  MsTurnAttrType.Data,
  MsTurnAttrType.Nonce,
  MsTurnAttrType.Realm,
  MsTurnAttrType.RequestedAddressFamily,
  AttrType.Priority,
  AttrType.UseCandidate,
]);

export function knownRequiredTypes(dialect: StunDialect): ReadonlySet<number> {
  return dialect === "ms-turn" ? MS_TURN_REQUIRED : RFC_REQUIRED;
}

/** The unknown comprehension-required types, deduplicated, in wire order: the UNKNOWN-ATTRIBUTES list for a 420. */
export function unknownComprehensionRequired(msg: StunMessage): number[] {
  const known = knownRequiredTypes(msg.dialect);
  const out: number[] = [];
  for (const a of msg.attributes) {
    if (isComprehensionRequired(a.type) && !known.has(a.type) && !out.includes(a.type)) out.push(a.type);
  }
  return out;
}

/** 420 Unknown Attribute, carrying the types to echo in UNKNOWN-ATTRIBUTES. */
export class StunUnknownAttributesError extends WireDecodeError {
  readonly unknown: readonly number[];
  constructor(where: string, unknown: readonly number[]) {
    super("stun", where, `unknown comprehension-required attribute(s) ${unknown.map(hex4).join(", ")}`, 420);
    this.name = "StunUnknownAttributesError";
    this.unknown = unknown;
  }
}

/** Throws StunUnknownAttributesError (wireCode 420) when the message has unknown comprehension-required attributes. */
export function assertComprehended(msg: StunMessage): void {
  const unknown = unknownComprehensionRequired(msg);
  const first = unknown[0];
  if (first === undefined) return;
  const at = msg.attributes.find((a) => a.type === first);
  throw new StunUnknownAttributesError(attrWhere(first, at?.offset ?? 0), unknown);
}
