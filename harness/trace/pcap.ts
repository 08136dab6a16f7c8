/**
 * A classic pcap file (libpcap format: 24-byte global header, 16-byte record
 * headers) with LINKTYPE_IPV4 (228): every event that carries a 5-tuple and its
 * bytes (payload, base64) becomes one synthetic IPv4 packet with a UDP or TCP
 * header carrying the addresses that leg really used, so `tshark -r FILE` shows the
 * SNAT rewrite leg by leg (HLB-1, HLB-6) and decodes STUN (3478) and SIP (5060;
 * for SIP on 5061, which tshark takes for TLS, add `-d tcp.port==5061,sip`).
 * TCP segments get per-direction sequence numbers (no handshake is drawn);
 * checksums are left zero (tshark does not check them by default). No npm pcap
 * writer is maintained, and this is ~100 lines.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { EdgeEvent, FiveTuple } from "../../edge/events/types.ts";
import type { EventBus } from "../events/bus.ts";
import { enableCapture } from "./capture.ts";

export const LINKTYPE_IPV4 = 228;
const MAX_SEGMENT = 65_000;

export function pcapGlobalHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65_535, 16);
  h.writeUInt32LE(LINKTYPE_IPV4, 20);
  return h;
}

function ipBytes(a: string): number[] {
  const parts = a.replace(/^::ffff:/, "").split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) throw new RangeError(`pcap: '${a}' is not an IPv4 address`);
  return parts;
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) + (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export class PcapEncoder {
  private ipId = 0;
  /** Next sequence number per TCP direction ("src:port>dst:port"). */
  private readonly seq = new Map<string, number>();

  /** The pcap records (header + packet) for one leg's bytes; TCP payloads over 65,000 bytes become several segments. */
  encode(t: FiveTuple, payload: Buffer, tsMs: number): Buffer[] {
    const udp = t.transport === "udp";
    const out: Buffer[] = [];
    const chunks = udp ? [payload] : Array.from({ length: Math.max(1, Math.ceil(payload.length / MAX_SEGMENT)) }, (_, i) => payload.subarray(i * MAX_SEGMENT, (i + 1) * MAX_SEGMENT));
    for (const chunk of chunks) {
      const l4 = udp ? this.udpHeader(t, chunk.length) : this.tcpHeader(t, chunk.length);
      const ip = Buffer.alloc(20);
      ip[0] = 0x45;
      ip.writeUInt16BE(20 + l4.length + chunk.length, 2);
      ip.writeUInt16BE(this.ipId++ & 0xffff, 4);
      ip.writeUInt16BE(0x4000, 6);
      ip[8] = 64;
      ip[9] = udp ? 17 : 6;
      ip.set(ipBytes(t.srcAddress), 12);
      ip.set(ipBytes(t.dstAddress), 16);
      ip.writeUInt16BE(checksum(ip), 10);
      const len = 20 + l4.length + chunk.length;
      const rec = Buffer.alloc(16);
      rec.writeUInt32LE(Math.floor(tsMs / 1000), 0);
      rec.writeUInt32LE((tsMs % 1000) * 1000, 4);
      rec.writeUInt32LE(len, 8);
      rec.writeUInt32LE(len, 12);
      out.push(Buffer.concat([rec, ip, l4, chunk]));
    }
    return out;
  }

  private udpHeader(t: FiveTuple, n: number): Buffer {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(t.srcPort, 0);
    h.writeUInt16BE(t.dstPort, 2);
    h.writeUInt16BE(8 + n, 4);
    return h;
  }

  private tcpHeader(t: FiveTuple, n: number): Buffer {
    const fwd = `${t.srcAddress}:${t.srcPort}>${t.dstAddress}:${t.dstPort}`;
    const rev = `${t.dstAddress}:${t.dstPort}>${t.srcAddress}:${t.srcPort}`;
    const seq = this.seq.get(fwd) ?? 1;
    this.seq.set(fwd, (seq + n) >>> 0);
    const h = Buffer.alloc(20);
    h.writeUInt16BE(t.srcPort, 0);
    h.writeUInt16BE(t.dstPort, 2);
    h.writeUInt32BE(seq, 4);
    h.writeUInt32BE(this.seq.get(rev) ?? 1, 8);
    h[12] = 5 << 4;
    h[13] = 0x18; // PSH, ACK
    h.writeUInt16BE(65_535, 14);
    return h;
  }
}

/** Writes every event with a tuple and a payload to a pcap file; attach() also turns payload capture on for the bus. */
export class PcapWriter {
  private readonly fd: number;
  private readonly enc = new PcapEncoder();
  private unsubscribe: (() => void) | undefined;
  packets = 0;
  private closed = false;

  constructor(readonly file: string) {
    this.fd = openSync(file, "w");
    writeSync(this.fd, pcapGlobalHeader());
  }

  static attach(bus: EventBus, file: string): PcapWriter {
    const w = new PcapWriter(file);
    enableCapture(bus.emit);
    w.unsubscribe = bus.subscribe((e) => w.write(e));
    return w;
  }

  write(e: EdgeEvent): void {
    if (this.closed || !e.tuple || e.payload === undefined) return;
    for (const rec of this.enc.encode(e.tuple, Buffer.from(e.payload, "base64"), e.ts)) writeSync(this.fd, rec);
    this.packets++;
  }

  /** Stops writing and closes the file; calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    closeSync(this.fd);
  }
}
