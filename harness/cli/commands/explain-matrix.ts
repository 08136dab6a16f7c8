/**
 * `edgesim explain --matrix`: every (user, partner, direction, modality) cell of a
 * topology with its verdict and deciding rule (harness/matrix/). Exit 0: a matrix
 * is an answer, not a check (diff is the check).
 */
import { loadTopology } from "../../topology/registry.ts";
import { buildMatrix } from "../../matrix/matrix.ts";
import { formatMatrix, MATRIX_FORMATS, type MatrixFormat } from "../../matrix/format.ts";
import { ExplainUsageError } from "../../explain/offline.ts";

export interface MatrixCliOptions {
  topology: string;
  format?: string;
  allUsers?: boolean;
  json?: boolean;
}

export function printMatrix(opts: MatrixCliOptions): void {
  const format = (opts.json ? "json" : (opts.format ?? "table")) as MatrixFormat;
  if (!MATRIX_FORMATS.includes(format)) throw new ExplainUsageError(`--format ${opts.format}: expected one of ${MATRIX_FORMATS.join(", ")}`);
  const m = buildMatrix(loadTopology(opts.topology), { allUsers: opts.allUsers ?? false });
  process.stdout.write(formatMatrix(m, format));
  process.exitCode = 0;
}
