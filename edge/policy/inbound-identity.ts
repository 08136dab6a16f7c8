/**
 * FED-10: which federation class an inbound peer belongs to, and whether it
 * really serves the domain in the From header: the certificate (CERT-2) must
 * name the ProxyFqdn (FED-4), a provider's ProxyFqdn (FED-5: a public IM
 * provider for any domain, a hosting provider for an allowed domain or one whose
 * SRV names it), the DefaultRouteFqdn (FED-8), or a target of the sender domain's
 * SRV record (FED-3, FED-2).
 */
import type { AllowedDomain, FederationConfig, HostingProvider } from "./config.ts";
import { certificateNamesInclude } from "./cert-names.ts";
import type { ProviderMatch } from "./domains.ts";
import { findAllowedDomain, findProviderByPeerNames, isOurDomain, sameFqdn } from "./domains.ts";
import type { PeerIdentity } from "./request.ts";
import { federationSrvName } from "./srv.ts";
import type { DecisionPath, Verdict } from "./verdict.ts";

export type PeerClass =
  | { rule: "FED-4"; domain: string; allowedDomain: AllowedDomain }
  | { rule: "FED-3"; domain: string; allowedDomain: AllowedDomain }
  | { rule: "FED-5"; domain: string; provider: ProviderMatch }
  | { rule: "FED-2"; domain: string }
  | { rule: "FED-8"; domain: string; fqdn: string };

function describeNames(names: readonly string[]): string {
  return names.length > 0 ? `[${names.join(", ")}]` : "no certificate names";
}

/** FED-2/FED-3: the peer must be one of the SRV targets of the sender's domain. */
function checkSrvTarget(domain: string, peer: PeerIdentity | undefined, path: DecisionPath): Verdict | undefined {
  const names = peer?.certificateNames ?? [];
  const targets = peer?.srvTargetsForSenderDomain;
  if (targets === undefined) return path.refuse("senderSrvUnresolved", federationSrvName(domain));
  const served = targets.find((target) => certificateNamesInclude(names, target));
  if (served === undefined) {
    const published = targets.length > 0 ? targets.join(", ") : "no targets";
    return path.refuse("peerNotAuthoritative", `${federationSrvName(domain)} -> ${published}; peer presented ${describeNames(names)}`);
  }
  path.step("CERT-2", `peer certificate names ${served}, the SRV target of ${federationSrvName(domain)}`);
  return undefined;
}

/** FED-5, discovery: the sender domain's SRV record must name the hosting provider's proxy. */
function checkSrvNamesProvider(domain: string, provider: HostingProvider, peer: PeerIdentity | undefined, path: DecisionPath): Verdict | undefined {
  const targets = peer?.srvTargetsForSenderDomain;
  if (targets === undefined) return path.refuse("senderSrvUnresolved", federationSrvName(domain));
  if (!targets.some((target) => sameFqdn(target, provider.ProxyFqdn))) {
    const published = targets.length > 0 ? targets.join(", ") : "no targets";
    return path.refuse("peerNotAuthoritative", `${federationSrvName(domain)} -> ${published}, not hosting provider ${provider.Identity}'s proxy ${provider.ProxyFqdn}`);
  }
  path.step("FED-10", `${federationSrvName(domain)} names ${provider.ProxyFqdn}: ${domain} is hosted at ${provider.Identity}`);
  return undefined;
}

interface ProviderTraffic {
  domain: string;
  allowed: AllowedDomain | undefined;
  provider: ProviderMatch;
  peer: PeerIdentity | undefined;
}

/**
 * FED-5: traffic from an enabled provider's proxy. A public IM provider speaks
 * for any domain. A hosting provider, since Lync Server 2010 (seed 003), only for
 * a domain on the allowed domains list, or, with partner discovery on, one whose
 * SRV record names the provider's proxy; otherwise it is refused like a stranger.
 */
function acceptFromProvider(config: FederationConfig, traffic: ProviderTraffic, path: DecisionPath): PeerClass | Verdict {
  const { domain, allowed, provider, peer } = traffic;
  const accepted: PeerClass = { rule: "FED-5", domain, provider };
  if (provider.kind === "public") {
    path.step("FED-5", `peer certificate names ${provider.entry.ProxyFqdn}, public IM provider ${provider.entry.Identity}: any domain from it is accepted`);
    return accepted;
  }
  const hoster = provider.entry;
  path.step("FED-5", `peer certificate names ${hoster.ProxyFqdn}, hosting provider ${hoster.Identity}: a hosted domain needs the allowed domains list or partner discovery (since Lync Server 2010)`);
  if (allowed) {
    path.step("FED-3", `${domain} is on the allowed domains list: accepted from its hosting provider`);
    return accepted;
  }
  if (config.accessEdge.EnablePartnerDiscovery) {
    path.step("FED-2", `${domain} is not on the allow list; EnablePartnerDiscovery is true: its SRV record must name ${hoster.ProxyFqdn}`);
    return checkSrvNamesProvider(domain, hoster, peer, path) ?? accepted;
  }
  return path.refuse("hostedNotAllowed", `${domain} from hosting provider ${hoster.Identity} (${hoster.ProxyFqdn})`);
}

/** The peer's class, or the refusal verdict when it does not serve `domain`. */
export function identifyInboundPeer(config: FederationConfig, domain: string, peer: PeerIdentity | undefined, path: DecisionPath): PeerClass | Verdict {
  const names = peer?.certificateNames ?? [];
  const edge = config.accessEdge;
  const provider = findProviderByPeerNames(config, names);

  if (isOurDomain(config, domain)) {
    const shared = provider?.kind === "hosting" && provider.entry.Enabled && provider.entry.EnabledSharedAddressSpace;
    if (!shared || !provider) return path.refuse("claimsOurDomain", `From domain ${domain}, peer ${describeNames(names)}`);
    path.step("FED-5", `${domain} is ours, but ${provider.entry.Identity} (${provider.entry.ProxyFqdn}) shares our address space (EnabledSharedAddressSpace)`);
    return { rule: "FED-5", domain, provider };
  }

  if (edge.RoutingMethod === "UseDefaultRouting") {
    const fqdn = edge.DefaultRouteFqdn;
    if (!fqdn) return path.refuse("defaultRouteMissing");
    path.step("FED-8", `UseDefaultRouting: federated traffic is accepted only from DefaultRouteFqdn ${fqdn}`);
    if (!certificateNamesInclude(names, fqdn)) return path.refuse("peerNotAuthoritative", `peer presented ${describeNames(names)}, not ${fqdn}`);
    path.step("CERT-2", `peer certificate names DefaultRouteFqdn ${fqdn}`);
    return { rule: "FED-8", domain, fqdn };
  }

  const allowed = findAllowedDomain(config, domain);
  if (allowed?.ProxyFqdn) {
    path.step("FED-4", `${domain} is an allowed partner server: only ProxyFqdn ${allowed.ProxyFqdn} may send for it`);
    if (!certificateNamesInclude(names, allowed.ProxyFqdn)) {
      return path.refuse("peerNotAuthoritative", `${domain} is allowed only from ProxyFqdn ${allowed.ProxyFqdn}; peer presented ${describeNames(names)} - has the partner moved its edge?`);
    }
    path.step("CERT-2", `peer certificate names the ProxyFqdn ${allowed.ProxyFqdn}`);
    return { rule: "FED-4", domain, allowedDomain: allowed };
  }

  if (provider) {
    if (provider.entry.Enabled) return acceptFromProvider(config, { domain, allowed, provider, peer }, path);
    path.step("FED-5", `peer is ${provider.kind} provider ${provider.entry.Identity}, but it is disabled (Enabled is false)`);
  }

  if (allowed) {
    path.step("FED-3", `${domain} is an allowed partner domain: its edge is found by SRV`);
    return checkSrvTarget(domain, peer, path) ?? { rule: "FED-3", domain, allowedDomain: allowed };
  }

  if (edge.EnablePartnerDiscovery) {
    path.step("FED-2", `${domain} is not on the allow list; EnablePartnerDiscovery is true: treated as a discovered partner`);
    return checkSrvTarget(domain, peer, path) ?? { rule: "FED-2", domain };
  }
  return path.refuse("notAllowed", domain);
}
