/**
 * Records -> the import model: one small mapper per cmdlet reads the properties
 * edgesim models; every other non-empty property is kept as a note (written as a
 * comment beside the entry) and counted in the summary. A value that cannot be
 * read makes its record an error (file:line: Cmdlet: Property: why); the other
 * records still import.
 */
import type { ImportProblem, ShellRecord, ShellValue } from "./record.ts";
import { propertyOf } from "./record.ts";
import { cmdletOf, EDGE_DEFAULT_PORTS, MODELLED, type CmdletName } from "./cmdlets.ts";
import { bool, enumName, int, isEmptyValue, printable, text, ValueError } from "./values.ts";

export interface Noted<T> {
  value: T;
  file: string;
  line: number;
  cmdlet: CmdletName;
  /** Unmodelled properties, "Name: value", kept as comments. */
  notes: string[];
}

export interface AccessEdgeFields {
  AllowFederatedUsers?: boolean; EnablePartnerDiscovery?: boolean; RoutingMethod?: "UseDnsSrvRouting" | "UseDefaultRouting"; DefaultRouteFqdn?: string;
  MarkSourceVerifiableOnOutgoingMessages?: boolean; DiscoveredPartnerStandardRate?: number; MaxContactsPerDiscoveredPartner?: number; AllowOutsideUsers?: boolean;
}
export interface DomainEntry { Identity: string; ProxyFqdn?: string; MarkForMonitoring?: boolean; Comment?: string }
export type Verification = "AlwaysVerifiable" | "AlwaysUnverifiable" | "UseSourceVerification";
export interface ProviderEntry { Identity: string; ProxyFqdn: string; VerificationLevel?: Verification; Enabled?: boolean; EnabledSharedAddressSpace?: boolean; HostsOCSUsers?: boolean }
export interface PolicyEntry { Identity: string; EnableFederationAccess: boolean; EnableXmppAccess: boolean; EnablePublicCloudAccess: boolean; EnableOutsideAccess: boolean }
export interface XmppEntry { Identity: string; ProxyFqdn?: string; PartnerType?: "Federated" | "PublicVerified" | "PublicUnverified"; TlsNegotiation?: Negotiation; SaslNegotiation?: Negotiation; SupportDialbackNegotiation?: boolean }
type Negotiation = "Required" | "Optional" | "NotSupported";
export interface UserEntry { uri: string; displayName?: string; policy?: string; registrarPool?: string; enabled: boolean }
export interface EdgeServiceEntry { poolFqdn?: string; registrar?: string; accessFqdn?: string; webconfFqdn?: string; avFqdn?: string; xmppFqdn?: string; ports: Record<string, number> }

export interface ImportModel {
  accessEdge: Noted<AccessEdgeFields>[];
  allowedDomains: Noted<DomainEntry>[];
  blockedDomains: Noted<DomainEntry>[];
  hostingProviders: Noted<ProviderEntry>[];
  publicProviders: Noted<ProviderEntry>[];
  policies: Noted<PolicyEntry>[];
  xmppPartners: Noted<XmppEntry>[];
  users: Noted<UserEntry>[];
  edgeServices: Noted<EdgeServiceEntry>[];
  /** Records of a cmdlet edgesim does not read: kept whole as comments. */
  otherRecords: { file: string; line: number; cmdlet: string; notes: string[] }[];
  /** cmdlet -> unmodelled property -> how many records carried a value for it. */
  unmodelled: Map<string, Map<string, number>>;
  problems: ImportProblem[];
}

class RecordError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

type Reader = (name: string) => ShellValue | undefined;

const VERIFICATION = ["AlwaysVerifiable", "AlwaysUnverifiable", "UseSourceVerification"] as const;
const NEGOTIATION = ["Required", "Optional", "NotSupported"] as const;

function required(v: string | undefined, name: string): string {
  if (v === undefined) throw new ValueError(`${name} is empty: the record cannot be imported without it`);
  return v;
}

/** FED-3/4: Get-CsAllowedDomain prints Identity and Domain alike; either names the domain. */
function domainEntry(get: Reader): DomainEntry {
  const Identity = required(text(get("Domain")) ?? text(get("Identity")), "Identity/Domain").toLowerCase();
  const e: DomainEntry = { Identity };
  const proxy = text(get("ProxyFqdn"));
  if (proxy) e.ProxyFqdn = proxy.toLowerCase();
  const mark = bool(get("MarkForMonitoring"));
  if (mark !== undefined) e.MarkForMonitoring = mark;
  const comment = text(get("Comment"));
  if (comment) e.Comment = comment;
  return e;
}

function providerEntry(get: Reader): ProviderEntry {
  const e: ProviderEntry = { Identity: required(text(get("Identity")) ?? text(get("Name")), "Identity"), ProxyFqdn: required(text(get("ProxyFqdn")), "ProxyFqdn").toLowerCase() };
  const level = enumName(get("VerificationLevel"), VERIFICATION);
  if (level) e.VerificationLevel = level;
  for (const k of ["Enabled", "EnabledSharedAddressSpace", "HostsOCSUsers"] as const) {
    const b = bool(get(k));
    if (b !== undefined) e[k] = b;
  }
  return e;
}

const MAPPERS: { [C in CmdletName]: (get: Reader, m: ImportModel, at: Omit<Noted<unknown>, "value">) => void } = {
  "Get-CsAccessEdgeConfiguration": (get, m, at) => {
    const v: AccessEdgeFields = {};
    for (const k of ["AllowFederatedUsers", "EnablePartnerDiscovery", "MarkSourceVerifiableOnOutgoingMessages", "AllowOutsideUsers"] as const) {
      const b = bool(get(k));
      if (b !== undefined) v[k] = b;
    }
    const routing = enumName(get("RoutingMethod"), ["UseDnsSrvRouting", "UseDefaultRouting"] as const);
    if (routing) v.RoutingMethod = routing;
    const route = text(get("DefaultRouteFqdn"));
    if (route) v.DefaultRouteFqdn = route.toLowerCase();
    for (const k of ["DiscoveredPartnerStandardRate", "MaxContactsPerDiscoveredPartner"] as const) {
      const n = int(get(k));
      if (n !== undefined) v[k] = n;
    }
    m.accessEdge.push({ ...at, value: v });
  },
  "Get-CsAllowedDomain": (get, m, at) => void m.allowedDomains.push({ ...at, value: domainEntry(get) }),
  "Get-CsBlockedDomain": (get, m, at) => {
    const { Identity, Comment } = domainEntry(get);
    m.blockedDomains.push({ ...at, value: { Identity, ...(Comment ? { Comment } : {}) } });
  },
  "Get-CsHostingProvider": (get, m, at) => void m.hostingProviders.push({ ...at, value: providerEntry(get) }),
  "Get-CsPublicProvider": (get, m, at) => void m.publicProviders.push({ ...at, value: providerEntry(get) }),
  "Get-CsExternalAccessPolicy": (get, m, at) => {
    const flag = (k: string) => bool(get(k)) ?? false;
    m.policies.push({
      ...at,
      value: { Identity: required(text(get("Identity")), "Identity"), EnableFederationAccess: flag("EnableFederationAccess"), EnableXmppAccess: flag("EnableXmppAccess"), EnablePublicCloudAccess: flag("EnablePublicCloudAccess"), EnableOutsideAccess: flag("EnableOutsideAccess") },
    });
  },
  "Get-CsXmppAllowedPartner": (get, m, at) => {
    const v: XmppEntry = { Identity: required(text(get("Domain")) ?? text(get("Identity")), "Identity/Domain").toLowerCase() };
    const proxy = text(get("ProxyFqdn"));
    if (proxy) v.ProxyFqdn = proxy.toLowerCase();
    const type = enumName(get("PartnerType"), ["Federated", "PublicVerified", "PublicUnverified"] as const);
    if (type) v.PartnerType = type;
    const tls = enumName(get("TlsNegotiation"), NEGOTIATION);
    if (tls) v.TlsNegotiation = tls;
    const sasl = enumName(get("SaslNegotiation"), NEGOTIATION);
    if (sasl) v.SaslNegotiation = sasl;
    const dialback = bool(get("SupportDialbackNegotiation"));
    if (dialback !== undefined) v.SupportDialbackNegotiation = dialback;
    m.xmppPartners.push({ ...at, value: v });
  },
  "Get-CsUser": (get, m, at) => {
    const sip = required(text(get("SipAddress")), "SipAddress").replace(/^sips?:/i, "").toLowerCase();
    const v: UserEntry = { uri: sip, enabled: bool(get("Enabled")) ?? true };
    const display = text(get("DisplayName"));
    if (display) v.displayName = display;
    const policy = text(get("ExternalAccessPolicy"));
    if (policy) v.policy = policy;
    const pool = text(get("RegistrarPool"));
    if (pool) v.registrarPool = pool.toLowerCase();
    m.users.push({ ...at, value: v });
  },
  "Get-CsService": (get, m, at) => {
    const identity = text(get("Identity")) ?? "";
    const role = text(get("Role"));
    if (!/^EdgeServer:/i.test(identity) && role?.toLowerCase() !== "edgeserver") throw new ValueError(`Identity ${identity || "(empty)"} is not an EdgeServer service: run Get-CsService -EdgeServer`);
    const fq = (k: string) => text(get(k))?.toLowerCase();
    const v: EdgeServiceEntry = { ports: {} };
    const assign = (key: Exclude<keyof EdgeServiceEntry, "ports">, value: string | undefined) => {
      if (value) v[key] = value;
    };
    assign("poolFqdn", fq("PoolFqdn") ?? identity.replace(/^EdgeServer:/i, "").toLowerCase());
    assign("registrar", fq("Registrar")?.replace(/^registrar:/i, ""));
    assign("accessFqdn", fq("AccessEdgeExternalFqdn"));
    assign("webconfFqdn", fq("DataEdgeExternalFqdn"));
    assign("avFqdn", fq("AVEdgeExternalFqdn"));
    assign("xmppFqdn", fq("XmppExternalFqdn"));
    for (const k of Object.keys(EDGE_DEFAULT_PORTS)) {
      const n = int(get(k));
      if (n !== undefined) v.ports[k] = n;
    }
    m.edgeServices.push({ ...at, value: v });
  },
};

export function emptyModel(): ImportModel {
  return { accessEdge: [], allowedDomains: [], blockedDomains: [], hostingProviders: [], publicProviders: [], policies: [], xmppPartners: [], users: [], edgeServices: [], otherRecords: [], unmodelled: new Map(), problems: [] };
}

export function collectRecord(m: ImportModel, r: ShellRecord): void {
  const { cmdlet, unknownHint } = cmdletOf(r);
  if (!cmdlet) {
    const notes = r.properties.filter((p) => !isEmptyValue(p.value)).map((p) => `${p.name}: ${printable(p.value)}`);
    if (unknownHint) {
      m.otherRecords.push({ file: r.file, line: r.line, cmdlet: unknownHint, notes });
      m.problems.push({ file: r.file, line: r.line, severity: "warning", message: `${unknownHint} is not a cmdlet edgesim models: the record is kept as a comment` });
    } else {
      m.problems.push({ file: r.file, line: r.line, severity: "error", message: `no cmdlet edgesim reads has these properties (${r.properties.slice(0, 5).map((p) => p.name).join(", ")}${r.properties.length > 5 ? ", ..." : ""}); name the cmdlet on a 'PS> Get-CsX' line before it` });
    }
    return;
  }
  const modelled = new Set(MODELLED[cmdlet]);
  let current = r.line;
  const get: Reader = (name) => {
    const p = propertyOf(r, name);
    if (!p) return undefined;
    current = p.line;
    if (p.truncated) throw new RecordError(p.line, `${p.name}: the shell shortened this list ($FormatEnumerationLimit): export with $FormatEnumerationLimit = -1 or ConvertTo-Json`);
    return p.value;
  };
  const notes: string[] = [];
  for (const p of r.properties) {
    if (modelled.has(p.name.toLowerCase())) continue;
    if (isEmptyValue(p.value)) continue;
    notes.push(`${p.name}: ${printable(p.value)}${p.truncated ? " (shortened by the shell)" : ""}`);
    const counts = m.unmodelled.get(cmdlet) ?? new Map<string, number>();
    counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
    m.unmodelled.set(cmdlet, counts);
  }
  try {
    MAPPERS[cmdlet](get, m, { file: r.file, line: r.line, cmdlet, notes });
  } catch (err) {
    if (!(err instanceof ValueError || err instanceof RecordError)) throw err;
    const line = err instanceof RecordError ? err.line : current;
    m.problems.push({ file: r.file, line, severity: "error", message: `${cmdlet}: ${err.message}; the record starting at line ${r.line} was not imported` });
  }
}
