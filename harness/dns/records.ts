/**
 * The records of one DNS view. A view is a flat list: authoritative data for the
 * sandbox's `.test` names, keyed by lowercase name and type.
 */
export type RecordType = "A" | "CNAME" | "SRV";

export interface ARecord { name: string; type: "A"; address: string; ttl: number }
export interface CnameRecord { name: string; type: "CNAME"; target: string; ttl: number }
export interface SrvRecordData { name: string; type: "SRV"; priority: number; weight: number; port: number; target: string; ttl: number }
export type DnsRecord = ARecord | CnameRecord | SrvRecordData;

export type ViewName = "internal" | "external";

export class RecordSet {
  private readonly byName = new Map<string, DnsRecord[]>();

  add(record: DnsRecord): void {
    const key = record.name.toLowerCase();
    const list = this.byName.get(key) ?? [];
    const dup = list.some((r) => JSON.stringify(r) === JSON.stringify(record));
    if (!dup) list.push(record);
    this.byName.set(key, list);
  }

  /** Drop every record of this name and type (a topology override replaces derived records). */
  remove(name: string, type: RecordType): void {
    const key = name.toLowerCase();
    const kept = (this.byName.get(key) ?? []).filter((r) => r.type !== type);
    if (kept.length) this.byName.set(key, kept);
    else this.byName.delete(key);
  }

  get(name: string, type?: RecordType): DnsRecord[] {
    const list = this.byName.get(name.toLowerCase().replace(/\.$/, "")) ?? [];
    return type ? list.filter((r) => r.type === type) : list;
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase().replace(/\.$/, ""));
  }

  all(): DnsRecord[] {
    return [...this.byName.values()].flat();
  }
}

export function describeRecord(r: DnsRecord): string {
  switch (r.type) {
    case "A":
      return `${r.name} A ${r.address}`;
    case "CNAME":
      return `${r.name} CNAME ${r.target}`;
    case "SRV":
      return `${r.name} SRV ${r.priority} ${r.weight} ${r.port} ${r.target}`;
  }
}
