/**
 * Outbound federation (one of our users -> a federated domain), in the order
 * of docs/federation-policy.md: FED-9 user policy, FED-1, FED-6, own domain,
 * FED-8 default route, FED-4 ProxyFqdn, FED-3 allowed domain, FED-5 public IM
 * provider, FED-2 discovery, else refused. A domain hosted at a hosting provider
 * has no route of its own (FED-5 since Lync Server 2010): it is an allowed domain
 * (FED-3) or a discovered one (FED-2), and its SRV record names the provider's proxy.
 */
import type { FederationConfig } from "./config.ts";
import type { ProviderMatch, SipAddress } from "./domains.ts";
import {
  findAllowedDomain,
  findPublicProviderServingDomain,
  findSharedAddressSpaceProvider,
  findUser,
  isBlockedDomain,
  isOurDomain,
  policyOf,
  publicProviderNeedsClientAuth,
} from "./domains.ts";
import type { PolicyRequest } from "./request.ts";
import { federationSrvName } from "./srv.ts";
import type { DecisionPath, Route, Verdict } from "./verdict.ts";
import { FEDERATION_PORT } from "./verdict.ts";
import { outboundVerification } from "./verification.ts";

function providerRoute(domain: string, match: ProviderMatch): Route {
  const requiresClientAuthEku = match.kind === "public" && publicProviderNeedsClientAuth(match.entry);
  return {
    kind: "provider",
    domain,
    provider: match.entry.Identity,
    providerKind: match.kind,
    fqdn: match.entry.ProxyFqdn,
    port: FEDERATION_PORT,
    rule: "FED-5",
    requiresClientAuthEku,
  };
}

function allowWithMarking(config: FederationConfig, route: Route, path: DecisionPath): Verdict {
  const marking = outboundVerification(config);
  path.step("FED-7", marking.text);
  return path.allow(route, marking.verification);
}

/** FED-9 for the sender; returns a refusal or undefined when the user may federate with this target. */
function checkSenderPolicy(config: FederationConfig, request: PolicyRequest, provider: ProviderMatch | undefined, path: DecisionPath): Verdict | undefined {
  const sender = findUser(config, request.from);
  if (!sender) return path.refuse("unknownSender", request.from);
  const policy = policyOf(config, sender);
  if (!policy) return path.refuse("policyMissing", `${sender.uri} has policy ${sender.policy ?? "Global"}`);
  if (provider?.kind === "public" && provider.entry.Enabled) {
    if (!policy.EnablePublicCloudAccess) return path.refuse("policyNoPublicCloud", `${sender.uri} (policy ${policy.Identity}) -> public provider ${provider.entry.Identity}`);
    path.step("FED-9", `${sender.uri} may use public IM: policy ${policy.Identity} has EnablePublicCloudAccess`);
    return undefined;
  }
  if (!policy.EnableFederationAccess) return path.refuse("policyNoFederation", `${sender.uri} (policy ${policy.Identity})`);
  path.step("FED-9", `${sender.uri} may federate: policy ${policy.Identity} has EnableFederationAccess`);
  return undefined;
}

/** Our own SIP domain: not federation, unless a hosting provider shares the address space (split domain). */
function routeOwnDomain(config: FederationConfig, request: PolicyRequest, target: SipAddress, path: DecisionPath): Verdict {
  const shared = findSharedAddressSpaceProvider(config);
  if (findUser(config, request.to) || !shared) return path.refuse("ownDomainOutbound", target.domain);
  path.step("FED-5", `${target.domain} is ours but ${request.to} is not homed here: hosting provider ${shared.Identity} shares our address space`);
  return allowWithMarking(config, providerRoute(target.domain, { kind: "hosting", entry: shared }), path);
}

export function decideOutbound(config: FederationConfig, request: PolicyRequest, target: SipAddress, path: DecisionPath): Verdict {
  const edge = config.accessEdge;
  const domain = target.domain;
  const provider = findPublicProviderServingDomain(config, domain);

  const policyRefusal = checkSenderPolicy(config, request, provider, path);
  if (policyRefusal) return policyRefusal;
  if (!edge.AllowFederatedUsers) return path.refuse("federationOff");
  path.step("FED-1", "AllowFederatedUsers is true: federation is on");
  if (isBlockedDomain(config, domain)) return path.refuse("blocked", domain);
  path.step("FED-6", `${domain} is not on the blocked list`);
  if (isOurDomain(config, domain)) return routeOwnDomain(config, request, target, path);

  if (edge.RoutingMethod === "UseDefaultRouting") {
    if (!edge.DefaultRouteFqdn) return path.refuse("defaultRouteMissing");
    path.step("FED-8", `UseDefaultRouting: all federated traffic goes to DefaultRouteFqdn ${edge.DefaultRouteFqdn}`);
    return allowWithMarking(config, { kind: "defaultRoute", domain, fqdn: edge.DefaultRouteFqdn, port: FEDERATION_PORT, rule: "FED-8" }, path);
  }

  const allowed = findAllowedDomain(config, domain);
  if (allowed?.ProxyFqdn) {
    path.step("FED-4", `${domain} is an allowed partner server: connect to ProxyFqdn ${allowed.ProxyFqdn}:${FEDERATION_PORT}, no SRV lookup`);
    return allowWithMarking(config, { kind: "proxyFqdn", domain, fqdn: allowed.ProxyFqdn, port: FEDERATION_PORT, rule: "FED-4" }, path);
  }
  if (allowed) {
    path.step("FED-3", `${domain} is an allowed partner domain: locate its edge by ${federationSrvName(domain)}`);
    return allowWithMarking(config, { kind: "srv", domain, srvName: federationSrvName(domain), port: FEDERATION_PORT, rule: "FED-3" }, path);
  }
  if (provider?.entry.Enabled) {
    path.step("FED-5", `${domain} is served by ${provider.kind} provider ${provider.entry.Identity}: connect to its ProxyFqdn ${provider.entry.ProxyFqdn}`);
    return allowWithMarking(config, providerRoute(domain, provider), path);
  }
  if (provider) path.step("FED-5", `${domain} is served by ${provider.kind} provider ${provider.entry.Identity}, which is disabled (Enabled is false)`);
  // A domain hosted at a hosting provider ends here too when discovery is off and it is not allowed (FED-5).
  if (edge.EnablePartnerDiscovery) {
    path.step("FED-2", `EnablePartnerDiscovery is true: ${domain} is a discovered partner, located by ${federationSrvName(domain)}`);
    return allowWithMarking(config, { kind: "srv", domain, srvName: federationSrvName(domain), port: FEDERATION_PORT, rule: "FED-2" }, path);
  }
  return path.refuse("notAllowed", domain);
}
