/**
 * The sip-relay bench's report (harness/bench/sip-relay-report.ts): the figures of both
 * arms are always printed, and the ratio ours/Kamailio is refused, with the reason,
 * when either arm failed any request (a rate measured while requests fail compares
 * against a broken run). Pure functions: no sockets, no timing asserted.
 */
import { describe, expect, it } from "vitest";
import { armRows, ratioRow, type ArmResult } from "../../harness/bench/sip-relay-report.ts";
import type { LoadResult } from "../../harness/bench/sip-relay-load.ts";

const load = (rate: number, failed = 0, firstFailure?: string): LoadResult => ({ done: rate * 3, failed, seconds: 3, rate, p50: 2, p99: 9, ...(firstFailure ? { firstFailure } : {}) });
const arm = (label: string, peak: LoadResult, half: LoadResult = load(peak.rate / 2), edgeUs: number | undefined = 100): ArmResult =>
  ({ label, note: "n", peak, half, cpu: { edgeUs, generatorUs: 50, partnerUs: 40 } });

describe("sip-relay bench report", () => {
  it("gives the ratio of the peak rates when both arms had 0 failed", () => {
    const r = ratioRow(arm("ours", load(6000)), arm("kam", load(5000), load(2500), 200));
    expect(r.value).toBeCloseTo(1.2);
    expect(r.pass).toBe(true);
    expect(r.detail).toContain("edge CPU per MESSAGE ours/Kamailio 0.50");
  });

  it("refuses the ratio and says why when the reference arm failed requests", () => {
    const r = ratioRow(arm("ours", load(6000)), arm("kam", load(12000, 165000, "the connection closed under the request (transport error)")));
    expect(r.value).toBeNaN();
    expect(r.pass).toBe(false);
    expect(r.detail).toContain("kam: 165000 failed (first: the connection closed under the request (transport error))");
  });

  it("refuses the ratio when our arm failed only at half the peak", () => {
    const r = ratioRow(arm("ours", load(6000), load(3000, 2, "408")), arm("kam", load(5000)));
    expect(r.value).toBeNaN();
    expect(r.detail).toContain("ours: 2 failed (first: 408)");
    expect(r.detail).not.toContain("kam:");
  });

  it("prints each arm's rate, failed count and CPU per MESSAGE of each side, even a failed arm's", () => {
    const failed = arm("kam", load(12000, 7, "boom"), load(6000));
    const rows = armRows({ ...failed, cpu: { ...failed.cpu, edgeUs: undefined } }, "shared");
    expect(rows.map((r) => r.unit)).toEqual(["msg/s", "ms", "us"]);
    expect(rows[0]!.value).toBe(12000);
    expect(rows[0]!.detail).toContain("7 failed (first: boom)");
    expect(rows[2]!.value).toBeNaN();
    expect(rows[2]!.detail).toContain("edge unknown, generator 50 us, partner Kamailio 40 us");
  });
});
