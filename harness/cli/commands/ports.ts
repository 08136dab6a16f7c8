/**
 * `edgesim ports`: the minimal firewall rule set a topology needs (PORT-5), as the
 * seeds' tables (PORT-1..PORT-4), CSV, JSON or an nftables ruleset for `nft -f`.
 */
import type { Command } from "commander";
import { loadTopology } from "../../topology/registry.ts";
import { computePortPlan } from "../../net/port-plan.ts";
import { FEATURES, isFeature } from "../../net/features.ts";
import type { Feature } from "../../net/port-rows.ts";
import { formatPortsCsv, formatPortsJson, formatPortsTable, type NotesLanguage } from "../../net/format-ports.ts";
import { renderNftables } from "../../../edge/firewall/nftables.ts";

const FORMATS = ["table", "csv", "json", "nftables"] as const;

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

export function renderPorts(opts: { topology: string; format: string; notes?: string; with?: string[]; without?: string[] }): string {
  if (!(FORMATS as readonly string[]).includes(opts.format)) throw new PortsUsageError(`edgesim ports: --format must be one of ${FORMATS.join(", ")}, not '${opts.format}'`);
  const notes = (opts.notes ?? "en") as NotesLanguage;
  if (notes !== "en" && notes !== "seed") throw new PortsUsageError(`edgesim ports: --notes must be en or seed, not '${opts.notes}'`);
  const overrides: Partial<Record<Feature, boolean>> = {};
  features(opts.with ?? [], true, overrides);
  features(opts.without ?? [], false, overrides);
  const plan = computePortPlan(loadTopology(opts.topology), overrides);
  switch (opts.format) {
    case "csv": return formatPortsCsv(plan);
    case "json": return formatPortsJson(plan);
    case "nftables": return renderNftables(plan.rules);
    default: return formatPortsTable(plan, notes);
  }
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
    .action((opts: { topology: string; format: string; notes: string; with: string[]; without: string[] }) => {
      try {
        process.stdout.write(renderPorts(opts) + "\n");
      } catch (err) {
        if (!(err instanceof PortsUsageError)) throw err;
        process.stderr.write(err.message + "\n");
        process.exitCode = 2;
      }
    });
}
