/**
 * A small cache of SRV answers (positive and negative) in front of the injected
 * resolver, as a real edge's DNS client keeps one: without it every federated
 * message would cost a DNS round trip. Entries live `ttlMs` (the sandbox zones use
 * TTL 300 s; edgesim keeps 30 s so a topology change shows up quickly).
 */
import { NameNotFoundError, type NameResolver, type SrvTarget } from "../../net/resolver.ts";

type Entry = { at: number; records?: SrvTarget[]; error?: NameNotFoundError };

export class SrvCache {
  #entries = new Map<string, Entry>();

  constructor(private readonly resolver: NameResolver, private readonly ttlMs = 30_000, private readonly maxEntries = 4096) {}

  /**
   * The fresh answer held for this name, without waiting: records, or the cached "no such
   * name/data" error; undefined when nothing fresh is held (then call resolveSrv). Lets a
   * request whose route is known go through without a turn of the event loop.
   */
  peek(name: string): { records: SrvTarget[] } | { error: NameNotFoundError } | undefined {
    const hit = this.#entries.get(name.toLowerCase());
    if (!hit || Date.now() - hit.at >= this.ttlMs) return undefined;
    return hit.error ? { error: hit.error } : { records: hit.records! };
  }

  /** Like resolver.resolveSrv: the records, or throws the NameNotFoundError the resolver threw. */
  async resolveSrv(name: string): Promise<SrvTarget[]> {
    const key = name.toLowerCase();
    const hit = this.#entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) {
      if (hit.error) throw hit.error;
      return hit.records!;
    }
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    try {
      const records = await this.resolver.resolveSrv(name);
      this.#entries.set(key, { at: Date.now(), records });
      return records;
    } catch (err) {
      if (!(err instanceof NameNotFoundError)) throw err;
      // A server that did not answer is not cached: only a definite "no such name/data".
      if (err.code === "ENOTFOUND" || err.code === "ENODATA" || err.code === "NODATA") this.#entries.set(key, { at: Date.now(), error: err });
      throw err;
    }
  }
}
