/** Small statistics for the benchmarks: medians and percentiles of samples. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  detail?: string;
  /** The target, as text, and whether this run met it (reported, never asserted). */
  target?: string;
  pass?: boolean;
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}
