/**
 * The federation policy engine: config + request (+ FED-11 throttle state) ->
 * verdict with the rule IDs of every step. Pure: no I/O, no clock (request.now).
 * Inbound order: FED-1, FED-6, FED-10 (identity and class: FED-8/4/5/3/2),
 * FED-11 throttling for discovered partners, FED-9 recipient policy, FED-7
 * verification, then delivery to the internal user. A discovered partner's
 * request refused after its throttle counts as a failure (FED-11 ratio).
 */
import type { FederationConfig } from "./config.ts";
import type { SipAddress } from "./domains.ts";
import { findUser, isBlockedDomain, isOurDomain, parseSipAddress, policyOf } from "./domains.ts";
import type { PeerClass } from "./inbound-identity.ts";
import { identifyInboundPeer } from "./inbound-identity.ts";
import { decideOutbound } from "./outbound-route.ts";
import type { PolicyRequest } from "./request.ts";
import type { ThrottleState } from "./throttle.ts";
import { applyThrottle, emptyThrottleState } from "./throttle.ts";
import type { Verdict } from "./verdict.ts";
import { DecisionPath } from "./verdict.ts";
import { inboundVerification, senderInContacts } from "./verification.ts";

function needsPublicCloudAccess(config: FederationConfig, peer: PeerClass): boolean {
  if (peer.rule === "FED-5") return peer.provider.kind === "public";
  return peer.rule === "FED-8" && config.accessEdge.IsPublicProvider;
}

function deliverInbound(config: FederationConfig, request: PolicyRequest, peer: PeerClass, path: DecisionPath): Verdict {
  const recipient = findUser(config, request.to);
  if (!recipient) return path.refuse("unknownRecipient", request.to);
  const policy = policyOf(config, recipient);
  if (!policy) return path.refuse("policyMissing", `${recipient.uri} has policy ${recipient.policy ?? "Global"}`);
  if (needsPublicCloudAccess(config, peer)) {
    if (!policy.EnablePublicCloudAccess) return path.refuse("policyNoPublicCloud", `${recipient.uri} (policy ${policy.Identity})`);
    path.step("FED-9", `${recipient.uri} may use public IM: policy ${policy.Identity} has EnablePublicCloudAccess`);
  } else {
    if (!policy.EnableFederationAccess) return path.refuse("policyNoFederation", `${recipient.uri} (policy ${policy.Identity})`);
    path.step("FED-9", `${recipient.uri} may federate: policy ${policy.Identity} has EnableFederationAccess`);
  }

  const marking = inboundVerification(config, peer, request.sourceVerified);
  path.step("FED-7", marking.text);
  if (marking.level === "AlwaysUnverifiable") {
    const contacts = request.recipientContacts ?? recipient.contacts ?? [];
    if (!senderInContacts(request.from, contacts)) return path.refuse("unverifiedNotInContacts", `${request.from} -> ${recipient.uri}`);
    path.step("FED-7", `${request.from} is in ${recipient.uri}'s contacts: delivered despite AlwaysUnverifiable`);
  }
  return path.allow({ kind: "internal", user: recipient.uri }, marking.verification);
}

function decideInbound(config: FederationConfig, request: PolicyRequest, sender: SipAddress, target: SipAddress, throttle: ThrottleState | undefined, path: DecisionPath): Verdict {
  if (!config.accessEdge.AllowFederatedUsers) return path.refuse("federationOff");
  path.step("FED-1", "AllowFederatedUsers is true: federation is on");
  if (isBlockedDomain(config, sender.domain)) return path.refuse("blocked", sender.domain);
  path.step("FED-6", `${sender.domain} is not on the blocked list`);

  const peer = identifyInboundPeer(config, sender.domain, request.peer, path);
  if ("steps" in peer) return peer;
  if (!isOurDomain(config, target.domain)) return path.refuse("targetNotOurs", target.domain);
  path.step("FED-10", `${sender.domain} is served by the connecting peer and ${target.domain} is one of our SIP domains`);

  if (peer.rule === "FED-2") {
    const result = applyThrottle(throttle ?? emptyThrottleState(), config, sender.domain, request.to, request.now);
    path.throttled(result.state, result.events);
    if (result.refusal) return path.refuse(result.refusal, result.text);
    path.step("FED-11", result.text);
    // FED-11: the edge's own refusals from here on (404 unknown user, 403 policy, 480 contacts) feed the failure ratio.
    path.countRefusalsAsFailures(sender.domain);
  }
  return deliverInbound(config, request, peer, path);
}

/** Decide one federated request. Pass the previous verdict's nextThrottleState as `throttle` (FED-11). */
export function decide(config: FederationConfig, request: PolicyRequest, throttle?: ThrottleState): Verdict {
  const path = new DecisionPath();
  const from = parseSipAddress(request.from);
  const to = parseSipAddress(request.to);
  if (!from || !to) return path.refuse("malformedUri", `${request.method} from ${request.from} to ${request.to}`);
  if (request.direction === "outbound") return decideOutbound(config, request, to, path);
  return decideInbound(config, request, from, to, throttle, path);
}
