/**
 * A JSON Lines trace: one event per line, in the order they happened, written
 * through one append stream. `close()` flushes before the world reports stopped.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import type { EdgeEvent } from "../../edge/events/types.ts";
import type { EventBus } from "./bus.ts";

export class JsonlTraceSink {
  private readonly stream: WriteStream;
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, readonly file: string) {
    this.stream = createWriteStream(file, { flags: "a" });
    this.unsubscribe = bus.subscribe((e) => this.write(e));
  }

  private write(e: EdgeEvent): void {
    this.stream.write(JSON.stringify(e) + "\n");
  }

  close(): Promise<void> {
    this.unsubscribe();
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
