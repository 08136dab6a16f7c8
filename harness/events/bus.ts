/**
 * The world's event bus: components emit through an EventSink callback; the bus
 * fans events out to subscribers (trace file, CLI printer, dashboard, tests).
 * A subscriber that throws is reported once on stderr and removed, so one broken
 * observer cannot stop the world.
 */
import type { EdgeEvent, EdgeEventKind, EventSink } from "../../edge/events/types.ts";

export type Subscriber = (event: EdgeEvent) => void;

export class EventBus {
  private readonly subscribers = new Set<Subscriber>();

  /** The sink to hand to components. */
  readonly emit: EventSink = (event) => {
    for (const s of this.subscribers) {
      try {
        s(event);
      } catch (err) {
        this.subscribers.delete(s);
        process.stderr.write(`edgesim: an event subscriber failed and was removed: ${(err as Error).message}\n`);
      }
    }
  };

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Collects events (optionally of some kinds) until the returned stop() is called: for tests and scenarios. */
  record(kinds?: EdgeEventKind[]): { events: EdgeEvent[]; stop: () => void } {
    const events: EdgeEvent[] = [];
    const stop = this.subscribe((e) => {
      if (!kinds || kinds.includes(e.kind)) events.push(e);
    });
    return { events, stop };
  }

  /** Resolves with the first event that matches, or rejects after timeoutMs. */
  waitFor<K extends EdgeEventKind>(kind: K, match: (e: Extract<EdgeEvent, { kind: K }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<EdgeEvent, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no ${kind} event matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.subscribe((e) => {
        if (e.kind === kind && match(e as Extract<EdgeEvent, { kind: K }>)) {
          clearTimeout(timer);
          stop();
          resolve(e as Extract<EdgeEvent, { kind: K }>);
        }
      });
    });
  }
}
