/**
 * A topology file: what a world is made of, described apart from building it
 * (mininet topo.py vs net.py). `harness/world/` builds a running world from it.
 */
import { z } from "zod";
import { FederationSchema } from "./schema-federation.ts";
import { OrganisationSchema } from "./schema-organisation.ts";
import { PartnerSchema } from "./schema-partners.ts";
import { RealAddressEntrySchema } from "./schema-real-addresses.ts";

const cidr16 = z
  .string()
  .regex(/^127\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.0\.0\/16$/, "must be a /16 inside 127.0.0.0/8, such as 127.10.0.0/16: the sandbox never uses another address");

export const AddressingSchema = z
  .strictObject({
    internal: cidr16.default("127.10.0.0/16"),
    perimeterInternal: cidr16.default("127.20.0.0/16"),
    perimeterExternal: cidr16.default("127.30.0.0/16"),
    internet: cidr16.default("127.40.0.0/16"),
  })
  .default({ internal: "127.10.0.0/16", perimeterInternal: "127.20.0.0/16", perimeterExternal: "127.30.0.0/16", internet: "127.40.0.0/16" });

/** Extra records, to model what admins get wrong: a CNAME to another domain (MOB-4), a stale record (FED-4). */
export const ExtraDnsRecordSchema = z.strictObject({
  view: z.enum(["internal", "external", "both"]).default("external"),
  name: z.string().min(1),
  type: z.enum(["A", "CNAME", "SRV"]),
  value: z.string().min(1).describe("A: an address in 127.0.0.0/8 or a host of the plan; CNAME/SRV: the target FQDN"),
  port: z.number().int().min(1).max(65535).optional(),
  priority: z.number().int().min(0).default(0),
  weight: z.number().int().min(0).default(100),
  replace: z.boolean().default(false).describe("true: this record replaces the ones edgesim derives for the same name and type"),
});

export const TopologySchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, "must be a short lowercase name"),
  description: z.string().optional(),
  addressing: AddressingSchema,
  organisation: OrganisationSchema,
  federation: FederationSchema.default(FederationSchema.parse({})),
  partners: z.array(PartnerSchema).default([]),
  dnsRecords: z.array(ExtraDnsRecordSchema).default([]),
  /** The admin's own addresses for plan entries: printed by `edgesim ports --addresses real`, never bound (issue 14, item 5). */
  realAddresses: z.array(RealAddressEntrySchema).default([]).describe("the production addresses of plan entries, for `edgesim ports --addresses real`; printed only, every socket stays on 127.0.0.0/8"),
});

export type Topology = z.infer<typeof TopologySchema>;
export type ExtraDnsRecord = z.infer<typeof ExtraDnsRecordSchema>;
export type Addressing = z.infer<typeof AddressingSchema>;
export type Zone = keyof Addressing;
export const ZONES: readonly Zone[] = ["internal", "perimeterInternal", "perimeterExternal", "internet"];
