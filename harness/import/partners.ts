/**
 * Fake partners for the partner domains the configuration names, so the
 * imported world runs: the product each runs is not in the configuration, so it
 * is guessed (and a comment says so) unless `--partner DOMAIN=PRODUCT` gives it.
 * Every partner gets one edge and one test user; the names stay the admin's
 * (sip.fabrikam.com, sipfed.online.lync.com): the sandbox's DNS views and CA
 * serve them inside the world only.
 */
import type { PartnerProduct } from "../topology/schema-partners.ts";
import { PartnerProductSchema } from "../topology/schema-partners.ts";

export interface PartnerDraft {
  domain: string;
  product: PartnerProduct;
  edges: { name: string; fqdn: string }[];
  users: string[];
  /** Why this partner exists and how its product was chosen (written as a comment). */
  comment: string;
}

export class PartnerOptionError extends Error {}

/** `--partner fabrikam.com=lync2010` -> ["fabrikam.com", "lync2010"]. */
export function parsePartnerOption(spec: string): [string, PartnerProduct] {
  const m = /^([^=\s]+)=(\S+)$/.exec(spec.trim());
  const product = PartnerProductSchema.safeParse(m?.[2]);
  if (!m || !product.success) throw new PartnerOptionError(`--partner ${spec}: expected DOMAIN=PRODUCT with PRODUCT one of ${PartnerProductSchema.options.join(", ")}`);
  return [m[1]!.toLowerCase(), product.data];
}

export interface PartnerBook {
  drafts: PartnerDraft[];
  /** Domains and FQDNs already taken (ours and other partners'): a partner never reuses one. */
  taken: Set<string>;
  overrides: Map<string, PartnerProduct>;
}

export function newPartnerBook(ourNames: string[], overrides: Map<string, PartnerProduct>): PartnerBook {
  return { drafts: [], taken: new Set(ourNames.map((n) => n.toLowerCase())), overrides };
}

/** Adds a partner unless the domain already has one; returns it, or undefined when the name is ours or taken. */
export function addPartner(book: PartnerBook, o: { domain: string; product: PartnerProduct; guessed: boolean; edgeFqdn: string; why: string }): PartnerDraft | undefined {
  const existing = book.drafts.find((d) => d.domain === o.domain);
  if (existing) return existing;
  if (book.taken.has(o.domain) || book.taken.has(o.edgeFqdn)) return undefined;
  const given = book.overrides.get(o.domain);
  const product = given ?? o.product;
  const how = given ? `product ${product} from --partner` : o.guessed ? `product guessed: ${product} (the configuration does not say what ${o.domain} runs; set it with --partner ${o.domain}=PRODUCT)` : `product ${product}`;
  const draft: PartnerDraft = {
    domain: o.domain,
    product,
    edges: [{ name: product === "xmpp" ? "xmpp1" : "edge1", fqdn: o.edgeFqdn }],
    users: [`user@${o.domain}`],
    comment: `${o.why}; ${how}`,
  };
  book.drafts.push(draft);
  book.taken.add(o.domain);
  book.taken.add(o.edgeFqdn);
  return draft;
}

/** A provider's partner domain: the parent of its ProxyFqdn (sipfed.online.lync.com -> online.lync.com), or the FQDN itself when that is taken. */
export function providerDomain(book: PartnerBook, proxyFqdn: string): string {
  const parent = proxyFqdn.split(".").slice(1).join(".");
  return parent.includes(".") && !book.taken.has(parent) ? parent : proxyFqdn;
}
