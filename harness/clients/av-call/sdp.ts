/**
 * The SDP of an audio offer/answer (RFC 4566, RFC 3264) with ICE attributes (RFC 8839:
 * a=ice-ufrag, a=ice-pwd, a=candidate). One audio stream, one component (RTP; rtcp-mux
 * assumed), payload type 0 (PCMU): enough for the call to carry counted RTP-like media.
 * A description that does not parse is an SdpError naming the line, never a guess.
 */
import type { Candidate, CandidateType } from "./ice-types.ts";

export interface MediaDescription {
  /** o= username and the session's address (RFC 4566 5.2). */
  user: string;
  /** c= and m= use the default candidate (RFC 8839 4.2.1.2: the relay one when there is one). */
  defaultAddress: string;
  defaultPort: number;
  ufrag: string;
  pwd: string;
  candidates: Candidate[];
}

export class SdpError extends Error {
  constructor(readonly line: number, message: string) {
    super(`SDP line ${line}: ${message}`);
    this.name = "SdpError";
  }
}

export function buildSdp(d: MediaDescription, sessionId = Date.now()): string {
  const lines = [
    "v=0",
    `o=${d.user} ${sessionId} 1 IN IP4 ${d.defaultAddress}`,
    "s=edgesim call",
    `c=IN IP4 ${d.defaultAddress}`,
    "t=0 0",
    `m=audio ${d.defaultPort} RTP/AVP 0`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtcp-mux",
    `a=ice-ufrag:${d.ufrag}`,
    `a=ice-pwd:${d.pwd}`,
    ...d.candidates.map((c) => `a=candidate:${c.foundation} ${c.component} UDP ${c.priority} ${c.address} ${c.port} typ ${c.type}${c.related ? ` raddr ${c.related.address} rport ${c.related.port}` : ""}`),
    "a=sendrecv",
  ];
  return lines.join("\r\n") + "\r\n";
}

const CANDIDATE = /^candidate:(\S+) (\d) (?:UDP|udp) (\d+) (\d{1,3}(?:\.\d{1,3}){3}) (\d{1,5}) typ (host|srflx|relay)(?: raddr (\S+) rport (\d{1,5}))?/;

export function parseSdp(text: string): MediaDescription {
  const out: Partial<MediaDescription> & { candidates: Candidate[] } = { candidates: [] };
  let sawAudio = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const n = i + 1;
    if (!/^[a-z]=/.test(line)) throw new SdpError(n, `'${line.slice(0, 40)}' is not <type>=<value> (RFC 4566 5)`);
    const [type, value] = [line[0], line.slice(2)];
    if (type === "o") out.user = value.split(" ")[0] ?? "";
    else if (type === "c") {
      const m = /^IN IP4 (\S+)$/.exec(value);
      if (!m) throw new SdpError(n, `c=${value}: only IN IP4 is modelled`);
      out.defaultAddress = m[1]!;
    } else if (type === "m") {
      const m = /^audio (\d+) RTP\/AVP/.exec(value);
      if (!m) throw new SdpError(n, `m=${value}: only one audio RTP/AVP stream is modelled`);
      out.defaultPort = Number(m[1]);
      sawAudio = true;
    } else if (type === "a") {
      if (value.startsWith("ice-ufrag:")) out.ufrag = value.slice(10);
      else if (value.startsWith("ice-pwd:")) out.pwd = value.slice(8);
      else if (value.startsWith("candidate:")) out.candidates.push(parseCandidate(value, n));
    }
  });
  if (!sawAudio) throw new SdpError(0, "no m=audio line");
  if (!out.ufrag || !out.pwd) throw new SdpError(0, "no a=ice-ufrag / a=ice-pwd (RFC 8839 5.4)");
  return { user: out.user ?? "-", defaultAddress: out.defaultAddress ?? "0.0.0.0", defaultPort: out.defaultPort ?? 0, ufrag: out.ufrag, pwd: out.pwd, candidates: out.candidates };
}

function parseCandidate(value: string, line: number): Candidate {
  const m = CANDIDATE.exec(value);
  if (!m) throw new SdpError(line, `a=${value.slice(0, 80)} is not a candidate line (RFC 8839 5.1)`);
  const port = Number(m[5]);
  if (port < 1 || port > 65535) throw new SdpError(line, `candidate port ${port} is out of range`);
  return {
    foundation: m[1]!, component: 1, priority: Number(m[3]), address: m[4]!, port, type: m[6] as CandidateType,
    ...(m[7] && m[8] ? { related: { address: m[7], port: Number(m[8]) } } : {}),
  };
}
