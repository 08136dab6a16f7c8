/** DONT-FRAGMENT (0x001A), RFC 5766 14.8: no value; asks the server to set DF on relayed UDP. */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { expectLength } from "./value.ts";

export function DontFragment(): StunAttributeSetter {
  return fixed(AttrType.DontFragment, () => Buffer.alloc(0));
}

export function hasDontFragment(msg: StunMessage): boolean {
  const view = findAttribute(msg, AttrType.DontFragment);
  if (!view) return false;
  expectLength(view, 0, "DONT-FRAGMENT");
  return true;
}
