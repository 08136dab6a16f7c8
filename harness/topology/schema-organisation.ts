/**
 * Our organisation: SIP domains, the internal front-end pool, users with their
 * external access policy (FED-9), and the Edge pool with its roles and VIPs
 * (HLB-1, HLB-2, DNS-5).
 */
import { z } from "zod";
import { FqdnSchema } from "./schema-federation.ts";

const sipUri = z.string().regex(/^[a-z0-9._%+-]+@([a-z0-9-]+\.)+[a-z][a-z0-9-]*$/i, "must be a SIP address such as alice@contoso.test");
const hostName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "must be a short host name: lowercase letters, digits and '-'");

export const ExternalAccessPolicySchema = z.strictObject({
  Identity: z.string().min(1),
  EnableFederationAccess: z.boolean().default(false),
  EnableXmppAccess: z.boolean().default(false),
  EnablePublicCloudAccess: z.boolean().default(false),
  EnableOutsideAccess: z.boolean().default(false),
});

export const UserSchema = z.strictObject({
  uri: sipUri,
  displayName: z.string().optional(),
  policy: z.string().default("Global").describe("the Identity of an external access policy (FED-9)"),
  contacts: z.array(sipUri).default([]).describe("FED-7: AlwaysUnverifiable providers deliver only from contacts"),
  homedOnSba: z.boolean().default(false).describe("XMPP-5: users on a survivable branch appliance cannot use XMPP"),
  remote: z.boolean().default(false).describe("signs in from outside through the Access Edge (needs EnableOutsideAccess)"),
});

/** How a role's VIP treats addresses: SNAT is allowed on Access/Web Conferencing (HLB-1), never on A/V (HLB-2). */
const NatMode = z.enum(["snat", "no-nat"]);

export const EdgePoolSchema = z.strictObject({
  internalFqdn: FqdnSchema.describe("the edge pool's internal FQDN (its internal VIP)"),
  loadBalancing: z.enum(["hlb", "dns"]).default("hlb").describe("DNS-5: hardware load balancer or DNS load balancing"),
  servers: z.array(hostName).min(1).max(8),
  accessFqdn: FqdnSchema.describe("the Access Edge external FQDN (sip.<domain>)"),
  webconfFqdn: FqdnSchema,
  avFqdn: FqdnSchema,
  xmppFqdn: FqdnSchema.optional().describe("XMPP-1: the XMPP proxy shares the Access Edge address"),
  nat: z
    .strictObject({ access: NatMode.default("snat"), webconf: NatMode.default("snat"), av: NatMode.default("no-nat") })
    .default({ access: "snat", webconf: "snat", av: "no-nat" })
    .describe("HLB-1/HLB-2/HLB-6: SNAT on the A/V VIP is the misconfiguration the seeds warn of"),
  avAnswerFrom: z
    .enum(["targeted", "physical"])
    .default("targeted")
    .describe("HLB-2: the A/V Edge answers from the address the client targeted; 'physical' (HLB-6) answers VIP clients from the edge's own IP, and a connected client drops it"),
  affinity: z
    .enum(["source", "none"])
    .default("source")
    .describe("the balancer keeps a client on one edge (source-address affinity); 'none' (HLB-6) round-robins every flow, which breaks TURN allocations"),
  balancer: z
    .enum(["userland", "kernel"])
    .default("userland")
    .describe("which balancer forwards the VIPs: 'userland' (sockets in the edgesim process) or 'kernel' (nftables NAT and conntrack in the world's own network namespace; falls back to userland, saying why, when none can be made): docs/load-balancer.md"),
  certificate: z
    .strictObject({ omitClientAuth: z.boolean().default(false) })
    .default({ omitClientAuth: false })
    .describe("PIC-2: an external certificate without clientAuth EKU fails public IM federation"),
});

export const OrganisationSchema = z.strictObject({
  name: z.string().min(1),
  sipDomains: z.array(FqdnSchema).min(1),
  frontEndPool: z.strictObject({
    fqdn: FqdnSchema,
    servers: z.array(hostName).min(1).max(4),
    webAffinity: z
      .enum(["source", "cookie", "none"])
      .default("source")
      .describe("MOB-5: affinity of the web services VIPs on the front-end HLB: source address (layer 4, default), cookie (layer 7, the balancer holds the pool certificate), or none (round robin per connection: what breaks UCWA sessions)"),
  }),
  internalWebFqdn: FqdnSchema,
  externalWebFqdn: FqdnSchema,
  externalAccessPolicies: z.array(ExternalAccessPolicySchema).default([]),
  users: z.array(UserSchema).default([]),
  edgePool: EdgePoolSchema,
  reverseProxy: z
    .strictObject({
      certificate: z
        .strictObject({ omitNames: z.array(FqdnSchema).default([]).describe("names left off the reverse-proxy certificate, e.g. lyncdiscover.<domain>") })
        .default({ omitNames: [] }),
    })
    .optional()
    .describe("MOB-4: a reverse-proxy certificate without lyncdiscover.<domain> (the SAN not bought) breaks autodiscover over HTTPS"),
});

export type Organisation = z.infer<typeof OrganisationSchema>;
export type User = z.infer<typeof UserSchema>;
export type ExternalAccessPolicy = z.infer<typeof ExternalAccessPolicySchema>;
export type EdgePool = z.infer<typeof EdgePoolSchema>;
export { sipUri as SipUriSchema, hostName as HostNameSchema };
