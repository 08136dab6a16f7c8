/**
 * The import model -> a topology in edgesim's layout (harness/topology/schema.ts),
 * with a comment for every entry that carries unmodelled properties, every name
 * edgesim had to invent, and every partner product it guessed.
 */
import type { ImportModel, Noted } from "./collect.ts";
import { EDGE_DEFAULT_PORTS } from "./cmdlets.ts";
import type { PartnerProduct } from "../topology/schema-partners.ts";
import { addPartner, newPartnerBook, providerDomain, type PartnerBook } from "./partners.ts";
import type { ImportProblem } from "./record.ts";
import type { RealAddressEntry } from "../topology/schema-real-addresses.ts";

export interface AssembleOptions {
  name: string;
  partners: Map<string, PartnerProduct>;
  /** Our SIP domain when no Get-CsUser record names one. */
  sipDomain?: string;
  /**
   * The admin's own addresses (`--map SANDBOX=REAL`), kept as the topology's
   * realAddresses for `edgesim ports --addresses real` (issue 14, item 5): the
   * Management Shell's Get-CsService -EdgeServer prints FQDNs and ports, no addresses.
   */
  realAddresses?: RealAddressEntry[];
}

export interface CommentAt {
  path: (string | number)[];
  lines: string[];
}

export interface Assembled {
  topology: Record<string, unknown>;
  comments: CommentAt[];
  /** Names edgesim invented because the input does not carry them. */
  invented: string[];
  /** Partner domains whose product was guessed. */
  guessed: string[];
  problems: ImportProblem[];
}

export class ImportError extends Error {}

function origin(n: Noted<unknown>): string {
  return `${n.cmdlet} at ${n.file}:${n.line}`;
}

function notesOf(n: Noted<unknown>): string[] {
  return n.notes.length ? [`${origin(n)}; not modelled by edgesim:`, ...n.notes.map((x) => `  ${x}`)] : [];
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

export function assemble(m: ImportModel, o: AssembleOptions): Assembled {
  const comments: CommentAt[] = [];
  const invented: string[] = [];
  const problems: ImportProblem[] = [];
  const note = (path: (string | number)[], lines: string[]) => void (lines.length && comments.push({ path, lines }));

  const users = importUsers(m, problems);
  const edge = m.edgeServices[0];
  if (m.edgeServices.length > 1) for (const extra of m.edgeServices.slice(1)) problems.push({ file: extra.file, line: extra.line, severity: "warning", message: `edgesim models one edge pool; ${extra.value.poolFqdn} is not imported (import it separately)` });
  const sipDomains = [...new Set(users.map((u) => u.value.uri.split("@")[1]!))];
  if (sipDomains.length === 0) {
    const fromEdge = edge?.value.accessFqdn?.split(".").slice(1).join(".");
    const d = o.sipDomain ?? fromEdge;
    if (!d) throw new ImportError("no SIP domain: the input has no Get-CsUser record and no Get-CsService -EdgeServer record; give one with --sip-domain");
    sipDomains.push(d);
  }
  if (o.sipDomain && !sipDomains.includes(o.sipDomain)) sipDomains.unshift(o.sipDomain);
  const d0 = sipDomains[0]!;
  const invent = (what: string, value: string) => {
    invented.push(`${what}: ${value}`);
    return value;
  };

  const policies = m.policies.map((p) => p.value);
  const known = new Set(policies.map((p) => p.Identity.toLowerCase()));
  const topoUsers = users.map((u) => {
    const policy = userPolicy(u.value.policy, known);
    if (u.value.policy && !policy) problems.push({ file: u.file, line: u.line, severity: "warning", message: `${u.value.uri}: ExternalAccessPolicy ${u.value.policy} is not among the imported policies; the user gets Global (FED-9)` });
    return { uri: u.value.uri, ...(u.value.displayName ? { displayName: u.value.displayName } : {}), ...(policy ? { policy } : {}) };
  });
  users.forEach((u, i) => note(["organisation", "users", i], notesOf(u)));
  m.policies.forEach((p, i) => note(["organisation", "externalAccessPolicies", i], notesOf(p)));
  if (policies.some((p) => /^site:/i.test(p.Identity)))
    problems.push({ file: m.policies[0]!.file, line: m.policies[0]!.line, severity: "warning", message: "Site: policies apply to the users of that site's pools, which Get-CsUser does not print: users without a per-user policy get Global (FED-9)" });

  const registrar = mostCommon(users.map((u) => u.value.registrarPool).filter((x): x is string => !!x)) ?? edge?.value.registrar;
  const edgePool = {
    internalFqdn: edge?.value.poolFqdn ?? invent("organisation.edgePool.internalFqdn", `edgepool.${d0}`),
    servers: ["edge1"],
    accessFqdn: edge?.value.accessFqdn ?? invent("organisation.edgePool.accessFqdn", `sip.${d0}`),
    webconfFqdn: edge?.value.webconfFqdn ?? invent("organisation.edgePool.webconfFqdn", `webconf.${d0}`),
    avFqdn: edge?.value.avFqdn ?? invent("organisation.edgePool.avFqdn", `av.${d0}`),
    ...(m.xmppPartners.length ? { xmppFqdn: edge?.value.xmppFqdn ?? invent("organisation.edgePool.xmppFqdn", `xmpp.${d0}`) } : {}),
  };
  invented.push("organisation.edgePool.servers: [edge1] (Get-CsService does not list the pool's servers)");
  if (edge) {
    note(["organisation", "edgePool"], notesOf(edge));
    for (const [k, v] of Object.entries(edge.value.ports))
      if (v !== EDGE_DEFAULT_PORTS[k]) problems.push({ file: edge.file, line: edge.line, severity: "warning", message: `${k} is ${v}; edgesim serves the product default ${EDGE_DEFAULT_PORTS[k]} (PORT-1)` });
  }

  const organisation = {
    name: d0,
    sipDomains,
    frontEndPool: { fqdn: registrar ?? invent("organisation.frontEndPool.fqdn", `pool01.${d0}`), servers: ["fe01"] },
    internalWebFqdn: invent("organisation.internalWebFqdn", `lyncwebint.${d0}`),
    externalWebFqdn: invent("organisation.externalWebFqdn", `lyncweb.${d0}`),
    externalAccessPolicies: policies,
    users: topoUsers,
    edgePool,
  };

  const federation = importFederation(m, note, problems);
  const book = newPartnerBook([...sipDomains, edgePool.internalFqdn, edgePool.accessFqdn, edgePool.webconfFqdn, edgePool.avFqdn, organisation.frontEndPool.fqdn], o.partners);
  const partners = importPartners(m, book, problems);
  for (const domain of o.partners.keys())
    if (!partners.some((p) => p.domain === domain)) problems.push({ file: "(command line)", line: 0, severity: "warning", message: `--partner ${domain}: the configuration names no partner domain ${domain}; the option was not used` });
  partners.forEach((p, i) => note(["partners", i], [p.comment]));

  const realAddresses = o.realAddresses ?? [];
  const topology = { name: o.name, description: "imported from Lync / Skype for Business Management Shell output by edgesim import", organisation, federation, partners: partners.map(({ comment: _c, ...p }) => p), ...(realAddresses.length ? { realAddresses } : {}) };
  if (realAddresses.length) note(["realAddresses"], ["the admin's own addresses from --map: printed by edgesim ports --addresses real, never bound or dialled"]);
  // The world's address plan (harness/world/address-plan.ts) has room for 254 users and 245 partners.
  if (topoUsers.length > 254 || partners.length > 245)
    problems.push({ file: "(input)", line: 0, severity: "warning", message: `${topoUsers.length} users and ${partners.length} partners: explain --matrix and diff work, but a world holds at most 254 users and 245 partners, so edgesim up refuses this topology (trim it for a live run)` });
  const guessed = partners.filter((p) => p.comment.includes("product guessed")).map((p) => p.domain);
  return { topology, comments, invented, guessed, problems };
}

function importUsers(m: ImportModel, problems: ImportProblem[]): Noted<{ uri: string; displayName?: string; policy?: string; registrarPool?: string; enabled: boolean }>[] {
  const seen = new Set<string>();
  return m.users.filter((u) => {
    if (!u.value.enabled) {
      problems.push({ file: u.file, line: u.line, severity: "warning", message: `${u.value.uri} is not enabled for Lync (Enabled False): not imported` });
      return false;
    }
    if (!/^[a-z0-9._%+-]+@([a-z0-9-]+\.)+[a-z][a-z0-9-]*$/.test(u.value.uri)) {
      problems.push({ file: u.file, line: u.line, severity: "error", message: `Get-CsUser: SipAddress ${u.value.uri} is not a SIP address edgesim can model; the user was not imported` });
      return false;
    }
    if (seen.has(u.value.uri)) {
      problems.push({ file: u.file, line: u.line, severity: "warning", message: `${u.value.uri} is listed twice: the first record is kept` });
      return false;
    }
    seen.add(u.value.uri);
    return true;
  });
}

/** Get-CsUser prints a tag policy's name without "Tag:" (AllowFederation for Tag:AllowFederation). */
function userPolicy(printed: string | undefined, known: Set<string>): string | undefined {
  if (!printed) return undefined;
  return [printed, `Tag:${printed}`].find((candidate) => known.has(candidate.toLowerCase()));
}

function importFederation(m: ImportModel, note: (path: (string | number)[], lines: string[]) => void, problems: ImportProblem[]): Record<string, unknown> {
  const ae = m.accessEdge[0];
  if (m.accessEdge.length > 1) for (const extra of m.accessEdge.slice(1)) problems.push({ file: extra.file, line: extra.line, severity: "warning", message: "a second Get-CsAccessEdgeConfiguration record: only the first is imported" });
  if (!ae) problems.push({ file: "(input)", line: 0, severity: "warning", message: "no Get-CsAccessEdgeConfiguration record: federation is off, as the product ships (FED-1)" });
  if (ae) note(["federation"], notesOf(ae));
  const dedupe = <T extends { Identity: string }>(list: Noted<T>[], what: string) => {
    const seen = new Set<string>();
    return list.filter((n) => {
      const key = n.value.Identity.toLowerCase();
      if (seen.has(key)) problems.push({ file: n.file, line: n.line, severity: "warning", message: `${what} ${n.value.Identity} is listed twice: the first record is kept` });
      return !seen.has(key) && seen.add(key);
    });
  };
  const lists = {
    allowedDomains: dedupe(m.allowedDomains, "allowed domain"),
    blockedDomains: dedupe(m.blockedDomains, "blocked domain"),
    hostingProviders: dedupe(m.hostingProviders, "hosting provider"),
    publicProviders: dedupe(m.publicProviders, "public provider"),
    xmppAllowedPartners: dedupe(m.xmppPartners, "XMPP partner"),
  };
  for (const [key, list] of Object.entries(lists)) (list as Noted<unknown>[]).forEach((n, i) => note(["federation", key, i], notesOf(n)));
  return {
    ...(ae?.value ?? {}),
    ...(m.xmppPartners.length ? { EnableXmppFederation: true } : {}),
    allowedDomains: lists.allowedDomains.map((n) => n.value),
    blockedDomains: lists.blockedDomains.map((n) => n.value),
    hostingProviders: lists.hostingProviders.map((n) => n.value),
    publicProviders: lists.publicProviders.map((n) => n.value),
    xmppAllowedPartners: lists.xmppAllowedPartners.map((n) => n.value),
  };
}

function importPartners(m: ImportModel, book: PartnerBook, problems: ImportProblem[]) {
  const skipped = (n: Noted<{ Identity: string }>, name: string) =>
    problems.push({ file: n.file, line: n.line, severity: "warning", message: `${name} is one of our own names or already another partner's: no fake partner for it` });
  for (const n of m.hostingProviders) {
    const p = n.value;
    if (!addPartner(book, { domain: providerDomain(book, p.ProxyFqdn), product: "hostingProvider", guessed: false, edgeFqdn: p.ProxyFqdn, why: `hosting provider ${p.Identity} (FED-5)` })) skipped(n, p.ProxyFqdn);
  }
  for (const n of m.publicProviders) {
    const p = n.value;
    if (!addPartner(book, { domain: providerDomain(book, p.ProxyFqdn), product: "publicIm", guessed: false, edgeFqdn: p.ProxyFqdn, why: `public provider ${p.Identity} (FED-5)` })) skipped(n, p.ProxyFqdn);
  }
  for (const n of m.xmppPartners) {
    const d = n.value.Identity;
    if (!addPartner(book, { domain: d, product: "xmpp", guessed: false, edgeFqdn: n.value.ProxyFqdn ?? `xmpp.${d}`, why: "XMPP allowed partner (XMPP-2)" })) skipped(n, d);
  }
  for (const n of m.allowedDomains) {
    const d = n.value.Identity;
    const why = n.value.ProxyFqdn ? "allowed domain, direct federation (FED-4)" : "allowed domain (FED-3)";
    if (!addPartner(book, { domain: d, product: "lync2013", guessed: true, edgeFqdn: n.value.ProxyFqdn ?? `sip.${d}`, why })) skipped(n, d);
  }
  for (const n of m.blockedDomains) {
    const d = n.value.Identity;
    if (!addPartner(book, { domain: d, product: "lync2013", guessed: true, edgeFqdn: `sip.${d}`, why: "blocked domain (FED-6), so its refusal can be seen" })) skipped(n, d);
  }
  return book.drafts;
}
