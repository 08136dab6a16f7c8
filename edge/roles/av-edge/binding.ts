/**
 * STUN Binding (RFC 5389 7.3, 10.1 of RFC 5780 aside): the server-reflexive address is
 * the source the edge saw (flow.client), i.e. the real client with no NAT on the A/V
 * VIP (HLB-2) and the balancer with SNAT (HLB-6's wrong candidate). RFC 5389 requests get
 * XOR-MAPPED-ADDRESS; [MS-TURN] requests MAPPED-ADDRESS and XOR Mapped Address 0x8020;
 * classic RFC 3489 requests (no magic cookie, e.g. stun-client's `stun`) MAPPED-ADDRESS
 * and SOURCE-ADDRESS. CHANGE-REQUEST (RFC 3489 11.2.4) is honoured only with both flags
 * clear: this edge has one address and port per side, so a change request gets 420.
 */
import { MappedAddress, RawAttribute, StunClass, XorMappedAddress, encodeAddress } from "../../wire/stun/index.ts";
import type { ClientPath } from "./handoff.ts";
import { finish, responseBuilder, type RequestContext } from "./respond.ts";

/** RFC 3489 11.2: CHANGE-REQUEST and SOURCE-ADDRESS. */
export const CLASSIC_CHANGE_REQUEST = 0x0003;
export const CLASSIC_SOURCE_ADDRESS = 0x0004;

export function bindingSuccess(req: RequestContext, path: ClientPath): Buffer {
  const mapped = { family: "IPv4" as const, address: path.client.address, port: path.client.port };
  const b = responseBuilder(req, StunClass.SuccessResponse);
  if (req.dialect === "rfc5389") b.set(XorMappedAddress(mapped));
  else if (req.dialect === "ms-turn") b.set(MappedAddress(mapped)).set(XorMappedAddress(mapped));
  else b.set(MappedAddress(mapped)).set(RawAttribute(CLASSIC_SOURCE_ADDRESS, encodeAddress({ family: "IPv4", ...path.local })));
  return finish(req, b);
}
