/**
 * Name handling and config lookups shared by the decision steps. Domain and FQDN
 * comparisons are case-insensitive and ignore a trailing dot (DNS names).
 */
import type {
  AllowedDomain,
  ExternalAccessPolicy,
  FederationConfig,
  HostingProvider,
  OrganisationUser,
  PublicProvider,
} from "./config.ts";
import { GLOBAL_POLICY_IDENTITY } from "./config.ts";

export function normalizeFqdn(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

export interface SipAddress {
  user: string;
  domain: string;
}

/** "sip:alice@Contoso.com", "<sip:alice@contoso.com;transport=tls>", "alice@contoso.com" -> { alice, contoso.com }. */
export function parseSipAddress(uri: string): SipAddress | undefined {
  const match = /^<?(?:sips?:)?([^@;<>\s]+)@([^;>?:\s]+)/i.exec(uri.trim());
  if (!match || match[1] === undefined || match[2] === undefined) return undefined;
  return { user: match[1].toLowerCase(), domain: normalizeFqdn(match[2]) };
}

/** The one spelling used for comparisons and throttle keys: sip:user@domain, lower case. */
export function canonicalSipUri(uri: string): string {
  const address = parseSipAddress(uri);
  return address ? `sip:${address.user}@${address.domain}` : uri.trim().toLowerCase();
}

export function sameFqdn(a: string, b: string): boolean {
  return normalizeFqdn(a) === normalizeFqdn(b);
}

export function isOurDomain(config: FederationConfig, domain: string): boolean {
  return config.organisation.sipDomains.some((own) => sameFqdn(own, domain));
}

export function findAllowedDomain(config: FederationConfig, domain: string): AllowedDomain | undefined {
  return config.allowedDomains.find((entry) => sameFqdn(entry.Identity, domain));
}

export function isBlockedDomain(config: FederationConfig, domain: string): boolean {
  return config.blockedDomains.some((entry) => sameFqdn(entry.Identity, domain));
}

export type ProviderKind = "hosting" | "public";

export type ProviderMatch = { kind: "hosting"; entry: HostingProvider } | { kind: "public"; entry: PublicProvider };

function allProviders(config: FederationConfig): ProviderMatch[] {
  return [
    ...config.hostingProviders.map((entry): ProviderMatch => ({ kind: "hosting", entry })),
    ...config.publicProviders.map((entry): ProviderMatch => ({ kind: "public", entry })),
  ];
}

/**
 * FED-5 / PIC-1 outbound: the public IM provider whose servedDomains lists this
 * domain (enabled or not: the caller reports a disabled one). Hosting providers
 * have no list of domains: a hosted domain is reached by FED-3 or FED-2 (SRV).
 */
export function findPublicProviderServingDomain(config: FederationConfig, domain: string): ProviderMatch | undefined {
  const entry = config.publicProviders.find((p) => (p.servedDomains ?? []).some((d) => sameFqdn(d, domain)));
  return entry ? { kind: "public", entry } : undefined;
}

/** FED-5 inbound: the provider whose ProxyFqdn the peer certificate names. */
export function findProviderByPeerNames(config: FederationConfig, peerNames: string[]): ProviderMatch | undefined {
  return allProviders(config).find((p) => peerNames.some((name) => sameFqdn(name, p.entry.ProxyFqdn)));
}

/** FED-5 split domain: an enabled hosting provider sharing our SIP address space. */
export function findSharedAddressSpaceProvider(config: FederationConfig): HostingProvider | undefined {
  return config.hostingProviders.find((p) => p.Enabled && p.EnabledSharedAddressSpace);
}

export function findUser(config: FederationConfig, uri: string): OrganisationUser | undefined {
  const wanted = canonicalSipUri(uri);
  return config.organisation.users.find((user) => canonicalSipUri(user.uri) === wanted);
}

/** FED-9: the user's policy, the Global policy when none is assigned, undefined when the named one is missing. */
export function policyOf(config: FederationConfig, user: OrganisationUser): ExternalAccessPolicy | undefined {
  const identity = user.policy ?? GLOBAL_POLICY_IDENTITY;
  return config.externalAccessPolicies.find((p) => p.Identity.toLowerCase() === identity.toLowerCase());
}

/** PIC-2: AOL is the provider the seed names; an explicit setting wins. */
export function publicProviderNeedsClientAuth(provider: PublicProvider): boolean {
  return provider.requiresClientAuthEku ?? provider.Identity.trim().toLowerCase() === "aol";
}
