/**
 * What the XMPP proxy offers and accepts on a server-to-server stream, from one
 * XMPP allowed-partner entry (XMPP-2: TlsNegotiation, SaslNegotiation,
 * SupportDialbackNegotiation) and the state of the stream (XMPP-3: RFC 6120 5-6,
 * XEP-0178, XEP-0220). Pure functions, so the negotiation matrix can be explained
 * without sockets (docs/xmpp-federation.md).
 *
 * - TLS Required: nothing but STARTTLS before TLS; a peer without it is refused.
 *   Optional: used when both can. NotSupported: never offered; a STARTTLS request
 *   gets <failure/>; a peer that requires TLS is refused.
 * - SASL (EXTERNAL only, XEP-0178) needs TLS and a trusted certificate naming the
 *   domain. Required: the only way in; Optional: preferred over dialback;
 *   NotSupported: never offered or used.
 * - Dialback (XEP-0220): the fallback when allowed.
 */
import type { StreamErrorCondition } from "../../wire/xmpp/stream-error.ts";
import type { StanzaErrorCondition } from "../../wire/xmpp/stanza-error.ts";

export type Negotiation = "Required" | "Optional" | "NotSupported";

export interface S2sSettings {
  tls: Negotiation;
  sasl: Negotiation;
  dialback: boolean;
}

export interface Refusal {
  condition: StreamErrorCondition;
  /** The stanza error for what we bounce to our senders, when not derived from `condition` (RFC 6120 8.3.3.16 remote-server-not-found is a stanza error only). */
  stanzaCondition?: StanzaErrorCondition;
  rule: string;
  reason: string;
}

export interface OfferedFeatures {
  starttls: boolean;
  starttlsRequired: boolean;
  external: boolean;
  dialback: boolean;
}

/** Inbound: the features we announce (RFC 6120 4.3.2) in the stream's current state. */
export function inboundFeatures(s: S2sSettings, state: { secure: boolean; certificateAuthenticates: boolean }): OfferedFeatures {
  const starttls = !state.secure && s.tls !== "NotSupported";
  const beforeTlsOnly = !state.secure && s.tls === "Required";
  return {
    starttls,
    starttlsRequired: starttls && s.tls === "Required",
    external: state.secure && s.sasl !== "NotSupported" && state.certificateAuthenticates,
    dialback: !beforeTlsOnly && s.dialback && s.sasl !== "Required",
  };
}

/** Inbound: may the peer authenticate this way now? undefined = yes. */
export function checkInboundAuth(s: S2sSettings, method: "sasl" | "dialback", state: { secure: boolean; certificateAuthenticates: boolean }): Refusal | undefined {
  if (!state.secure && s.tls === "Required") return { condition: "policy-violation", rule: "XMPP-2", reason: "TlsNegotiation is Required: STARTTLS must come first" };
  if (method === "dialback") {
    if (!s.dialback) return { condition: "policy-violation", rule: "XMPP-2", reason: "SupportDialbackNegotiation is false for this partner" };
    if (s.sasl === "Required") return { condition: "policy-violation", rule: "XMPP-2", reason: "SaslNegotiation is Required: dialback is not accepted" };
    return undefined;
  }
  if (s.sasl === "NotSupported") return { condition: "policy-violation", rule: "XMPP-2", reason: "SaslNegotiation is NotSupported for this partner" };
  if (!state.secure) return { condition: "not-authorized", rule: "XMPP-3", reason: "SASL EXTERNAL needs TLS (XEP-0178)" };
  if (!state.certificateAuthenticates) return { condition: "not-authorized", rule: "XMPP-3", reason: "the peer certificate is not trusted or does not name the domain (XEP-0178)" };
  return undefined;
}

export type OutboundStep = { kind: "starttls" } | { kind: "sasl-external" } | { kind: "dialback" } | { kind: "fail"; refusal: Refusal };

/** Outbound: the next step after the peer's features (RFC 6120 4.3.2), or why we give up. */
export function nextOutboundStep(s: S2sSettings, offered: OfferedFeatures, state: { secure: boolean; saslFailed: boolean }): OutboundStep {
  if (!state.secure) {
    if (offered.starttls && s.tls !== "NotSupported") return { kind: "starttls" };
    if (s.tls === "Required") return { kind: "fail", refusal: { condition: "policy-violation", rule: "XMPP-2", reason: "TlsNegotiation is Required but the peer offers no STARTTLS" } };
    if (offered.starttlsRequired) return { kind: "fail", refusal: { condition: "policy-violation", rule: "XMPP-2", reason: "the peer requires TLS but TlsNegotiation is NotSupported" } };
  }
  if (state.secure && s.sasl !== "NotSupported" && offered.external && !state.saslFailed) return { kind: "sasl-external" };
  if (s.sasl === "Required") {
    const why = state.saslFailed ? "the peer refused our SASL EXTERNAL" : state.secure ? "the peer offers no SASL EXTERNAL" : "SASL EXTERNAL needs TLS";
    return { kind: "fail", refusal: { condition: state.saslFailed ? "not-authorized" : "policy-violation", rule: "XMPP-2", reason: `SaslNegotiation is Required but ${why}` } };
  }
  if (s.dialback && offered.dialback) return { kind: "dialback" };
  const reason = !s.dialback ? "SupportDialbackNegotiation is false and SASL EXTERNAL is not possible" : "the peer offers neither SASL EXTERNAL nor dialback";
  return { kind: "fail", refusal: { condition: "policy-violation", rule: "XMPP-2", reason } };
}
