/**
 * Load shapes for SIP relay benchmarks: a closed loop (N requests in flight for a
 * bounded time: the peak rate) and an open loop (a fixed offered rate: latency at
 * half the peak). Both bounded in time and in count.
 */
import { percentile } from "./stats.ts";

export interface LoadResult {
  done: number;
  failed: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  firstFailure?: string;
}

export type SendOnce = () => Promise<{ ok: boolean; why?: string }>;

function summarise(latencies: number[], failed: number, seconds: number, firstFailure?: string): LoadResult {
  return { done: latencies.length, failed, seconds, rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), ...(firstFailure ? { firstFailure } : {}) };
}

export async function closedLoop(send: SendOnce, inFlight: number, seconds: number, maxRequests = 200_000): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let issued = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && issued < maxRequests) {
      issued++;
      const t0 = performance.now();
      const r = await send();
      if (r.ok) latencies.push(performance.now() - t0);
      else {
        failed++;
        firstFailure ??= r.why;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return summarise(latencies, failed, (performance.now() - start) / 1000, firstFailure);
}

export async function openLoop(send: SendOnce, ratePerSecond: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.max(1, Math.floor(ratePerSecond * seconds));
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(send().then((r) => {
      if (r.ok) latencies.push(performance.now() - t0);
      else {
        failed++;
        firstFailure ??= r.why;
      }
    }));
  }
  await Promise.all(pending);
  return summarise(latencies, failed, (performance.now() - start) / 1000, firstFailure);
}
