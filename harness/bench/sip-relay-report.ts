/**
 * The SIP relay bench's rows, for both arms always, and its ratio only when honest:
 *  1. each arm: peak MESSAGE/s (ok and failed counts, the first failure), p99 at half
 *     the peak, and the CPU each side spent per MESSAGE at the peak (edge, generator,
 *     partner; read from /proc), so a noisy minute can be told from a slow design;
 *  2. the ratio ours/Kamailio, refused (the row says why) when either arm had any
 *     failure: a rate measured while requests fail is not the rate of a working relay.
 */
import type { LoadResult } from "./sip-relay-load.ts";
import type { BenchResult } from "./stats.ts";

/** CPU microseconds per relayed MESSAGE at the peak; undefined when that side's processes could not be read. */
export interface CpuPerMessage {
  edgeUs: number | undefined;
  generatorUs: number;
  partnerUs: number | undefined;
}

export interface ArmResult {
  /** "ours: Access Edge ..." or "Kamailio edge ...". */
  label: string;
  /** What this arm is (SRV lookup or fixed next hop, memory). */
  note: string;
  peak: LoadResult;
  half: LoadResult;
  cpu: CpuPerMessage;
}

const us = (v: number | undefined) => (v === undefined ? "unknown" : `${v.toFixed(0)} us`);

function failures(x: LoadResult): string {
  return `${x.failed} failed${x.firstFailure ? ` (first: ${x.firstFailure})` : ""}`;
}

/** Three rows per arm, printed whatever happened: the reader sees the failed counts next to the figures. */
export function armRows(arm: ArmResult, shared: string): BenchResult[] {
  const { label, peak, half, cpu } = arm;
  return [
    { name: `sip relay (${label}), MESSAGE/s`, value: peak.rate, unit: "msg/s", detail: `${peak.done} ok, ${failures(peak)} in ${peak.seconds.toFixed(1)} s; at peak p50 ${peak.p50.toFixed(1)} ms, p99 ${peak.p99.toFixed(1)} ms; ${arm.note}; ${shared}` },
    { name: `sip relay (${label}), p99 at half the peak rate`, value: half.p99, unit: "ms", detail: `${half.rate.toFixed(0)} msg/s offered, p50 ${half.p50.toFixed(2)} ms, ${failures(half)}`, target: "< 20 ms", pass: half.failed === 0 && half.p99 < 20 },
    { name: `sip relay (${label}), edge CPU per MESSAGE at peak`, value: cpu.edgeUs ?? NaN, unit: "us", detail: `edge ${us(cpu.edgeUs)}, generator ${us(cpu.generatorUs)}, partner Kamailio ${us(cpu.partnerUs)} (user + system CPU of each side's processes over the peak phase / MESSAGE answered 200)` },
  ];
}

function failedTotal(arm: ArmResult): number {
  return arm.peak.failed + arm.half.failed;
}

/** ours/Kamailio at the peak, or NaN with the reason when either arm failed any request. */
export function ratioRow(ours: ArmResult, ref: ArmResult): BenchResult {
  const name = "sip relay ratio ours/Kamailio (peak MESSAGE/s, only the edge differs)";
  const broken = [ours, ref].filter((a) => failedTotal(a) > 0);
  if (broken.length > 0) {
    const why = broken.map((a) => `${a.label}: ${failedTotal(a)} failed (first: ${a.peak.firstFailure ?? a.half.firstFailure ?? "?"})`).join("; ");
    return { name, value: NaN, unit: "x", target: ">= 1.0 with both arms at 0 failed", pass: false, detail: `no ratio: a rate measured while requests fail is not comparable. ${why}` };
  }
  const ratio = ours.peak.rate / ref.peak.rate;
  const cpu = ours.cpu.edgeUs !== undefined && ref.cpu.edgeUs !== undefined ? `; edge CPU per MESSAGE ours/Kamailio ${(ours.cpu.edgeUs / ref.cpu.edgeUs).toFixed(2)}` : "";
  return { name, value: ratio, unit: "x", target: ">= 1.0 with both arms at 0 failed", pass: ratio >= 1, detail: `both arms 0 failed${cpu}` };
}
