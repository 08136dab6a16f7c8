/**
 * Answers one DNS question from a view: the authoritative logic, apart from the
 * sockets. Internal view falls through to external for names it does not hold
 * (DNS-4); CNAME chains are followed inside the view; SRV answers carry the
 * targets' A records as additionals. The sandbox never recurses to the real
 * DNS: it answers for `.test` and for the domains the topology itself names (an
 * imported configuration keeps the admin's real names, contoso.com, served here
 * inside the world only); any other name is REFUSED.
 */
import type { CnameRecord, DnsRecord, RecordSet, ViewName } from "./records.ts";

export type Rcode = "NOERROR" | "NXDOMAIN" | "REFUSED" | "FORMERR" | "NOTIMP";

export interface DnsAnswer {
  rcode: Rcode;
  answers: DnsRecord[];
  additionals: DnsRecord[];
}

export interface View {
  name: ViewName;
  /** Where to look, in order: internal is [internal, external]; external is [external]. */
  sets: RecordSet[];
}

const SUPPORTED = new Set(["A", "CNAME", "SRV"]);
const MAX_CNAME_HOPS = 8;

export function answerQuestion(view: View, qname: string, qtype: string): DnsAnswer {
  const name = qname.toLowerCase().replace(/\.$/, "");
  if (!isSandboxName(view, name)) return { rcode: "REFUSED", answers: [], additionals: [] };
  const answers: DnsRecord[] = [];
  let current = name;
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const set = view.sets.find((s) => s.has(current));
    if (!set) return { rcode: hop === 0 ? "NXDOMAIN" : "NOERROR", answers, additionals: [] };
    const cname = set.get(current, "CNAME")[0] as CnameRecord | undefined;
    if (cname && qtype !== "CNAME") {
      answers.push(cname);
      current = cname.target.toLowerCase();
      continue;
    }
    if (!SUPPORTED.has(qtype)) return { rcode: "NOERROR", answers, additionals: [] };
    const found = set.get(current, qtype as DnsRecord["type"]);
    answers.push(...found);
    return { rcode: "NOERROR", answers, additionals: additionalsFor(view, found) };
  }
  return { rcode: "NOERROR", answers, additionals: [] };
}

function additionalsFor(view: View, records: DnsRecord[]): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const r of records) {
    if (r.type !== "SRV") continue;
    const set = view.sets.find((s) => s.has(r.target));
    if (set) out.push(...set.get(r.target, "A"));
  }
  return out;
}

/** `.test`, or a name in a domain (two labels or more) the view holds records under. */
function isSandboxName(view: View, name: string): boolean {
  if (name === "test" || name.endsWith(".test")) return true;
  const labels = name.split(".");
  const domains = labels.slice(0, -1).map((_, i) => labels.slice(i).join(".")).filter((d) => d.includes("."));
  if (domains.length === 0) return false;
  return view.sets.some((set) => set.all().some((r) => domains.some((d) => r.name === d || r.name.endsWith(`.${d}`))));
}
