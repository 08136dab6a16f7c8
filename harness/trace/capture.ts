/**
 * Whether a world's components should put the bytes they forward on their events
 * (payload, base64) for a pcap file: off by default (it costs a copy per packet),
 * on for an event sink the pcap writer is attached to (`edgesim up --pcap`).
 */
import type { EventSink } from "../../edge/events/types.ts";

const capturing = new WeakSet<EventSink>();

export function enableCapture(sink: EventSink): void {
  capturing.add(sink);
}

export function captureEnabled(sink: EventSink): boolean {
  return capturing.has(sink);
}
