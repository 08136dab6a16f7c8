/**
 * Output piped into `head` (or any reader that stops early) ends quietly: when the
 * reader goes away, writes fail with EPIPE, which Node raises as an unhandled
 * 'error' event and a stack trace. A command line tool should instead stop
 * printing. The command itself keeps going to its normal end, so a running world
 * still closes its sockets and child processes and the exit code still says whether
 * the checks held.
 */
import type { Writable } from "node:stream";

export function quietOnClosedPipe(stream: Writable & { write: Writable["write"] }): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
    // Nobody reads any more: later writes go nowhere instead of raising again.
    stream.write = (() => true) as Writable["write"];
  });
}
