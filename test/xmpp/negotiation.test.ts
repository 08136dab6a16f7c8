/**
 * The XMPP proxy's negotiation rules as pure functions (XMPP-2, XMPP-3): what is
 * offered inbound, which inbound authentication is accepted, and the next outbound
 * step, for the allowed-partner settings (docs/xmpp-federation.md, Negotiation).
 */
import { describe, expect, it } from "vitest";
import { checkInboundAuth, inboundFeatures, nextOutboundStep, type OfferedFeatures, type S2sSettings } from "../../edge/roles/xmpp-proxy/negotiation.ts";

const s = (tls: S2sSettings["tls"], sasl: S2sSettings["sasl"], dialback = true): S2sSettings => ({ tls, sasl, dialback });
const offer = (o: Partial<OfferedFeatures>): OfferedFeatures => ({ starttls: false, starttlsRequired: false, external: false, dialback: false, ...o });

describe("inbound features (XMPP-2)", () => {
  const cases = [
    { name: "TLS Required before TLS: only a required STARTTLS", settings: s("Required", "Optional"), secure: false, cert: false, want: { starttls: true, starttlsRequired: true, external: false, dialback: false } },
    { name: "TLS Optional before TLS: STARTTLS and dialback", settings: s("Optional", "Optional"), secure: false, cert: false, want: { starttls: true, starttlsRequired: false, external: false, dialback: true } },
    { name: "TLS NotSupported: no STARTTLS, dialback", settings: s("NotSupported", "NotSupported"), secure: false, cert: false, want: { starttls: false, starttlsRequired: false, external: false, dialback: true } },
    { name: "after TLS with a certificate naming the domain: EXTERNAL and dialback", settings: s("Required", "Optional"), secure: true, cert: true, want: { starttls: false, starttlsRequired: false, external: true, dialback: true } },
    { name: "after TLS, SASL Required: EXTERNAL only", settings: s("Required", "Required"), secure: true, cert: true, want: { starttls: false, starttlsRequired: false, external: true, dialback: false } },
    { name: "after TLS without a usable certificate: no EXTERNAL", settings: s("Optional", "Optional"), secure: true, cert: false, want: { starttls: false, starttlsRequired: false, external: false, dialback: true } },
    { name: "dialback off: no dialback feature", settings: s("Optional", "Optional", false), secure: true, cert: true, want: { starttls: false, starttlsRequired: false, external: true, dialback: false } },
  ];
  for (const c of cases) it(`XMPP-2: ${c.name}`, () => expect(inboundFeatures(c.settings, { secure: c.secure, certificateAuthenticates: c.cert })).toEqual(c.want));
});

describe("inbound authentication (XMPP-2, XMPP-3)", () => {
  const cases = [
    { name: "dialback before STARTTLS when TLS is Required", settings: s("Required", "Optional"), method: "dialback" as const, secure: false, cert: false, want: "policy-violation" },
    { name: "dialback when SASL is Required", settings: s("Optional", "Required"), method: "dialback" as const, secure: true, cert: true, want: "policy-violation" },
    { name: "dialback when dialback is off", settings: s("Optional", "Optional", false), method: "dialback" as const, secure: false, cert: false, want: "policy-violation" },
    { name: "dialback when allowed", settings: s("Optional", "Optional"), method: "dialback" as const, secure: false, cert: false, want: undefined },
    { name: "SASL when SASL is NotSupported", settings: s("Optional", "NotSupported"), method: "sasl" as const, secure: true, cert: true, want: "policy-violation" },
    { name: "SASL EXTERNAL without TLS", settings: s("Optional", "Optional"), method: "sasl" as const, secure: false, cert: false, want: "not-authorized" },
    { name: "SASL EXTERNAL with a certificate that does not authenticate the domain", settings: s("Optional", "Optional"), method: "sasl" as const, secure: true, cert: false, want: "not-authorized" },
    { name: "SASL EXTERNAL over TLS with a good certificate", settings: s("Required", "Required"), method: "sasl" as const, secure: true, cert: true, want: undefined },
  ];
  for (const c of cases) it(`XMPP-3: ${c.name}`, () => expect(checkInboundAuth(c.settings, c.method, { secure: c.secure, certificateAuthenticates: c.cert })?.condition).toBe(c.want));
});

describe("outbound steps (XMPP-2, XMPP-3)", () => {
  const cases = [
    { name: "STARTTLS first when offered and allowed", settings: s("Optional", "Optional"), offered: offer({ starttls: true, dialback: true }), secure: false, saslFailed: false, want: "starttls" },
    { name: "TLS Required and no STARTTLS offered: refused", settings: s("Required", "Optional"), offered: offer({ dialback: true }), secure: false, saslFailed: false, want: "fail:policy-violation" },
    { name: "TLS NotSupported and the peer requires TLS: refused", settings: s("NotSupported", "NotSupported"), offered: offer({ starttls: true, starttlsRequired: true, dialback: true }), secure: false, saslFailed: false, want: "fail:policy-violation" },
    { name: "TLS NotSupported and STARTTLS optional at the peer: dialback in the clear", settings: s("NotSupported", "Optional"), offered: offer({ starttls: true, dialback: true }), secure: false, saslFailed: false, want: "dialback" },
    { name: "after TLS, EXTERNAL offered: SASL", settings: s("Optional", "Optional"), offered: offer({ external: true, dialback: true }), secure: true, saslFailed: false, want: "sasl-external" },
    { name: "after TLS, EXTERNAL refused, SASL Optional: dialback", settings: s("Optional", "Optional"), offered: offer({ external: true, dialback: true }), secure: true, saslFailed: true, want: "dialback" },
    { name: "after TLS, EXTERNAL refused, SASL Required: not-authorized", settings: s("Optional", "Required"), offered: offer({ external: true, dialback: true }), secure: true, saslFailed: true, want: "fail:not-authorized" },
    { name: "SASL Required and no EXTERNAL offered: refused", settings: s("Optional", "Required"), offered: offer({ dialback: true }), secure: true, saslFailed: false, want: "fail:policy-violation" },
    { name: "dialback off and no EXTERNAL: refused", settings: s("Optional", "Optional", false), offered: offer({ dialback: true }), secure: true, saslFailed: false, want: "fail:policy-violation" },
    { name: "the peer offers neither EXTERNAL nor dialback: refused", settings: s("Optional", "Optional"), offered: offer({}), secure: true, saslFailed: false, want: "fail:policy-violation" },
  ];
  for (const c of cases)
    it(`XMPP-3: ${c.name}`, () => {
      const step = nextOutboundStep(c.settings, c.offered, { secure: c.secure, saslFailed: c.saslFailed });
      expect(step.kind === "fail" ? `fail:${step.refusal.condition}` : step.kind).toBe(c.want);
    });
});
