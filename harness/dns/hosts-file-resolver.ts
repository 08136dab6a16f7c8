/**
 * A HOSTS-file NameResolver for hosts in the perimeter that need internal names
 * (PORT-3, PORT-5). Real Edge servers are not domain members and sit behind the
 * internal firewall, whose rules (seed 002, PORT-3) open no DNS from the edge's
 * internal interface to the internal DNS: Microsoft's Edge planning has the
 * internal names (the front-end pool, Directors, the front ends) resolved from
 * the edge's HOSTS file or from a DNS server in the perimeter network. The same
 * holds for the reverse proxy (seed 004 names no DNS either, PORT-4). edgesim
 * models the HOSTS file: A records written from the address plan, no SRV (a
 * HOSTS file has none), no packet leaves the host, so no firewall rule is needed.
 *
 * Like a real HOSTS file it is written once: it does not follow later changes to
 * the internal DNS view (a topology's `dnsRecords` override of the pool's A
 * records does not reach it).
 */
import type { LookupFunction } from "node:net";
import { assertLoopback } from "../../edge/net/loopback.ts";
import { NameNotFoundError, type NameResolver, type SrvTarget } from "../../edge/net/resolver.ts";
import type { Topology } from "../topology/schema.ts";
import type { AddressPlan } from "../world/address-plan.ts";
import { lookupVia } from "./resolver.ts";

/** One HOSTS-file line: a name and its addresses (several lines for one name give several A records). */
export type HostsEntries = ReadonlyMap<string, readonly string[]>;

export interface HostsFileResolver extends NameResolver {
  /** The file's lines as `address name`, for traces and docs. */
  readonly lines: string[];
}

const normalise = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** A resolver answering A questions from `entries` only; SRV and unknown names are not found (ENOTFOUND), nothing is sent. */
export function createHostsFileResolver(view: string, entries: HostsEntries): HostsFileResolver {
  const table = new Map<string, string[]>();
  for (const [name, addresses] of entries) table.set(normalise(name), addresses.map((a) => assertLoopback(a, `list ${name} at`)));
  const resolveA = async (name: string): Promise<string[]> => {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return [assertLoopback(name, "connect to")];
    const hit = table.get(normalise(name));
    if (!hit?.length) throw new NameNotFoundError(name, "ENOTFOUND", view);
    return [...hit];
  };
  const resolveSrv = async (name: string): Promise<SrvTarget[]> => {
    throw new NameNotFoundError(name, "ENOTFOUND", `${view} (a HOSTS file holds no SRV records)`);
  };
  const lookup: LookupFunction = lookupVia(resolveA);
  const lines = [...table].flatMap(([name, addresses]) => addresses.map((a) => `${a} ${name}`));
  return { view, resolveA, resolveSrv, lookup, lines };
}

/**
 * The HOSTS file of a perimeter host (Edge server, reverse proxy), from the address
 * plan: the front-end pool FQDN (one line per front end, as DNS load balancing of
 * the pool would answer) and each front end's own FQDN. These are the internal
 * names an edge dials (the pool, SIP 5061) and the reverse proxy publishes (RP-1).
 */
export function perimeterHostsFile(t: Topology, plan: AddressPlan): HostsFileResolver {
  const pool = t.organisation.frontEndPool;
  const entries = new Map<string, string[]>();
  const add = (name: string, address: string) => entries.set(name, [...(entries.get(name) ?? []), address]);
  for (const fe of pool.servers) {
    const e = plan.byHost(fe);
    add(pool.fqdn, e.address);
    if (e.fqdn) add(e.fqdn, e.address);
  }
  return createHostsFileResolver("hosts-file", entries);
}
