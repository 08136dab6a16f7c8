/**
 * The PSOM link between a front end and a Web Conferencing Edge (PORT-3: PSOM MTLS
 * TCP 8057, seed 002 row 002-int-node-psom-8057). The front end connects OUT to the
 * edge's internal interface; the edge never dials in. Real PSOM is binary; edgesim
 * models the link with lines, the first of which says what the connection is:
 *   front end -> edge  "CONTROL <front end>"   the control connection, kept open
 *   edge -> front end  "READY <edge>"          the edge will ask on it
 *   edge -> front end  "OPEN <id> <client>"    an external client arrived on 443: open a data leg
 *   front end -> edge  "FAIL <id> <why>"       the leg could not be opened (the edge refuses the client with <why>)
 *   front end -> edge  "LEG <id>"              (first line of a new connection) the data leg for <id>;
 *                                              everything after it is the conference, spliced to the client
 */
import type { Duplex } from "node:stream";

/** Longest line on the link; a longer one closes the connection. */
export const PSOM_MAX_LINE = 1024;

export type PsomLine =
  | { verb: "CONTROL"; name: string }
  | { verb: "READY"; name: string }
  | { verb: "OPEN"; id: string; client: string }
  | { verb: "FAIL"; id: string; why: string }
  | { verb: "LEG"; id: string };

/** Parses one line of the link; undefined when it is none of the verbs above. */
export function parsePsomLine(line: string): PsomLine | undefined {
  const [verb, a, ...rest] = line.split(" ");
  if (!a) return undefined;
  const tail = rest.join(" ");
  switch (verb) {
    case "CONTROL": case "READY": return { verb, name: a };
    case "OPEN": return { verb, id: a, client: tail };
    case "FAIL": return { verb, id: a, why: tail };
    case "LEG": return { verb, id: a };
    default: return undefined;
  }
}

export function formatPsomLine(l: PsomLine): string {
  switch (l.verb) {
    case "CONTROL": case "READY": return `${l.verb} ${l.name}\n`;
    case "OPEN": return `OPEN ${l.id} ${l.client}\n`;
    case "FAIL": return `FAIL ${l.id} ${l.why.replace(/[\r\n]+/g, " ").slice(0, PSOM_MAX_LINE - 64)}\n`;
    case "LEG": return `LEG ${l.id}\n`;
  }
}

/**
 * Reads the first line of a stream without losing what follows it: the bytes after the
 * newline are put back (unshift), so a data leg can be spliced byte for byte. Resolves
 * undefined when the stream ends, errs or sends more than PSOM_MAX_LINE bytes first.
 */
export function readFirstLine(s: Duplex): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const done = (line: string | undefined) => {
      s.off("data", onData);
      s.off("end", onEnd);
      s.off("error", onEnd);
      s.off("close", onEnd);
      s.pause();
      resolve(line);
    };
    const onEnd = () => done(undefined);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl < 0) return void (buf.length > PSOM_MAX_LINE && done(undefined));
      const rest = buf.subarray(nl + 1);
      done(buf.subarray(0, nl).toString("utf8").replace(/\r$/, ""));
      if (rest.length) s.unshift(rest);
    };
    s.on("data", onData);
    s.once("end", onEnd);
    s.once("error", onEnd);
    s.once("close", onEnd);
  });
}

/** Calls `onLine` for every line of a stream (the control connection); closes it on an overlong line. */
export function eachLine(s: Duplex, onLine: (line: string) => void): void {
  let buf = "";
  s.setEncoding("utf8");
  s.on("data", (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
      onLine(line);
    }
    if (buf.length > PSOM_MAX_LINE) s.destroy(new RangeError(`PSOM link: a line longer than ${PSOM_MAX_LINE} bytes`));
  });
  s.resume(); // readFirstLine left it paused
}
