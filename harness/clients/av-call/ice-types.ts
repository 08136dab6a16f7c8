/**
 * ICE candidates and pairs (RFC 8445, the RFC 5245 subset edgesim models): the three
 * candidate types a Lync client gathers (host, server-reflexive from a STUN Binding to its
 * A/V Edge, relayed from a TURN Allocate on it), their priorities (RFC 8445 5.1.2.1) and
 * the pair priority (6.1.2.3) that orders connectivity checks.
 */
export interface Addr { address: string; port: number }

export type CandidateType = "host" | "srflx" | "relay";

export interface Candidate {
  type: CandidateType;
  /** RFC 8445 5.1.1.3: same type, base IP and server -> same foundation. */
  foundation: string;
  component: 1;
  priority: number;
  address: string;
  port: number;
  /** For srflx/relay: the address it was derived from (SDP raddr/rport, RFC 8839 5.1). */
  related?: Addr;
}

/** RFC 8445 5.1.2.2 recommended type preferences. */
export const TYPE_PREFERENCE: Record<CandidateType, number> = { host: 126, srflx: 100, relay: 0 };

/** RFC 8445 5.1.2.1: (2^24)*type pref + (2^8)*local pref + (256 - component ID). One interface: local pref 65535. */
export function candidatePriority(type: CandidateType, component = 1, localPreference = 65535): number {
  return TYPE_PREFERENCE[type] * 2 ** 24 + localPreference * 2 ** 8 + (256 - component);
}

export function makeCandidate(type: CandidateType, at: Addr, related?: Addr): Candidate {
  return { type, foundation: String(1 + ["host", "srflx", "relay"].indexOf(type)), component: 1, priority: candidatePriority(type), address: at.address, port: at.port, ...(related ? { related } : {}) };
}

export interface CandidatePair {
  local: Candidate;
  remote: Candidate;
  priority: bigint;
}

/** RFC 8445 6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), G the controlling agent's candidate priority. */
export function pairPriority(controlling: number, controlled: number): bigint {
  const g = BigInt(controlling);
  const d = BigInt(controlled);
  const [min, max] = g < d ? [g, d] : [d, g];
  return (1n << 32n) * min + 2n * max + (g > d ? 1n : 0n);
}

/**
 * RFC 8445 6.1.2.4: pairs of every local and remote candidate, highest priority first. A local
 * srflx candidate is replaced by its base (the host candidate), so it forms no pairs of its own;
 * remote srflx candidates are kept (they are where the other side really is, or claims to be).
 */
export function formPairs(local: Candidate[], remote: Candidate[], controlling: boolean): CandidatePair[] {
  const pairs: CandidatePair[] = [];
  for (const l of local.filter((c) => c.type !== "srflx"))
    for (const r of remote) pairs.push({ local: l, remote: r, priority: controlling ? pairPriority(l.priority, r.priority) : pairPriority(r.priority, l.priority) });
  return pairs.sort((a, b) => (a.priority === b.priority ? 0 : a.priority > b.priority ? -1 : 1));
}

export const addrText = (a: Addr): string => `${a.address}:${a.port}`;
export const candidateText = (c: Candidate): string => `${c.type} ${c.address}:${c.port}`;
export const pairText = (p: CandidatePair): string => `${candidateText(p.local)} -> ${candidateText(p.remote)}`;
