/**
 * Shared test world for the policy engine: contoso.com is ours; fabrikam.com is
 * an allowed domain (FED-3), northwind.com an allowed partner server (FED-4),
 * evil.example blocked (FED-6); Lync Online and Unverif are hosting providers
 * (no list of domains: a hosted domain federates by the allowed domains list or
 * discovery with its SRV naming the provider's proxy), Messenger and AOL are
 * public providers (FED-5, PIC-1/2).
 */
import type { FederationConfig } from "../../edge/policy/config.ts";
import { defaultFederationConfig, newHostingProvider, newPublicProvider } from "../../edge/policy/config.ts";
import type { PeerIdentity, PolicyRequest } from "../../edge/policy/request.ts";

export const ALICE = "sip:alice@contoso.com"; // federation + public IM
export const BOB = "sip:bob@contoso.com"; // Global policy: nothing
export const CAROL = "sip:carol@contoso.com"; // federation, no public IM
export const DAVE = "sip:dave@contoso.com"; // federation, contacts: eve@unverif.example

export function federationConfig(mutate?: (config: FederationConfig) => void): FederationConfig {
  const config = defaultFederationConfig(["contoso.com"]);
  config.accessEdge.AllowFederatedUsers = true;
  config.accessEdge.EnablePartnerDiscovery = true;
  config.allowedDomains = [{ Identity: "fabrikam.com" }, { Identity: "northwind.com", ProxyFqdn: "sip.northwind.com" }];
  config.blockedDomains = [{ Identity: "evil.example" }];
  config.hostingProviders = [
    newHostingProvider({ Identity: "LyncOnline", ProxyFqdn: "sipfed.online.lync.com" }),
    newHostingProvider({ Identity: "Unverif", ProxyFqdn: "edge.unverif.example", VerificationLevel: "AlwaysUnverifiable" }),
  ];
  config.publicProviders = [
    newPublicProvider({ Identity: "WindowsLive", ProxyFqdn: "federation.messenger.msn.com", servedDomains: ["hotmail.com"] }),
    newPublicProvider({ Identity: "AOL", ProxyFqdn: "sip.oscar.aol.com", servedDomains: ["aol.com"] }),
  ];
  config.externalAccessPolicies.push(
    { Identity: "Everything", EnableFederationAccess: true, EnableXmppAccess: true, EnablePublicCloudAccess: true, EnableOutsideAccess: true },
    { Identity: "FederationOnly", EnableFederationAccess: true, EnableXmppAccess: false, EnablePublicCloudAccess: false, EnableOutsideAccess: true },
  );
  config.organisation.users = [
    { uri: ALICE, policy: "Everything" },
    { uri: BOB },
    { uri: CAROL, policy: "FederationOnly" },
    { uri: DAVE, policy: "FederationOnly", contacts: ["sip:eve@unverif.example"] },
  ];
  mutate?.(config);
  return config;
}

export function outbound(to: string, from: string = ALICE, extra: Partial<PolicyRequest> = {}): PolicyRequest {
  return { direction: "outbound", from, to, method: "INVITE", now: 0, ...extra };
}

export function peer(certificateNames: string[], srvTargetsForSenderDomain?: string[]): PeerIdentity {
  return srvTargetsForSenderDomain === undefined ? { certificateNames } : { certificateNames, srvTargetsForSenderDomain };
}

export function inbound(from: string, remote: PeerIdentity, to: string = ALICE, extra: Partial<PolicyRequest> = {}): PolicyRequest {
  return { direction: "inbound", from, to, method: "MESSAGE", peer: remote, now: 0, ...extra };
}

/** A discovered partner's peer whose certificate names its SRV target, as a correct edge would present. */
export function discoveredPeer(domain: string): PeerIdentity {
  return peer([`sip.${domain}`], [`sip.${domain}`]);
}

/** A domain hosted at a hosting provider: the provider's proxy connects, and the domain's SRV names that proxy (FED-5). */
export function hostedPeer(proxyFqdn: string): PeerIdentity {
  return peer([proxyFqdn], [proxyFqdn]);
}
