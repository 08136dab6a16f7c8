/**
 * A side of a diff: a topology (a registry name or YAML file) or a folder of
 * Management Shell output, imported the way `edgesim import` does.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadTopology } from "../topology/registry.ts";
import { parseTopology } from "../topology/load.ts";
import type { Topology } from "../topology/schema.ts";
import { importShellOutput, readInputs } from "../import/index.ts";
import type { PartnerProduct } from "../topology/schema-partners.ts";
import { formatImportProblem } from "../import/record.ts";

/** A folder whose records could not all be imported: a diff on half a configuration would mislead. */
export class DiffSideError extends Error {}

export function loadDiffSide(nameOrPath: string, partners: Map<string, PartnerProduct> = new Map()): Topology {
  let dir = false;
  try {
    dir = statSync(nameOrPath).isDirectory();
  } catch {
    dir = false;
  }
  if (!dir) return loadTopology(nameOrPath);
  const files = readdirSync(nameOrPath).filter((f) => !f.startsWith(".")).sort().map((f) => join(nameOrPath, f)).filter((f) => statSync(f).isFile());
  if (files.length === 0) throw new RangeError(`${nameOrPath}: an empty folder (expected Management Shell output files)`);
  const r = importShellOutput(readInputs(files), { name: "imported", partners });
  const errors = r.problems.filter((p) => p.severity === "error");
  if (errors.length) throw new DiffSideError(`${nameOrPath}: ${errors.length} records could not be imported:\n${errors.map((p) => `  ${formatImportProblem(p)}`).join("\n")}`);
  return parseTopology(r.yaml, `${nameOrPath} (imported)`);
}
