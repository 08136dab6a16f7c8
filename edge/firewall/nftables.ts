/**
 * The rule set as an nftables ruleset (`nft -f`): one table per firewall, each
 * with a forward chain whose policy is drop, so a host that routes between the
 * zones enforces both firewalls the way two devices would (a packet crossing
 * both must be accepted by both; a drop in either is final). Established flows
 * are accepted first; each rule's comment names its ID (PORT-5).
 */
import type { FirewallName, FirewallRule, Selector } from "./types.ts";

/** "127.10." -> "127.10.0.0/16"; exact addresses stay as they are (also what `edgesim ports` prints). */
export function cidr(a: string): string {
  if (!a.endsWith(".")) return a;
  const octets = a.slice(0, -1).split(".");
  return [...octets, ...Array(4 - octets.length).fill("0")].join(".") + `/${octets.length * 8}`;
}

function match(field: "saddr" | "daddr", s: Selector): string {
  if (s.addresses.length === 0) return "";
  const list = s.addresses.map(cidr);
  return `ip ${field} ${list.length === 1 ? list[0] : `{ ${list.join(", ")} }`} `;
}

/** nft comments: printable ASCII, at most 128 bytes. */
function comment(r: FirewallRule): string {
  const text = `${r.id}: ${r.label} (${r.feature})`.replace(/[^\x20-\x7e]/g, "?").replace(/["\\]/g, "'");
  return text.length > 120 ? text.slice(0, 117) + "..." : text;
}

export interface NftablesOptions {
  /** Table name prefix (default "edgesim"). */
  name?: string;
  /** Comment lines after the first (what the addresses are). */
  header?: string[];
  /**
   * Rule ID -> why it is not installed: printed as a comment, never as a rule
   * (`edgesim ports --addresses real` for a row whose sandbox address nothing maps:
   * a real firewall must not get a 127.x address mixed into its rules).
   */
  disabled?: ReadonlyMap<string, string>;
}

export function renderNftables(rules: FirewallRule[], opts: NftablesOptions = {}): string {
  const base = opts.name ?? "edgesim";
  const out: string[] = [`# edgesim firewall rules: check with nft -c -f FILE (PORT-5)`, ...(opts.header ?? []).map((l) => `# ${l}`), ""];
  for (const fw of ["external", "internal"] as FirewallName[]) {
    const table = `inet ${base}_${fw}_firewall`;
    // Replace only our own tables (create, delete, define): never flush the host's ruleset.
    out.push(`table ${table}`, `delete table ${table}`, `table ${table} {`, `  chain forward {`, `    type filter hook forward priority filter; policy drop;`, `    ct state established,related accept`);
    for (const r of rules.filter((x) => x.firewall === fw)) {
      const ports = r.ports[0] === r.ports[1] ? `${r.ports[0]}` : `${r.ports[0]}-${r.ports[1]}`;
      const line = `${match("saddr", r.source)}${match("daddr", r.destination)}${r.protocol} dport ${ports} ct state new accept comment "${comment(r)}"`;
      const why = opts.disabled?.get(r.id);
      out.push(...(why === undefined ? [`    ${line}`] : [`    # NOT INSTALLED: ${why}`, `    # ${line}`]));
    }
    out.push(`  }`, `}`, "");
  }
  return out.join("\n");
}
