/**
 * Messages a simulated user received, readable three ways: an async iterator (for
 * gateways that consume a stream), next(timeoutMs) (for tests: a bounded wait),
 * and a listener (for event-driven code). Nothing is dropped: unread messages wait.
 */
export class Inbox<T> implements AsyncIterable<T> {
  #queue: T[] = [];
  #waiters: Array<(v: T) => void> = [];
  #listeners = new Set<(v: T) => void>();
  readonly received: T[] = [];

  push(v: T): void {
    this.received.push(v);
    for (const l of this.#listeners) l(v);
    const w = this.#waiters.shift();
    if (w) w(v);
    else this.#queue.push(v);
  }

  /** The next unread message, waiting at most timeoutMs; rejects naming the inbox when none came. */
  next(timeoutMs: number, what = "inbox"): Promise<T> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<T>((resolve, reject) => {
      const waiter = (v: T) => {
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`${what}: no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Unread messages, taken. */
  drain(): T[] {
    return this.#queue.splice(0);
  }

  onMessage(listener: (v: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const queued = this.#queue.shift();
      if (queued !== undefined) yield queued;
      else yield await new Promise<T>((resolve) => this.#waiters.push(resolve));
    }
  }
}
