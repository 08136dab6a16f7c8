/**
 * Socket checks tests share: whether an endpoint a service reported is free, i.e. whether
 * the service really let go of it (or really holds it).
 */
import dgram from "node:dgram";
import net from "node:net";

/** True when `address:port` can be bound right now over the endpoint's transport. */
export function canBind(e: { address: string; port: number; transport: string }): Promise<boolean> {
  if (e.transport === "udp") {
    const s = dgram.createSocket("udp4");
    return new Promise((resolve) => {
      s.once("error", () => resolve(false));
      s.bind(e.port, e.address, () => s.close(() => resolve(true)));
    });
  }
  const srv = net.createServer();
  return new Promise((resolve) => {
    srv.once("error", () => resolve(false));
    srv.listen(e.port, e.address, () => srv.close(() => resolve(true)));
  });
}
