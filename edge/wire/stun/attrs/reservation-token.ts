/** RESERVATION-TOKEN (0x0022), RFC 5766 14.9: an 8-byte token naming a port the server keeps for a later Allocate. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength } from "./value.ts";

export function ReservationToken(token: Uint8Array): StunAttributeSetter {
  if (token.length !== 8) throw new RangeError(`RESERVATION-TOKEN must be 8 bytes, got ${token.length}`);
  const value = Buffer.from(token);
  return fixed(AttrType.ReservationToken, () => value);
}

export function getReservationToken(msg: StunMessage): Buffer | undefined {
  const view = findAttribute(msg, AttrType.ReservationToken);
  if (!view) return undefined;
  expectLength(view, 8, "RESERVATION-TOKEN");
  return view.value;
}
