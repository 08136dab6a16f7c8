/**
 * `edgesim ports`: the minimal firewall rule set a topology needs (PORT-5), as the
 * seeds' tables (PORT-1..PORT-4), CSV, JSON or an nftables ruleset for `nft -f`.
 * `--addresses real` prints the admin's own addresses (the topology's
 * realAddresses and `--map SANDBOX=REAL`) in place of the 127.x plan; rows nothing
 * maps are flagged, and left out of the nftables ruleset as comments.
 */
import type { Command } from "commander";
import { loadTopology } from "../../topology/registry.ts";
import { computePortPlan } from "../../net/port-plan.ts";
import { FEATURES, isFeature } from "../../net/features.ts";
import type { Feature } from "../../net/port-rows.ts";
import { addressNotes, formatPortsCsv, formatPortsJson, formatPortsTable, type AddressView, type NotesLanguage } from "../../net/format-ports.ts";
import { AddressMapError, parseMapOption, resolveRealAddresses, withRealAddresses } from "../../net/real-addresses.ts";
import type { PortPlan } from "../../net/port-plan.ts";
import type { Topology } from "../../topology/schema.ts";
import { cidr, renderNftables } from "../../../edge/firewall/nftables.ts";

const FORMATS = ["table", "csv", "json", "nftables"] as const;
const ADDRESSES = ["sandbox", "real"] as const;

export class PortsUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PortsUsageError";
  }
}

function features(list: string[], on: boolean, into: Partial<Record<Feature, boolean>>): void {
  for (const name of list) {
    if (!isFeature(name)) throw new PortsUsageError(`edgesim ports: unknown feature '${name}' (known: ${FEATURES.join(", ")})`);
    into[name] = on;
  }
}

export interface PortsOptions {
  topology: string;
  format: string;
  notes?: string;
  with?: string[];
  without?: string[];
  /** sandbox (default): the 127.x plan; real: the admin's own addresses where mapped. */
  addresses?: string;
  /** --map SANDBOX=REAL entries, after the topology's realAddresses (so they win). */
  map?: string[];
}

export function renderPorts(opts: PortsOptions): string {
  if (!(FORMATS as readonly string[]).includes(opts.format)) throw new PortsUsageError(`edgesim ports: --format must be one of ${FORMATS.join(", ")}, not '${opts.format}'`);
  const notes = (opts.notes ?? "en") as NotesLanguage;
  if (notes !== "en" && notes !== "seed") throw new PortsUsageError(`edgesim ports: --notes must be en or seed, not '${opts.notes}'`);
  const addresses = opts.addresses ?? "sandbox";
  if (!(ADDRESSES as readonly string[]).includes(addresses)) throw new PortsUsageError(`edgesim ports: --addresses must be sandbox or real, not '${addresses}'`);
  if (addresses === "sandbox" && (opts.map ?? []).length > 0) throw new PortsUsageError("edgesim ports: --map gives real addresses: use it with --addresses real");
  const overrides: Partial<Record<Feature, boolean>> = {};
  features(opts.with ?? [], true, overrides);
  features(opts.without ?? [], false, overrides);
  const topology = loadTopology(opts.topology);
  const plan = computePortPlan(topology, overrides);
  const view = addresses === "real" ? realView(topology, plan, opts.map ?? []) : ({ kind: "sandbox" } as const);
  const shown: PortPlan = view.kind === "real" ? { ...plan, rules: view.real.rules } : plan;
  switch (opts.format) {
    case "csv": return formatPortsCsv(shown, view);
    case "json": return formatPortsJson(shown, view);
    case "nftables": return nftables(shown, view);
    default: return formatPortsTable(shown, notes, view);
  }
}

/** The topology's realAddresses, then --map (later entries win); a --map naming nothing of the plan is a usage error. */
function realView(t: Topology, plan: PortPlan, map: string[]): Extract<AddressView, { kind: "real" }> {
  const fromMap = map.map((m) => {
    try {
      return parseMapOption(m);
    } catch (err) {
      if (err instanceof AddressMapError) throw new PortsUsageError(`edgesim ports: ${err.message}`);
      throw err;
    }
  });
  const entries = [...t.realAddresses, ...fromMap];
  const resolved = resolveRealAddresses(t, entries);
  const bad = resolved.problems.find((p) => p.index >= t.realAddresses.length);
  if (bad) throw new PortsUsageError(`edgesim ports: --map ${map[bad.index - t.realAddresses.length]}: ${bad.message}`);
  const zones = Object.fromEntries(Object.entries(plan.zones).map(([z, prefix]) => [z, resolved.bySandbox.get(prefix)?.real]));
  return { kind: "real", real: withRealAddresses(t, plan, resolved), zones };
}

/** Rules still carrying a sandbox address are printed as comments, never installed beside real ones. */
function nftables(p: PortPlan, view: AddressView): string {
  if (view.kind === "sandbox") return renderNftables(p.rules);
  const disabled = new Map([...view.real.unmappedRules].map(([id, list]) => [id, `${id} still has sandbox address ${list.map(cidr).join(", ")}: nothing maps it to a real address`]));
  return renderNftables(p.rules, { header: addressNotes(view), disabled });
}

const collect = (v: string, prev: string[]) => [...prev, ...v.split(",").filter(Boolean)];

export function registerPorts(program: Command): void {
  program
    .command("ports")
    .description("print the firewall rules the topology's features need (seeds 002 and 004), or an nftables ruleset")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("-f, --format <format>", `one of ${FORMATS.join(", ")}`, "table")
    .option("--notes <lang>", "table notes: en (translated) or seed (the seeds' own Korean text)", "en")
    .option("--with <features>", "force features on (comma-separated)", collect, [])
    .option("--without <features>", "force features off (comma-separated)", collect, [])
    .option("--addresses <kind>", "sandbox (the 127.x plan) or real (the admin's own addresses, from the topology's realAddresses and --map)", "sandbox")
    .option("--map <sandbox=real>", "a real address for a plan entry, e.g. vip-access=203.0.113.10, edge1/external-av=203.0.113.22, internal=10.0.0.0/8 (repeatable; printed only, never bound)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action((opts: PortsOptions) => {
      try {
        process.stdout.write(renderPorts(opts) + "\n");
      } catch (err) {
        if (!(err instanceof PortsUsageError)) throw err;
        process.stderr.write(err.message + "\n");
        process.exitCode = 2;
      }
    });
}
