/**
 * The allocations of one edge, by 5-tuple (RFC 5766 5), with the per-username count
 * behind 486 Allocation Quota Reached and the edge total behind 508, plus the EVEN-PORT
 * reservations (RFC 5766 6.2, 14.9): a reserved relay socket kept under an 8-byte token
 * for `reservationLifetimeSec`, then released.
 */
import { randomBytes } from "node:crypto";
import type dgram from "node:dgram";
import type { Allocation } from "./allocation.ts";

export class AllocationTable {
  private readonly byKey = new Map<string, Allocation>();
  /** By relayed transport address ("ip:port"): where edge-to-edge media names its allocation (PORT-1). */
  private readonly byRelayed = new Map<string, Allocation>();
  private readonly perUser = new Map<string, number>();
  /** 5-tuples whose Allocate is still binding its relay socket (retransmissions are ignored meanwhile). */
  readonly pending = new Set<string>();
  private readonly reservations = new Map<string, { socket: dgram.Socket; timer: NodeJS.Timeout }>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): Allocation | undefined {
    return this.byKey.get(key);
  }

  relayedAt(address: string, port: number): Allocation | undefined {
    return this.byRelayed.get(`${address}:${port}`);
  }

  countFor(username: string): number {
    return this.perUser.get(username) ?? 0;
  }

  add(a: Allocation): void {
    this.byKey.set(a.key, a);
    this.byRelayed.set(`${a.relayed.address}:${a.relayed.port}`, a);
    this.perUser.set(a.username, this.countFor(a.username) + 1);
  }

  /** Removes and closes; true when it was there. */
  delete(a: Allocation): boolean {
    if (this.byKey.get(a.key) !== a) return false;
    this.byKey.delete(a.key);
    this.byRelayed.delete(`${a.relayed.address}:${a.relayed.port}`);
    const n = this.countFor(a.username) - 1;
    if (n > 0) this.perUser.set(a.username, n);
    else this.perUser.delete(a.username);
    a.close();
    return true;
  }

  all(): Allocation[] {
    return [...this.byKey.values()];
  }

  reserve(socket: dgram.Socket, lifetimeSec: number): Buffer {
    const token = randomBytes(8);
    const id = token.toString("hex");
    const timer = setTimeout(() => {
      this.reservations.delete(id);
      socket.close();
    }, lifetimeSec * 1000);
    timer.unref();
    this.reservations.set(id, { socket, timer });
    return token;
  }

  /** Takes the socket reserved under `token` (one use), or undefined. */
  claim(token: Buffer): dgram.Socket | undefined {
    const id = token.toString("hex");
    const r = this.reservations.get(id);
    if (!r) return undefined;
    clearTimeout(r.timer);
    this.reservations.delete(id);
    return r.socket;
  }

  closeAll(): void {
    for (const a of this.byKey.values()) a.close();
    this.byKey.clear();
    this.byRelayed.clear();
    this.perUser.clear();
    for (const r of this.reservations.values()) {
      clearTimeout(r.timer);
      r.socket.close();
    }
    this.reservations.clear();
  }
}
