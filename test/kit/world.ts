/**
 * World helpers for tests: each test file takes its own four /16 zones (so files
 * running side by side never share an address), never binds privileged ports,
 * and keeps its certificate cache in a temporary folder.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTopology } from "../../harness/topology/registry.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { World, type WorldOptions } from "../../harness/world/world.ts";

/** Four /16 zones starting at 127.B.0.0/16. */
export function addressingAt(base: number): Topology["addressing"] {
  return { internal: `127.${base}.0.0/16`, perimeterInternal: `127.${base + 1}.0.0/16`, perimeterExternal: `127.${base + 2}.0.0/16`, internet: `127.${base + 3}.0.0/16` };
}

/** The contoso topology (or another) moved to zones 127.B.0.0/16 .. 127.B+3.0.0/16. */
export function topologyAt(base: number, name = "contoso", edit?: (t: Topology) => void): Topology {
  if (base < 44 || base > 250 || (base > 56 && base < 64)) throw new RangeError(`test zone base ${base} must be 44..56 or 64..250 (10-40 is the default world's, 60-63 the bench's)`);
  const t = structuredClone(loadTopology(name));
  t.addressing = addressingAt(base);
  edit?.(t);
  return t;
}

/** One shared certificate cache for the whole run: a cold PKI is issued once per topology name. */
export const TEST_STATE_DIR = mkdtempSync(join(tmpdir(), "edgesim-test-"));

export async function startTestWorld(topology: Topology, opts: Partial<WorldOptions> = {}): Promise<World> {
  return World.start({ topology, stateDir: TEST_STATE_DIR, privileged: false, ...opts });
}
