/**
 * FED-11 discovered-partner throttling as a pure state machine. Numbers from
 * Set-CsAccessEdgeConfiguration and the OCS 2007 federation planning page
 * (technet bb663635): a discovered partner that touches more than
 * MaxContactsPerDiscoveredPartner URIs (valid or invalid) goes on the watch list
 * and further requests are blocked; a suspicious ratio of failed to successful
 * responses cuts it to 1 message per second; otherwise it is held to
 * DiscoveredPartnerStandardRate messages per second. Allowed partners are never
 * throttled. Event IDs as the Edge logs them: 14603 when a partner is limited,
 * 14601 the periodic report of discovered partners.
 */
import type { FederationConfig } from "./config.ts";
import { canonicalSipUri, findAllowedDomain, normalizeFqdn } from "./domains.ts";

/** edgesim's reading of "suspicious": at least this many failures... */
export const SUSPICIOUS_MIN_FAILURES = 10;
/** ...making up at least this share of the partner's outcomes. */
export const SUSPICIOUS_FAILURE_RATIO = 0.75;
/** The rate a suspicious partner is cut to (messages per second). */
export const SUSPICIOUS_RATE = 1;
const WINDOW_MS = 1000;

export interface PartnerThrottle {
  windowStartMs: number;
  countInWindow: number;
  /** When a 14603 rate event was last raised, so one window raises at most one. */
  rateEventWindowMs?: number;
  /** Distinct internal URIs the partner has addressed (canonical sip:user@domain). */
  contacted: string[];
  succeeded: number;
  failed: number;
  watchListed: boolean;
  slowed: boolean;
}

export interface ThrottleState {
  partners: Record<string, PartnerThrottle>;
  lastReportAtMs?: number;
}

export interface ThrottleEvent {
  id: 14601 | 14603;
  rule: "FED-11";
  partner?: string;
  text: string;
}

export type ThrottleRefusal = "watchListed" | "rateLimited";

export interface ThrottleResult {
  state: ThrottleState;
  allowed: boolean;
  events: ThrottleEvent[];
  refusal?: ThrottleRefusal;
  /** One line for the decision path. */
  text: string;
}

export function emptyThrottleState(): ThrottleState {
  return { partners: {} };
}

function freshPartner(now: number): PartnerThrottle {
  return { windowStartMs: now, countInWindow: 0, contacted: [], succeeded: 0, failed: 0, watchListed: false, slowed: false };
}

function isSuspicious(p: PartnerThrottle): boolean {
  const total = p.failed + p.succeeded;
  return p.failed >= SUSPICIOUS_MIN_FAILURES && total > 0 && p.failed / total >= SUSPICIOUS_FAILURE_RATIO;
}

function reportEvent(partners: Record<string, PartnerThrottle>): ThrottleEvent {
  const names = Object.keys(partners).sort();
  const listed = names.map((name) => {
    const p = partners[name];
    const status = !p ? "" : p.watchListed ? " (watch list)" : p.slowed ? " (1 msg/s)" : "";
    return `${name}${status}`;
  });
  return { id: 14601, rule: "FED-11", text: `discovered partners report: ${names.length} partner(s)${listed.length ? ": " + listed.join(", ") : ""}` };
}

/**
 * One inbound request from `partner` (a sender domain) to `targetUri` at `now`.
 * Returns the next state; the input state is not modified.
 */
export function applyThrottle(state: ThrottleState, config: FederationConfig, partner: string, targetUri: string, now: number): ThrottleResult {
  const domain = normalizeFqdn(partner);
  if (findAllowedDomain(config, domain)) {
    return { state, allowed: true, events: [], text: `${domain} is an allowed partner: not throttled` };
  }
  const edge = config.accessEdge;
  const events: ThrottleEvent[] = [];
  const partners = { ...state.partners };
  const p: PartnerThrottle = { ...(partners[domain] ?? freshPartner(now)) };
  partners[domain] = p;
  let lastReportAtMs = state.lastReportAtMs ?? now;
  if (now - lastReportAtMs >= edge.DiscoveredPartnerReportPeriodMinutes * 60_000) {
    events.push(reportEvent(partners));
    lastReportAtMs = now;
  }
  const next = (): ThrottleState => ({ partners, lastReportAtMs });

  if (p.watchListed) {
    return { state: next(), allowed: false, events, refusal: "watchListed", text: `${domain} is on the watch list: blocked` };
  }
  const target = canonicalSipUri(targetUri);
  if (!p.contacted.includes(target)) {
    if (edge.EnableDiscoveredPartnerContactsLimit && p.contacted.length >= edge.MaxContactsPerDiscoveredPartner) {
      p.watchListed = true;
      const text = `${domain} addressed more than MaxContactsPerDiscoveredPartner (${edge.MaxContactsPerDiscoveredPartner}) distinct URIs: placed on the watch list and blocked`;
      events.push({ id: 14603, rule: "FED-11", partner: domain, text });
      return { state: next(), allowed: false, events, refusal: "watchListed", text };
    }
    p.contacted = [...p.contacted, target];
  }
  if (!p.slowed && isSuspicious(p)) {
    p.slowed = true;
    events.push({ id: 14603, rule: "FED-11", partner: domain, text: `${domain} has a suspicious failure ratio (${p.failed} failed, ${p.succeeded} succeeded): cut to ${SUSPICIOUS_RATE} message per second` });
  }
  const limit = p.slowed ? SUSPICIOUS_RATE : edge.DiscoveredPartnerStandardRate;
  if (now < p.windowStartMs || now - p.windowStartMs >= WINDOW_MS) {
    p.windowStartMs = now;
    p.countInWindow = 0;
  }
  if (p.countInWindow >= limit) {
    const text = `${domain} exceeded ${limit} message(s) per second${p.slowed ? " (suspicious partner)" : " (DiscoveredPartnerStandardRate)"}`;
    if (p.rateEventWindowMs !== p.windowStartMs) {
      p.rateEventWindowMs = p.windowStartMs;
      events.push({ id: 14603, rule: "FED-11", partner: domain, text });
    }
    return { state: next(), allowed: false, events, refusal: "rateLimited", text };
  }
  p.countInWindow += 1;
  return {
    state: next(),
    allowed: true,
    events,
    text: `${domain} is a discovered partner: message ${p.countInWindow} of ${limit} this second, ${p.contacted.length} of ${edge.MaxContactsPerDiscoveredPartner} contacts`,
  };
}

/** Record the final response to a discovered partner's request (ok = 2xx), for the failure ratio. */
export function recordOutcome(state: ThrottleState, partner: string, ok: boolean): ThrottleState {
  const domain = normalizeFqdn(partner);
  const current = state.partners[domain];
  if (!current) return state;
  const updated: PartnerThrottle = ok ? { ...current, succeeded: current.succeeded + 1 } : { ...current, failed: current.failed + 1 };
  return { ...state, partners: { ...state.partners, [domain]: updated } };
}
