/**
 * Federation configuration, with the product's own parameter names
 * (Set-CsAccessEdgeConfiguration, New-CsAllowedDomain, New-CsBlockedDomain,
 * New-CsHostingProvider, New-CsPublicProvider, New-CsExternalAccessPolicy,
 * New-CsXmppAllowedPartner). PascalCase fields are real cmdlet parameters;
 * camelCase fields are edgesim's own additions (the simulator needs facts the
 * product keeps elsewhere, e.g. which domains a public IM provider serves).
 */

export type RoutingMethod = "UseDnsSrvRouting" | "UseDefaultRouting";
export type VerificationLevel = "AlwaysVerifiable" | "AlwaysUnverifiable" | "UseSourceVerification";

/** Set-CsAccessEdgeConfiguration (global). */
export interface AccessEdgeConfiguration {
  /** FED-1: federation in and out (default false). */
  AllowFederatedUsers: boolean;
  /** Remote users may sign in across the internet (default true). */
  AllowOutsideUsers: boolean;
  /** Anonymous users may join meetings (default false). */
  AllowAnonymousUsers: boolean;
  /** FED-2: accept any non-blocked domain found by SRV (default false; DnsSrvRouting only). */
  EnablePartnerDiscovery: boolean;
  /** FED-8: Get-CsAccessEdgeConfiguration reports the routing method under this name. */
  RoutingMethod: RoutingMethod;
  /** FED-8: required with UseDefaultRouting. */
  DefaultRouteFqdn?: string;
  /** FED-7: verification of traffic on the default route (DefaultRoute parameter set only). */
  VerificationLevel: VerificationLevel;
  /** The default route needs a public IM licence (DefaultRoute parameter set only). */
  IsPublicProvider: boolean;
  /** FED-7: mark what this edge sends as verifiable (default true). */
  MarkSourceVerifiableOnOutgoingMessages: boolean;
  /** FED-7: verification level for discovered partners (DnsSrvRouting only; docs state no default, edgesim uses UseSourceVerification). */
  DiscoveredPartnerVerificationLevel: VerificationLevel;
  /** FED-11: messages per second from one discovered partner (default 20). */
  DiscoveredPartnerStandardRate: number;
  /** FED-11: period of the discovered-partner report, event 14601 (default 60). */
  DiscoveredPartnerReportPeriodMinutes: number;
  /** FED-11: user enumeration protection for discovered partners (default true). */
  EnableDiscoveredPartnerContactsLimit: boolean;
  /** FED-11: distinct internal URIs one discovered partner may touch (default 1000). */
  MaxContactsPerDiscoveredPartner: number;
}

/** New-CsAllowedDomain: FED-3 without ProxyFqdn, FED-4 with it. */
export interface AllowedDomain {
  Identity: string;
  ProxyFqdn?: string;
  MarkForMonitoring?: boolean;
  Comment?: string;
}

/** New-CsBlockedDomain: FED-6. */
export interface BlockedDomain {
  Identity: string;
  Comment?: string;
}

/** New-CsHostingProvider: FED-5. */
export interface HostingProvider {
  Identity: string;
  ProxyFqdn: string;
  VerificationLevel: VerificationLevel;
  Enabled: boolean;
  /** Split domain: the provider hosts users of our own SIP domains. */
  EnabledSharedAddressSpace: boolean;
  HostsOCSUsers: boolean;
  IsLocal: boolean;
  // No list of domains: Get-CsHostingProvider has none. Since Lync Server 2010 a
  // hosted domain is federated by the allowed domains list or by discovery (FED-5).
}

/** New-CsPublicProvider: FED-5 / PIC-1. */
export interface PublicProvider {
  Identity: string;
  ProxyFqdn: string;
  VerificationLevel: VerificationLevel;
  Enabled: boolean;
  /** edgesim: domains of the public IM service (e.g. hotmail.com for Messenger). */
  servedDomains?: string[];
  /** edgesim, PIC-2: the provider needs the clientAuth EKU on our edge certificate (default: true for Identity "AOL"). */
  requiresClientAuthEku?: boolean;
}

/** New-CsExternalAccessPolicy: FED-9. */
export interface ExternalAccessPolicy {
  Identity: string;
  EnableFederationAccess: boolean;
  EnableXmppAccess: boolean;
  EnablePublicCloudAccess: boolean;
  EnableOutsideAccess: boolean;
}

export type XmppPartnerType = "Federated" | "PublicVerified" | "PublicUnverified";
export type XmppNegotiation = "Required" | "Optional" | "NotSupported";

/** New-CsXmppAllowedPartner: XMPP-2. */
export interface XmppAllowedPartner {
  Identity: string;
  PartnerType: XmppPartnerType;
  TlsNegotiation: XmppNegotiation;
  SaslNegotiation: XmppNegotiation;
  SupportDialbackNegotiation: boolean;
  ProxyFqdn?: string;
}

/** One of our users (edgesim: the product keeps this in AD and the user store). */
export interface OrganisationUser {
  /** sip:alice@contoso.com */
  uri: string;
  /** ExternalAccessPolicy Identity; absent means the "Global" policy. */
  policy?: string;
  /** FED-7: the user's contacts (allow ACEs), for AlwaysUnverifiable traffic. */
  contacts?: string[];
  /** XMPP-5: homed on a survivable branch appliance. */
  homedOnSba?: boolean;
}

export interface Organisation {
  sipDomains: string[];
  users: OrganisationUser[];
}

export interface FederationConfig {
  accessEdge: AccessEdgeConfiguration;
  allowedDomains: AllowedDomain[];
  blockedDomains: BlockedDomain[];
  hostingProviders: HostingProvider[];
  publicProviders: PublicProvider[];
  externalAccessPolicies: ExternalAccessPolicy[];
  xmppAllowedPartners: XmppAllowedPartner[];
  organisation: Organisation;
}

export const GLOBAL_POLICY_IDENTITY = "Global";

export function defaultAccessEdgeConfiguration(): AccessEdgeConfiguration {
  return {
    AllowFederatedUsers: false,
    AllowOutsideUsers: true,
    AllowAnonymousUsers: false,
    EnablePartnerDiscovery: false,
    RoutingMethod: "UseDnsSrvRouting",
    VerificationLevel: "UseSourceVerification",
    IsPublicProvider: false,
    MarkSourceVerifiableOnOutgoingMessages: true,
    DiscoveredPartnerVerificationLevel: "UseSourceVerification",
    DiscoveredPartnerStandardRate: 20,
    DiscoveredPartnerReportPeriodMinutes: 60,
    EnableDiscoveredPartnerContactsLimit: true,
    MaxContactsPerDiscoveredPartner: 1000,
  };
}

/** The Global external access policy as shipped: everything off. */
export function defaultExternalAccessPolicy(identity: string = GLOBAL_POLICY_IDENTITY): ExternalAccessPolicy {
  return { Identity: identity, EnableFederationAccess: false, EnableXmppAccess: false, EnablePublicCloudAccess: false, EnableOutsideAccess: false };
}

export function newHostingProvider(fields: Pick<HostingProvider, "Identity" | "ProxyFqdn"> & Partial<HostingProvider>): HostingProvider {
  return { VerificationLevel: "AlwaysVerifiable", Enabled: true, EnabledSharedAddressSpace: false, HostsOCSUsers: false, IsLocal: false, ...fields };
}

export function newPublicProvider(fields: Pick<PublicProvider, "Identity" | "ProxyFqdn"> & Partial<PublicProvider>): PublicProvider {
  return { VerificationLevel: "AlwaysVerifiable", Enabled: true, ...fields };
}

export function newXmppAllowedPartner(fields: Pick<XmppAllowedPartner, "Identity"> & Partial<XmppAllowedPartner>): XmppAllowedPartner {
  return { PartnerType: "PublicUnverified", TlsNegotiation: "Required", SaslNegotiation: "Required", SupportDialbackNegotiation: true, ...fields };
}

/** A configuration with federation off and empty lists, for our SIP domains. */
export function defaultFederationConfig(sipDomains: string[] = []): FederationConfig {
  return {
    accessEdge: defaultAccessEdgeConfiguration(),
    allowedDomains: [],
    blockedDomains: [],
    hostingProviders: [],
    publicProviders: [],
    externalAccessPolicies: [defaultExternalAccessPolicy()],
    xmppAllowedPartners: [],
    organisation: { sipDomains, users: [] },
  };
}

export type { ConfigProblem } from "./validate-config.ts";
export { validateFederationConfig } from "./validate-config.ts";
