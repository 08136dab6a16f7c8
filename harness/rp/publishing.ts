/**
 * The reverse proxy's publishing rules (RP-1): one per pool or director,
 * `https://<external web FQDN>/*` -> the pool's external web services on 4443;
 * the external autodiscover name lyncdiscover.<sipdomain> to the same pool; the
 * simple URLs (meet, dialin) to the director, or without one to a designated
 * pool, which redirects to the user's home pool. Port 80 publishes autodiscover
 * to the pool's 8080 (MOB-4, PORT-4); other port-80 requests are redirected to HTTPS.
 */
import type { Topology } from "../topology/schema.ts";

export interface PublishingRule {
  name: string;
  hosts: string[];
  /** The pool FQDN the rule publishes (its servers come from the internal DNS view). */
  pool: string;
  /** Published on port 80 to the pool's 8080 (autodiscover over HTTP). */
  http: boolean;
  rules: string[];
}

export function publishingRules(t: Topology): PublishingRule[] {
  const o = t.organisation;
  const pool = o.frontEndPool.fqdn;
  return [
    { name: `external web services of ${pool}`, hosts: [o.externalWebFqdn], pool, http: false, rules: ["RP-1", "PORT-4"] },
    { name: "external autodiscover", hosts: o.sipDomains.map((d) => `lyncdiscover.${d}`), pool, http: true, rules: ["RP-1", "MOB-1", "MOB-4"] },
    // No director in the topology: the front-end pool is the designated pool for simple URLs.
    { name: `simple URLs (designated pool ${pool})`, hosts: o.sipDomains.flatMap((d) => [`meet.${d}`, `dialin.${d}`]), pool, http: false, rules: ["RP-1"] },
  ];
}

export function findRule(rules: PublishingRule[], host: string): PublishingRule | undefined {
  const h = host.replace(/:\d+$/, "").toLowerCase();
  return rules.find((r) => r.hosts.includes(h));
}
