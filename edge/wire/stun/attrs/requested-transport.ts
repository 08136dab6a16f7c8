/** REQUESTED-TRANSPORT (0x0019), RFC 5766 14.7: IANA protocol number (17 = UDP) + 3 RFFU bytes. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength } from "./value.ts";

export const TRANSPORT_UDP = 17;

export function RequestedTransport(protocol: number = TRANSPORT_UDP): StunAttributeSetter {
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) throw new RangeError(`protocol ${protocol} is not one byte`);
  return fixed(AttrType.RequestedTransport, () => Buffer.from([protocol, 0, 0, 0]));
}

export function getRequestedTransport(msg: StunMessage): number | undefined {
  const view = findAttribute(msg, AttrType.RequestedTransport);
  if (!view) return undefined;
  expectLength(view, 4, "REQUESTED-TRANSPORT");
  return view.value[0]!;
}
