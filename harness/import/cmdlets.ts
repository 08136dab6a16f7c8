/**
 * The cmdlets `edgesim import` reads, the properties it models from each, and how
 * a record's cmdlet is recognised from its properties when the file does not name
 * it (a prompt line naming the cmdlet wins).
 */
import type { ShellRecord } from "./record.ts";

export type CmdletName =
  | "Get-CsAccessEdgeConfiguration"
  | "Get-CsAllowedDomain"
  | "Get-CsBlockedDomain"
  | "Get-CsHostingProvider"
  | "Get-CsPublicProvider"
  | "Get-CsExternalAccessPolicy"
  | "Get-CsXmppAllowedPartner"
  | "Get-CsUser"
  | "Get-CsService";

/** Get-CsService -EdgeServer ports edgesim serves at the product defaults (PORT-1); another value is reported. */
export const EDGE_DEFAULT_PORTS: Record<string, number> = {
  AccessEdgeInternalSipPort: 5061,
  AccessEdgeExternalSipPort: 5061,
  AccessEdgeClientSipPort: 443,
  DataPsomServerPort: 8057,
  DataPsomClientPort: 443,
  MediaRelayAuthEdgePort: 5062,
  MediaRelayInternalTurnTcpPort: 443,
  MediaRelayInternalTurnUdpPort: 3478,
  MediaRelayExternalTurnTcpPort: 443,
  MediaRelayExternalTurnUdpPort: 3478,
};
const PORT_PROPERTIES = Object.keys(EDGE_DEFAULT_PORTS).map((k) => k.toLowerCase());


/** Properties each cmdlet's mapper reads (lower case); any other non-empty property becomes a comment. */
export const MODELLED: Record<CmdletName, readonly string[]> = {
  "Get-CsAccessEdgeConfiguration": ["identity", "allowfederatedusers", "enablepartnerdiscovery", "routingmethod", "defaultroutefqdn", "marksourceverifiableonoutgoingmessages", "discoveredpartnerstandardrate", "maxcontactsperdiscoveredpartner", "allowoutsideusers"],
  "Get-CsAllowedDomain": ["identity", "domain", "proxyfqdn", "markformonitoring", "comment"],
  "Get-CsBlockedDomain": ["identity", "domain", "comment"],
  "Get-CsHostingProvider": ["identity", "name", "proxyfqdn", "verificationlevel", "enabled", "enabledsharedaddressspace", "hostsocsusers"],
  "Get-CsPublicProvider": ["identity", "name", "proxyfqdn", "verificationlevel", "enabled"],
  "Get-CsExternalAccessPolicy": ["identity", "enablefederationaccess", "enablexmppaccess", "enablepubliccloudaccess", "enableoutsideaccess"],
  "Get-CsXmppAllowedPartner": ["identity", "domain", "proxyfqdn", "partnertype", "tlsnegotiation", "saslnegotiation", "supportdialbacknegotiation"],
  "Get-CsUser": ["sipaddress", "externalaccesspolicy", "registrarpool", "enabled", "displayname"],
  "Get-CsService": ["identity", "poolfqdn", "role", "registrar", "accessedgeexternalfqdn", "dataedgeexternalfqdn", "avedgeexternalfqdn", "xmppexternalfqdn", ...PORT_PROPERTIES],
};

const KNOWN = Object.keys(MODELLED) as CmdletName[];

/** The cmdlet a prompt line names, in the spelling of this list; undefined for a cmdlet edgesim does not read. */
export function knownCmdlet(name: string | undefined): CmdletName | undefined {
  return KNOWN.find((k) => k.toLowerCase() === name?.toLowerCase());
}

/** Recognise the cmdlet from the record's property names; undefined when nothing matches. */
export function recogniseCmdlet(r: ShellRecord): CmdletName | undefined {
  const has = new Set(r.properties.map((p) => p.name.toLowerCase()));
  const any = (...names: string[]) => names.some((n) => has.has(n.toLowerCase()));
  if (any("SipAddress", "RegistrarPool", "LineURI")) return "Get-CsUser";
  if (any("AccessEdgeExternalFqdn", "AVEdgeExternalFqdn", "DataEdgeExternalFqdn")) return "Get-CsService";
  if (any("AllowFederatedUsers", "EnablePartnerDiscovery", "RoutingMethod", "UseDnsSrvRouting")) return "Get-CsAccessEdgeConfiguration";
  if (any("EnableFederationAccess", "EnablePublicCloudAccess", "EnableXmppAccess")) return "Get-CsExternalAccessPolicy";
  if (any("TlsNegotiation", "SaslNegotiation", "SupportDialbackNegotiation", "PartnerType")) return "Get-CsXmppAllowedPartner";
  if (any("EnabledSharedAddressSpace", "HostsOCSUsers", "IsLocal", "AutodiscoverUrl")) return "Get-CsHostingProvider";
  if (any("IconUrl", "NameDecorationDomain", "NameDecorationRoutingDomain", "NameDecorationExcludedDomainList")) return "Get-CsPublicProvider";
  if (any("MarkForMonitoring")) return "Get-CsAllowedDomain";
  if (any("Domain") && any("ProxyFqdn")) return "Get-CsAllowedDomain";
  if (any("Domain") && !any("ProxyFqdn", "VerificationLevel")) return "Get-CsBlockedDomain";
  return undefined;
}

/** The record's cmdlet: the prompt line's, else recognised; `unknownHint` when the prompt names a cmdlet edgesim does not read. */
export function cmdletOf(r: ShellRecord): { cmdlet?: CmdletName; unknownHint?: string } {
  if (r.cmdletHint) {
    const known = knownCmdlet(r.cmdletHint);
    return known ? { cmdlet: known } : { unknownHint: r.cmdletHint };
  }
  const recognised = recogniseCmdlet(r);
  return recognised ? { cmdlet: recognised } : {};
}
