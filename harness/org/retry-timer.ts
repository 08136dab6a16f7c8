/**
 * Redialling a link that went down (the front end's links out to the edges: the
 * XMPP gateway's 23456, PSOM's 8057): one pending attempt at a time, the delay
 * doubling from 100 ms to 2 s, back to 100 ms once the link is up. The timer is
 * unref'd so a world that stops is not held open by a dead edge.
 */
export class RetryTimer {
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly firstMs = 100, private readonly maxMs = 2000) {
    this.#delayMs = firstMs;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** An attempt is waiting. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** Runs `attempt` after the current delay, unless one is already waiting or the link was stopped. */
  schedule(attempt: () => void): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) attempt();
    }, this.#delayMs);
    this.#timer.unref();
    this.#delayMs = Math.min(this.#delayMs * 2, this.maxMs);
  }

  /** The waiting attempt, now (false when none was waiting). */
  fireNow(attempt: () => void): boolean {
    if (this.#stopped || !this.#timer) return false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    attempt();
    return true;
  }

  /** The link is up: the next failure starts from the first delay again. */
  succeeded(): void {
    this.#delayMs = this.firstMs;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
