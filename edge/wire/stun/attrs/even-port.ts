/** EVEN-PORT (0x0018), RFC 5766 14.6: one byte, R bit (0x80) = also reserve the next port; value padded to 4. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength } from "./value.ts";

export function EvenPort(reserveNext: boolean): StunAttributeSetter {
  return fixed(AttrType.EvenPort, () => Buffer.from([reserveNext ? 0x80 : 0]));
}

/** undefined when absent; otherwise the R bit. */
export function getEvenPort(msg: StunMessage): { reserveNext: boolean } | undefined {
  const view = findAttribute(msg, AttrType.EvenPort);
  if (!view) return undefined;
  expectLength(view, 1, "EVEN-PORT");
  return { reserveNext: (view.value[0]! & 0x80) !== 0 };
}
