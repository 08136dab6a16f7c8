/**
 * Named topologies shipped with edgesim, for the CLI's --topology NAME (a path
 * to a YAML file works too).
 */
import { existsSync } from "node:fs";
import { loadTopologyFile } from "./load.ts";
import type { Topology } from "./schema.ts";
import { projectPath } from "../paths/project-root.ts";

export const TOPOLOGIES: Record<string, { file: string; summary: string }> = {
  contoso: { file: projectPath("harness/topology/contoso.yaml"), summary: "2-node Edge pool behind an HLB, one partner of each kind, one blocked domain" },
};

export const DEFAULT_TOPOLOGY = "contoso";

/** A registry name or a file path -> the file to load. */
export function topologyFile(nameOrPath: string = DEFAULT_TOPOLOGY): string {
  const known = TOPOLOGIES[nameOrPath];
  if (known) return known.file;
  if (existsSync(nameOrPath)) return nameOrPath;
  throw new RangeError(`no topology named '${nameOrPath}' and no such file (named topologies: ${Object.keys(TOPOLOGIES).join(", ")})`);
}

export function loadTopology(nameOrPath?: string): Topology {
  return loadTopologyFile(topologyFile(nameOrPath));
}
