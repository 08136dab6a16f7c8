/**
 * The topology's federation settings as the policy engine's FederationConfig
 * (edge/policy/config.ts), and the policy validator's field paths mapped back to
 * the topology file's layout so problems point at the right line.
 */
import { defaultAccessEdgeConfiguration, defaultExternalAccessPolicy, newHostingProvider, newPublicProvider, newXmppAllowedPartner, GLOBAL_POLICY_IDENTITY, type FederationConfig } from "../../edge/policy/config.ts";
import type { Topology } from "./schema.ts";
import type { FieldPath } from "./config-error.ts";

export function federationConfigFromTopology(t: Topology): FederationConfig {
  const f = t.federation;
  const org = t.organisation;
  const partnerByEdge = new Map(t.partners.flatMap((p) => p.edges.map((e) => [e.fqdn.toLowerCase(), p] as const)));
  const policies = org.externalAccessPolicies.map((p) => ({ ...p }));
  // The product always has a Global policy; with none configured, every access is off.
  if (!policies.some((p) => p.Identity === GLOBAL_POLICY_IDENTITY)) policies.push(defaultExternalAccessPolicy());
  return {
    accessEdge: {
      ...defaultAccessEdgeConfiguration(),
      AllowFederatedUsers: f.AllowFederatedUsers,
      EnablePartnerDiscovery: f.EnablePartnerDiscovery,
      RoutingMethod: f.RoutingMethod,
      ...(f.DefaultRouteFqdn ? { DefaultRouteFqdn: f.DefaultRouteFqdn } : {}),
      MarkSourceVerifiableOnOutgoingMessages: f.MarkSourceVerifiableOnOutgoingMessages,
      DiscoveredPartnerStandardRate: f.DiscoveredPartnerStandardRate,
      MaxContactsPerDiscoveredPartner: f.MaxContactsPerDiscoveredPartner,
      AllowOutsideUsers: f.AllowOutsideUsers,
    },
    allowedDomains: f.allowedDomains.map((d) => ({ ...d })),
    blockedDomains: f.blockedDomains.map((d) => ({ ...d })),
    // FED-5: a hosting provider's `domains` describe the partner side, not our policy (the product keeps none).
    hostingProviders: f.hostingProviders.map((p) =>
      newHostingProvider({ Identity: p.Identity, ProxyFqdn: p.ProxyFqdn, VerificationLevel: p.VerificationLevel, Enabled: p.Enabled, EnabledSharedAddressSpace: p.EnabledSharedAddressSpace, HostsOCSUsers: p.HostsOCSUsers }),
    ),
    publicProviders: f.publicProviders.map((p) =>
      newPublicProvider({
        Identity: p.Identity, ProxyFqdn: p.ProxyFqdn, VerificationLevel: p.VerificationLevel, Enabled: p.Enabled, servedDomains: p.domains,
        // PIC-2: a public IM provider (AOL in the seeds) requires our certificate to carry clientAuth.
        requiresClientAuthEku: partnerByEdge.get(p.ProxyFqdn.toLowerCase())?.product === "publicIm",
      }),
    ),
    externalAccessPolicies: policies,
    xmppAllowedPartners: f.xmppAllowedPartners.map((x) => newXmppAllowedPartner({ ...x })),
    organisation: {
      sipDomains: [...org.sipDomains],
      users: org.users.map((u) => ({ uri: u.uri, policy: u.policy, contacts: [...u.contacts], homedOnSba: u.homedOnSba })),
    },
  };
}

/** federation.accessEdge.X -> federation.X; federation.organisation.* and policies -> organisation.*. */
export function topologyPathOfPolicyProblem(policyPath: string): FieldPath {
  const parts: FieldPath = [];
  for (const m of policyPath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  if (parts[0] !== "federation") return parts;
  if (parts[1] === "accessEdge") return ["federation", ...parts.slice(2)];
  if (parts[1] === "organisation") return ["organisation", ...parts.slice(2)];
  if (parts[1] === "externalAccessPolicies") return ["organisation", ...parts.slice(1)];
  return parts;
}
