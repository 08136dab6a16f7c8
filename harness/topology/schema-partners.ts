/**
 * Partner organisations: their domains, the product they run (which decides how
 * they behave: DNS-5 failover, PIC-2 client EKU, FED-5 hosting), their edges and
 * the DNS records that lead to them (SRV with priority and weight, DNS-1/DNS-3).
 */
import { z } from "zod";
import { FqdnSchema, } from "./schema-federation.ts";
import { HostNameSchema, SipUriSchema } from "./schema-organisation.ts";

export const PartnerProductSchema = z.enum(["lync2013", "lync2010", "ocs2007", "ocs2007r2", "publicIm", "hostingProvider", "xmpp"]);
export type PartnerProduct = z.infer<typeof PartnerProductSchema>;

export const SrvRecordSchema = z.strictObject({
  target: FqdnSchema,
  port: z.number().int().min(1).max(65535),
  priority: z.number().int().min(0).max(65535).default(0),
  weight: z.number().int().min(0).max(65535).default(100),
});

/** Deliberately bad certificates, so scenarios can show what breaks (CERT-2, PIC-2). */
export const CertificateKnobsSchema = z
  .strictObject({
    omitClientAuth: z.boolean().default(false),
    wrongSan: z.boolean().default(false),
    expired: z.boolean().default(false),
    untrustedCa: z.boolean().default(false),
  })
  .default({ omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false });

export const PartnerEdgeSchema = z.strictObject({
  name: HostNameSchema,
  fqdn: FqdnSchema,
});

export const PartnerSchema = z.strictObject({
  domain: FqdnSchema,
  product: PartnerProductSchema,
  edges: z.array(PartnerEdgeSchema).min(1).max(8),
  loadBalancing: z.enum(["dns", "hlb"]).default("dns").describe("DNS-5: dns lists every edge in SRV/A; hlb publishes one VIP"),
  vipFqdn: FqdnSchema.optional().describe("with loadBalancing hlb: the VIP's FQDN"),
  users: z.array(SipUriSchema).default([]),
  hostedDomains: z.array(FqdnSchema).default([]).describe("FED-5: a hosting provider serves these domains behind one ProxyFqdn"),
  srv: z.array(SrvRecordSchema).optional().describe("override the SRV records edgesim derives from the edges"),
  publishSrv: z.boolean().default(true).describe("false: no _sipfederationtls SRV record (discovery cannot find the partner)"),
  claimsDomain: FqdnSchema.optional().describe("FED-10: the partner sends From this domain, which it does not serve"),
  certificate: CertificateKnobsSchema,
});

export type Partner = z.infer<typeof PartnerSchema>;
export type SrvRecord = z.infer<typeof SrvRecordSchema>;
export type CertificateKnobs = z.infer<typeof CertificateKnobsSchema>;
