/** DATA (0x0013), RFC 5766 14.4: the application payload of a Send or Data indication, padded to 4 bytes on the wire. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";

export function Data(payload: Uint8Array): StunAttributeSetter {
  const value = Buffer.from(payload);
  return fixed(AttrType.Data, () => value);
}

/** A view into the received bytes (copy it if you keep it past the datagram). */
export function getData(msg: StunMessage): Buffer | undefined {
  return findAttribute(msg, AttrType.Data)?.value;
}
