/**
 * Which features a topology enables, and why (PORT-5: open only the ports the
 * enabled features need). Each can be forced on or off (`edgesim ports
 * --with/--without`), e.g. --without autodiscoverHttp when the reverse proxy's
 * certificate carries every lyncdiscover name (MOB-4 then needs no port 80).
 */
import type { Topology } from "../topology/schema.ts";
import type { Feature } from "./port-rows.ts";
import { avPartners } from "./av-partners.ts";

export interface FeatureState {
  feature: Feature;
  enabled: boolean;
  why: string;
}

export const FEATURES: readonly Feature[] = [
  "edge", "remoteUsers", "federation", "xmpp", "webConferencing", "av", "avFederation", "avOcs2007",
  "reverseProxy", "autodiscoverHttp", "officeWebApps", "mobility", "mobilityPush",
];

export function isFeature(name: string): name is Feature {
  return (FEATURES as readonly string[]).includes(name);
}

export function deriveFeatures(t: Topology, overrides: Partial<Record<Feature, boolean>> = {}): FeatureState[] {
  const f = t.federation;
  const pool = t.organisation.edgePool;
  const fed = f.AllowFederatedUsers;
  // PORT-5 follows the policy: only partners a call would reach under the current settings (av-partners.ts).
  const av = avPartners(t);
  const federated = av.filter((p) => p.federated);
  const ocs2007 = federated.filter((p) => p.product === "ocs2007").map((p) => p.domain);
  const left = av.filter((p) => !p.federated).map((p) => `${p.domain}: ${p.why}`);
  const notFederated = left.length ? `; not federated, no rows: ${left.join("; ")}` : "";
  const derived: Record<Feature, [boolean, string]> = {
    edge: [true, "the Edge pool: CRL and DNS lookups, Central Management Store replication, centralized logging, internal SIP"],
    remoteUsers: [f.AllowOutsideUsers, `AllowOutsideUsers is ${f.AllowOutsideUsers} (remote user sign-in, DNS-2)`],
    federation: [fed, `AllowFederatedUsers is ${fed} (FED-1; federation and public IM share 5061)`],
    xmpp: [f.EnableXmppFederation && pool.xmppFqdn !== undefined, `EnableXmppFederation is ${f.EnableXmppFederation}, xmppFqdn ${pool.xmppFqdn ?? "not set"} (XMPP-1)`],
    webConferencing: [true, `the Web Conferencing Edge ${pool.webconfFqdn}`],
    av: [true, `the A/V Edge ${pool.avFqdn}`],
    avFederation: [federated.length > 0, `${federated.length ? `A/V federation with ${federated.map((p) => `${p.domain} (${p.product})`).join(", ")}` : "no federated Lync/OCS partner"}${notFederated}`],
    avOcs2007: [ocs2007.length > 0, ocs2007.length ? `OCS 2007 partners ${ocs2007.join(", ")} need RTP in and out (PORT-1)` : "no federated OCS 2007 partner: Lync 2010/2013 media uses STUN UDP 3478 (PORT-1)"],
    reverseProxy: [true, `the external web services ${t.organisation.externalWebFqdn} (RP-1)`],
    autodiscoverHttp: [true, "mobile autodiscover over HTTP 80 -> pool 8080 (seed 004's optional rows; MOB-4)"],
    officeWebApps: [true, "Office Web Apps for conferencing behind the reverse proxy (seed 004)"],
    mobility: [true, "mobile clients inside reach the Mobility Service through the reverse proxy (MOB-2, MOB-3)"],
    mobilityPush: [false, "push over Wi-Fi is for Lync 2010 Mobile on Apple devices only (seed 000); enable with --with mobilityPush"],
  };
  return FEATURES.map((feature) => {
    const [enabled, why] = derived[feature];
    const forced = overrides[feature];
    return forced === undefined ? { feature, enabled, why } : { feature, enabled: forced, why: `${forced ? "enabled" : "disabled"} by request (${why})` };
  });
}
