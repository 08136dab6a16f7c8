/**
 * ERROR-CODE (0x0009), RFC 5389 15.6: 21 reserved bits, 3-bit class (3-6), 8-bit number
 * (0-99), then a UTF-8 reason phrase of fewer than 128 characters. Code = class*100 + number.
 * Default reasons: RFC 5389 15.6 and RFC 5766 15.
 */
import { fixed, type StunAttributeSetter } from "../attribute.ts";
import { AttrType } from "../attr-type.ts";
import { stunError } from "../errors.ts";
import { findAttribute, type StunMessage } from "../message.ts";
import { encodeText, whereOf } from "./value.ts";

export const DEFAULT_REASONS: Readonly<Record<number, string>> = {
  300: "Try Alternate",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  420: "Unknown Attribute",
  437: "Allocation Mismatch",
  438: "Stale Nonce",
  441: "Wrong Credentials",
  442: "Unsupported Transport Protocol",
  486: "Allocation Quota Reached",
  500: "Server Error",
  508: "Insufficient Capacity",
};

export interface StunErrorCode {
  readonly code: number;
  readonly reason: string;
}

export function ErrorCode(code: number, reason: string = DEFAULT_REASONS[code] ?? ""): StunAttributeSetter {
  if (!Number.isInteger(code) || code < 300 || code > 699) throw new RangeError(`STUN error code ${code} is outside 300-699`);
  const phrase = encodeText(reason, "ERROR-CODE reason", 763, 127);
  const value = Buffer.alloc(4 + phrase.length);
  value[2] = Math.floor(code / 100);
  value[3] = code % 100;
  phrase.copy(value, 4);
  return fixed(AttrType.ErrorCode, () => value);
}

export function getErrorCode(msg: StunMessage): StunErrorCode | undefined {
  const view = findAttribute(msg, AttrType.ErrorCode);
  if (!view) return undefined;
  if (view.length < 4) throw stunError(whereOf(view), `ERROR-CODE value of ${view.length} bytes is shorter than 4`);
  const cls = view.value[2]! & 0x07;
  const num = view.value[3]!;
  if (cls < 3 || cls > 6) throw stunError(whereOf(view), `ERROR-CODE class ${cls} is outside 3-6`);
  if (num > 99) throw stunError(whereOf(view), `ERROR-CODE number ${num} is above 99`);
  let reason: string;
  try {
    reason = new TextDecoder("utf-8", { fatal: true }).decode(view.value.subarray(4));
  } catch {
    throw stunError(whereOf(view), "ERROR-CODE reason phrase is not valid UTF-8");
  }
  return { code: cls * 100 + num, reason };
}
