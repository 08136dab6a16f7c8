/**
 * The proxy's client transactions (RFC 3261 17.1.2.2 Timer F, 17.1.1.2 Timer B) with
 * one timer for the whole table: every transaction still ends exactly once, by its
 * response, its own deadline or its connection closing; an INVITE's provisional
 * response stops its timer.
 */
import { describe, expect, it } from "vitest";
import { TransactionTable, transactionKey, type TransactionEnd } from "../../edge/roles/access-edge/transactions.ts";
import type { SipConnection } from "../../edge/roles/access-edge/sip-connection.ts";
import type { SipRequest, SipResponse } from "../../edge/wire/sip/index.ts";

const up = {} as SipConnection;
const down = {} as SipConnection;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function table(timeoutMs: number, inviteTimeoutMs?: number) {
  const t = new TransactionTable(timeoutMs, inviteTimeoutMs);
  const ends: Array<{ branch: string; kind: TransactionEnd["kind"]; atMs: number; end: TransactionEnd }> = [];
  const t0 = Date.now();
  const add = (branch: string, o: { invite?: boolean; upstream?: SipConnection; downstream?: SipConnection } = {}) =>
    t.add({ key: transactionKey(branch, "MESSAGE"), request: {} as SipRequest, upstream: o.upstream ?? up, downstream: o.downstream ?? down, invite: o.invite ?? false, onEnd: (e) => ends.push({ branch, kind: e.kind, atMs: Date.now() - t0, end: e }) });
  const tx = (branch: string) => t.match(branch, "message")!;
  return { t, ends, add, tx };
}

describe("TransactionTable (Timer F / B, one timer for all)", () => {
  it("each transaction times out at its own deadline; answered ones end once, by their response", async () => {
    const { t, ends, add, tx } = table(80);
    add("a");
    add("b");
    await wait(40);
    add("c");
    t.final(tx("b"), {} as SipResponse);
    await wait(150);
    expect(ends.map((e) => `${e.branch}:${e.kind}`)).toEqual(["b:response", "a:timeout", "c:timeout"]);
    const [, a, c] = ends;
    expect(a!.atMs).toBeGreaterThanOrEqual(75);
    expect(c!.atMs - a!.atMs).toBeGreaterThanOrEqual(25); // c was added 40 ms after a
    expect(t.size).toBe(0);
  });

  it("an INVITE's provisional response stops its timer; its final response still ends it", async () => {
    const { t, ends, add, tx } = table(30);
    add("inv", { invite: true });
    t.provisional(tx("inv"), 180);
    await wait(80);
    expect(ends).toEqual([]);
    t.final(tx("inv"), {} as SipResponse);
    expect(ends.map((e) => e.kind)).toEqual(["response"]);
  });

  it("RFC3261-16.8: Timer C ends an INVITE that had a provisional response, asking for a CANCEL; a later provisional above 100 resets it", async () => {
    const { t, ends, add, tx } = table(10_000, 60);
    add("inv", { invite: true });
    await wait(30);
    t.provisional(tx("inv"), 180); // reset: Timer C now ends about 90 ms after the start, not 60
    await wait(45);
    expect(ends).toEqual([]);
    await wait(60);
    expect(ends.map((e) => e.end)).toEqual([{ kind: "timeout", timer: "C", cancelDownstream: true }]);
    expect(ends[0]!.atMs).toBeGreaterThanOrEqual(85);
    expect(t.size).toBe(0);
  });

  it("RFC3261-16.8: Timer C with no provisional response ends the INVITE as a 408 with no CANCEL; a 100 does not reset it", async () => {
    const { t, ends, add, tx } = table(10_000, 40);
    add("quiet", { invite: true });
    add("trying", { invite: true });
    t.provisional(tx("trying"), 100);
    await wait(80);
    expect(ends.map((e) => [e.branch, e.end])).toEqual([
      ["quiet", { kind: "timeout", timer: "C", cancelDownstream: false }],
      ["trying", { kind: "timeout", timer: "C", cancelDownstream: true }],
    ]);
    t.stop();
  });

  it("FED-12: a stopping edge ends every pending transaction once, with 'stopping', before its table is cleared", async () => {
    const { t, ends, add, tx } = table(40);
    add("p1");
    add("p2", { invite: true });
    t.provisional(tx("p2"), 180);
    t.endAll({ kind: "stopping" });
    t.stop();
    await wait(80);
    expect(ends.map((e) => `${e.branch}:${e.kind}`)).toEqual(["p1:stopping", "p2:stopping"]);
  });

  it("a closing connection ends what waits on it, once; a late timer does not end it again", async () => {
    const { t, ends, add } = table(40);
    const other = {} as SipConnection;
    add("x", { downstream: other });
    add("y");
    t.connectionClosed(other);
    await wait(100);
    expect(ends.map((e) => `${e.branch}:${e.kind}`)).toEqual(["x:closed", "y:timeout"]);
  });

  it("thousands answered in order all end at once; the next table's transaction still gets its deadline", async () => {
    const { t, ends, add, tx } = table(10_000);
    for (let i = 0; i < 5000; i++) {
      add(`q${i}`);
      t.final(tx(`q${i}`), {} as SipResponse);
    }
    expect(ends).toHaveLength(5000);
    expect(t.size).toBe(0);
    const { t: t2, ends: ends2, add: add2 } = table(20);
    add2("late");
    await wait(60);
    expect(ends2.map((e) => e.kind)).toEqual(["timeout"]);
    t2.stop();
  });
});
