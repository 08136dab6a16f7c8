/**
 * One external meeting client spliced to a front end's data leg (PORT-3: the leg is a
 * PSOM connection the front end opened to the edge's internal 8057, rule
 * 002-int-node-psom-8057; HLB-1: the client may arrive through the SNAT VIP): bytes
 * flow both ways until either side closes, then both are closed.
 */
import type { Duplex } from "node:stream";

export function splice(client: Duplex, leg: Duplex, done: (err?: Error) => void): void {
  let finished = false;
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    client.destroy();
    leg.destroy();
    done(err);
  };
  client.once("error", (e) => finish(new Error(`Web Conferencing client: ${e.message}`, { cause: e })));
  leg.once("error", (e) => finish(new Error(`front end's PSOM data leg: ${e.message}`, { cause: e })));
  client.once("close", () => finish());
  leg.once("close", () => finish());
  client.pipe(leg);
  leg.pipe(client);
  client.resume();
  leg.resume();
}
