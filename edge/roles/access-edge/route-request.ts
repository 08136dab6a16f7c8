/**
 * Which way a request goes, decided from the side it arrived on (FED-12: every
 * outcome is a route or a refusal with its rules):
 *  - federation side (5061 mutual TLS, external): inbound federated traffic, decided
 *    by the policy engine with the peer's certificate names and the SRV targets of
 *    the sender's domain (FED-10), then on to the front-end pool;
 *  - internal side (5061 from the front-end pool): to a remote user signed in on this
 *    edge, or outbound federated traffic decided by the policy engine (FED-1..FED-9);
 *  - remote side (443 TLS / WSS): our own users signing in from outside (FED-9
 *    outside access); everything they send goes to the front-end pool, their home.
 */
import { decide, type FederationConfig, type Route, type ThrottleState, type Verdict } from "../../policy/index.ts";
import { isOurDomain, parseSipAddress, type SipAddress } from "../../policy/domains.ts";
import type { SipRequest } from "../../wire/sip/index.ts";
import { edgeRefusal, type EdgeRefusal } from "./diagnostics.ts";
import { checkOutsideAccess } from "./outside-access.ts";

export type Side = "federation" | "internal" | "remote";

export type Decision =
  | { kind: "refuse"; refusal: EdgeRefusal; verdict?: Verdict; steps: string[] }
  | { kind: "federate"; route: Exclude<Route, { kind: "internal" | "xmpp" }>; verdict: Verdict; steps: string[] }
  | { kind: "to-pool"; verdict?: Verdict; steps: string[]; register?: string }
  | { kind: "to-remote-user"; aor: string; steps: string[] };

export interface RouteContext {
  config: FederationConfig;
  throttle: ThrottleState;
  now: number;
  /** Certificate names of the peer that connected (federation side). */
  peerNames: string[];
  /** SRV targets of `_sipfederationtls._tcp.<sender domain>`; undefined when DNS failed. */
  senderSrvTargets?: string[];
  /** Remote users signed in on this edge. */
  hasRemoteUser(aor: string): boolean;
}

/**
 * parseSipAddress by text, kept: a request asks for its From and To several times
 * (the address, then its domain), and the same users come back on every message.
 * Pure, and the result is only read; bounded (cleared when full).
 */
const ADDRESSES = new Map<string, SipAddress | undefined>();

export function sipAddressOf(text: string): SipAddress | undefined {
  if (ADDRESSES.has(text)) return ADDRESSES.get(text);
  const a = parseSipAddress(text);
  if (ADDRESSES.size >= 1024) ADDRESSES.clear();
  ADDRESSES.set(text, a);
  return a;
}

/** The URI part of From/To as "user@domain" (or the raw text when it has no user). */
export function addressOf(uriText: string | undefined): string {
  const a = uriText ? sipAddressOf(uriText) : undefined;
  return a ? `${a.user}@${a.domain}` : (uriText ?? "");
}

/**
 * Outbound verdicts by configuration object, sender, target and method. decide() is
 * pure and an outbound decision reads nothing else (no FED-11 state, no clock, no
 * peer: those are inbound), so a kept verdict is the verdict; a new configuration
 * (AccessEdge.setConfig) is a new object and starts empty. Bounded per configuration.
 */
const OUTBOUND = new WeakMap<FederationConfig, Map<string, Verdict>>();
const OUTBOUND_MAX = 4096;

function decideOutboundKept(config: FederationConfig, from: string, to: string, method: string, now: number): Verdict {
  let kept = OUTBOUND.get(config);
  if (kept === undefined) OUTBOUND.set(config, (kept = new Map()));
  const key = `${method}\n${from}\n${to}`;
  const hit = kept.get(key);
  if (hit !== undefined) return hit;
  const verdict = decide(config, { direction: "outbound", from, to, method, now });
  if (kept.size >= OUTBOUND_MAX) kept.clear();
  kept.set(key, verdict);
  return verdict;
}

function verdictRefusal(v: Verdict): EdgeRefusal {
  const r = v.refusal!;
  return { status: r.status, reason: r.reason, diagnostics: r.diagnostics, rules: v.rules };
}

/** `from`: the sender as addressOf gives it, when the caller already has it. */
export function decideRoute(req: SipRequest, side: Side, ctx: RouteContext, from = addressOf(req.from()?.uriText)): Decision {
  const to = addressOf(req.to()?.uriText);
  if (side === "remote") {
    const access = checkOutsideAccess(ctx.config, from);
    if (!access.ok) return { kind: "refuse", refusal: access.refusal, steps: [] };
    return { kind: "to-pool", steps: [access.text], ...(req.method === "REGISTER" ? { register: from } : {}) };
  }
  if (side === "internal") {
    const target = sipAddressOf(to);
    if (target && isOurDomain(ctx.config, target.domain)) {
      if (ctx.hasRemoteUser(to)) return { kind: "to-remote-user", aor: to, steps: [`${to} is signed in from outside through this edge`] };
      return { kind: "refuse", refusal: edgeRefusal("notRegistered", to), steps: [] };
    }
    const verdict = decideOutboundKept(ctx.config, from, to, req.method, ctx.now);
    if (!verdict.allowed) return { kind: "refuse", refusal: verdictRefusal(verdict), verdict, steps: [] };
    const route = verdict.route!;
    if (route.kind === "internal" || route.kind === "xmpp")
      return { kind: "refuse", refusal: edgeRefusal("unreachable", `route ${route.kind} is not SIP federation`), verdict, steps: [] };
    return { kind: "federate", route, verdict, steps: [] };
  }
  const sourceVerified = /ms-source-verified-user\s*=\s*verified/i.test(req.headers.get("ms-edge-proxy-message-trust") ?? "") || undefined;
  const verdict = decide(
    ctx.config,
    {
      direction: "inbound", from, to, method: req.method, now: ctx.now,
      peer: { certificateNames: ctx.peerNames, ...(ctx.senderSrvTargets ? { srvTargetsForSenderDomain: ctx.senderSrvTargets } : {}) },
      ...(sourceVerified ? { sourceVerified } : {}),
    },
    ctx.throttle,
  );
  if (!verdict.allowed) return { kind: "refuse", refusal: verdictRefusal(verdict), verdict, steps: [] };
  return { kind: "to-pool", verdict, steps: [] };
}
