/**
 * The federation part of a topology, with the product's own parameter names
 * (Set-CsAccessEdgeConfiguration, New-CsAllowedDomain, New-CsBlockedDomain,
 * New-CsHostingProvider, New-CsPublicProvider, New-CsXmppAllowedPartner) and the
 * product's defaults (docs/rules.md FED-1..FED-8, XMPP-2).
 */
import { z } from "zod";

const fqdn = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*$/i, "must be a fully qualified domain name such as sip.fabrikam.test");

export const AllowedDomainSchema = z.strictObject({
  Identity: fqdn.describe("the partner's SIP domain"),
  ProxyFqdn: fqdn.optional().describe("direct federation (FED-4): the partner's Access Edge FQDN; no SRV lookup"),
  MarkForMonitoring: z.boolean().default(false),
  Comment: z.string().optional(),
});

export const BlockedDomainSchema = z.strictObject({
  Identity: fqdn.describe("a SIP domain refused in and out (FED-6)"),
  Comment: z.string().optional(),
});

const VerificationLevel = z.enum(["AlwaysVerifiable", "AlwaysUnverifiable", "UseSourceVerification"]);

export const ProviderSchema = z.strictObject({
  Identity: z.string().min(1).describe("the provider's name, unique across hosting and public providers (FED-5)"),
  ProxyFqdn: fqdn.describe("the provider's Access Edge FQDN; traffic arriving from it is accepted for the provider"),
  VerificationLevel: VerificationLevel.default("AlwaysVerifiable"),
  Enabled: z.boolean().default(true),
  EnabledSharedAddressSpace: z.boolean().default(false),
  HostsOCSUsers: z.boolean().default(false),
  /**
   * edgesim. A public IM provider: the domains of its service, so outbound traffic to
   * them is routed to its ProxyFqdn (PIC-1). A hosting provider: a note on the partner
   * side only, never policy: Get-CsHostingProvider has no list of domains, and a hosted
   * domain is federated by the allowed domains list or discovery (FED-5).
   */
  domains: z.array(fqdn).default([]),
});

const Negotiation = z.enum(["Required", "Optional", "NotSupported"]);

export const XmppAllowedPartnerSchema = z.strictObject({
  Identity: fqdn.describe("the XMPP partner's domain (XMPP-2)"),
  PartnerType: z.enum(["Federated", "PublicVerified", "PublicUnverified"]).default("PublicUnverified"),
  TlsNegotiation: Negotiation.default("Required"),
  SaslNegotiation: Negotiation.default("Required"),
  SupportDialbackNegotiation: z.boolean().default(true),
  ProxyFqdn: fqdn.optional(),
});

export const FederationSchema = z.strictObject({
  AllowFederatedUsers: z.boolean().default(false).describe("FED-1: federation is off unless true"),
  EnablePartnerDiscovery: z.boolean().default(false).describe("FED-2: accept any unblocked domain found by DNS SRV"),
  RoutingMethod: z.enum(["UseDnsSrvRouting", "UseDefaultRouting"]).default("UseDnsSrvRouting").describe("FED-8"),
  DefaultRouteFqdn: fqdn.optional().describe("FED-8: the hosting edge all federated traffic goes to with UseDefaultRouting"),
  MarkSourceVerifiableOnOutgoingMessages: z.boolean().default(true).describe("FED-7"),
  DiscoveredPartnerStandardRate: z.number().int().min(1).default(20).describe("FED-11: messages per second"),
  MaxContactsPerDiscoveredPartner: z.number().int().min(1).default(1000).describe("FED-11"),
  AllowOutsideUsers: z.boolean().default(true).describe("remote users may sign in through the Access Edge"),
  EnableXmppFederation: z.boolean().default(false).describe("XMPP-1: the XMPP proxy federates"),
  allowedDomains: z.array(AllowedDomainSchema).default([]),
  blockedDomains: z.array(BlockedDomainSchema).default([]),
  hostingProviders: z.array(ProviderSchema).default([]),
  publicProviders: z.array(ProviderSchema).default([]),
  xmppAllowedPartners: z.array(XmppAllowedPartnerSchema).default([]),
});

export type Federation = z.infer<typeof FederationSchema>;
export { fqdn as FqdnSchema };
