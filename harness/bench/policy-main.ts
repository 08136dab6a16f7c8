/**
 * The policy benchmark's own process (so its peak memory is its own): generates
 * the tenant, imports it (decode, parse, map, write YAML), validates the result
 * as `edgesim validate` does, builds the matrix (one user per policy x every
 * domain), and prints the figures as one JSON line.
 */
import { generateTenant } from "./policy-tenant.ts";
import { importShellOutput } from "../import/index.ts";
import { parseTopology } from "../topology/load.ts";
import { buildMatrix } from "../matrix/matrix.ts";

function utf16le(text: string): Uint8Array {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
}

const bytes = utf16le(generateTenant());
/** CPU time as well as wall time: on a shared 2-core machine the wall clock mostly measures the neighbours. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const t0 = performance.now();
const c0 = cpuMs();
const imported = importShellOutput([{ file: "tenant.txt", bytes }], { name: "tenant", partners: new Map() });
const t1 = performance.now();
const c1 = cpuMs();
const topology = parseTopology(imported.yaml, "tenant.yaml");
const t2 = performance.now();
const c2 = cpuMs();
const matrix = buildMatrix(topology);
const t3 = performance.now();
const c3 = cpuMs();
process.stdout.write(
  JSON.stringify({
    inputBytes: bytes.length,
    yamlBytes: imported.yaml.length,
    users: topology.organisation.users.length,
    partners: topology.partners.length,
    errors: imported.summary.errors,
    importMs: t1 - t0,
    validateMs: t2 - t1,
    matrixMs: t3 - t2,
    importCpuMs: c1 - c0,
    validateCpuMs: c2 - c1,
    matrixCpuMs: c3 - c2,
    cells: matrix.cells.length,
    subjects: matrix.subjects.length,
    domains: matrix.domains.length,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }) + "\n",
);
