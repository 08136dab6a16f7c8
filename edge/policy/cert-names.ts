/**
 * CERT-2: federation is mutual TLS and the name checked is the FQDN the edge
 * found by SRV (FED-2/FED-3) or was configured with (ProxyFqdn, FED-4/FED-5;
 * DefaultRouteFqdn, FED-8). Names match exactly, ignoring case and a trailing
 * dot; wildcard SANs are not accepted for SIP federation in edgesim.
 * PIC-2: which routes need the clientAuth EKU on our own certificate.
 */
import { sameFqdn } from "./domains.ts";
import type { Route } from "./verdict.ts";

/** CERT-2: does the peer certificate (SAN DNS names + subject CN) name this FQDN? */
export function certificateNamesInclude(certificateNames: readonly string[], fqdn: string): boolean {
  return certificateNames.some((name) => !name.includes("*") && sameFqdn(name, fqdn));
}

/**
 * CERT-2, outbound: the name the partner's certificate must carry for this route.
 * For an SRV route pass the SRV target the connection is being made to.
 */
export function expectedPeerName(route: Route, srvTarget?: string): string | undefined {
  switch (route.kind) {
    case "srv":
      return srvTarget;
    case "xmpp":
      return route.fqdn ?? srvTarget;
    case "proxyFqdn":
    case "provider":
    case "defaultRoute":
      return route.fqdn;
    case "internal":
      return undefined;
  }
}

/**
 * PIC-2: true when our edge, as TLS client on this route, must present a
 * certificate with the client authentication EKU (AOL). The check itself is
 * done on the socket by the caller.
 */
export function requiresClientAuthEku(route: Route): boolean {
  return route.kind === "provider" && route.requiresClientAuthEku;
}
