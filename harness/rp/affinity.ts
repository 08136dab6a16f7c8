/**
 * Which backend of a publishing rule serves a request. In a running world the rule
 * has one backend, the front-end HLB's external web services VIP, which keeps the
 * affinity (MOB-5, harness/world/web-vips.ts); this chooser matters only when the
 * proxy is given several servers (a world without the "web" service).
 * "cookie": the EdgesimAffinity cookie if it names a live server, else by source;
 * "source": a hash of the client address; "none": round robin.
 */
import { createHash } from "node:crypto";

export type Affinity = "cookie" | "source" | "none";
export const AFFINITY_COOKIE = "EdgesimAffinity";

export interface Backend {
  name: string;
  address: string;
}

export class BackendChooser {
  private next = 0;
  constructor(public affinity: Affinity) {}

  choose(backends: Backend[], clientAddress: string, cookieHeader: string | undefined): { backend: Backend; setCookie?: string } {
    if (backends.length === 0) throw new RangeError("the publishing rule's pool has no servers to send the request to");
    if (this.affinity === "none") return { backend: backends[this.next++ % backends.length]! };
    const bySource = backends[createHash("sha1").update(clientAddress).digest().readUInt32BE(0) % backends.length]!;
    if (this.affinity === "source") return { backend: bySource };
    const named = /(?:^|;\s*)EdgesimAffinity=([^;]+)/.exec(cookieHeader ?? "")?.[1];
    const sticky = backends.find((b) => b.name === named);
    return sticky ? { backend: sticky } : { backend: bySource, setCookie: `${AFFINITY_COOKIE}=${bySource.name}; Path=/; HttpOnly` };
  }
}
