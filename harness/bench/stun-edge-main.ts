/**
 * The A/V Edge alone in its own process for `npm run bench -- stun`, so it is measured
 * like coturn (a separate process), not sharing the generator's event loop. Listens on
 * UDP 3478 of argv[2] with a static user u/p, relays on the same address; prints
 * "ready" and runs until stdin closes or SIGTERM.
 */
import { AvEdgeServer, listenUdp } from "../../edge/roles/av-edge/index.ts";
import { noEvents } from "../../edge/events/types.ts";

const address = process.argv[2];
if (!address) throw new RangeError("stun-edge-main: give the loopback address to listen on as the first argument");
const server = new AvEdgeServer({ host: "bench-edge", relayAddress: address, realm: "bench.test", staticUsers: { u: "p" }, events: noEvents });
const listener = await listenUdp(server, address, 3478);
const stop = async () => {
  await listener.close();
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.stdin.on("end", () => void stop());
process.stdin.resume();
process.stdout.write("ready\n");
