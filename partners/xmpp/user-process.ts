/**
 * A real XMPP client user (@xmpp/client 0.14) in its own process, driven over
 * stdin/stdout JSON lines by xmpp-user.ts. Its own process because @xmpp/client's
 * STARTTLS trusts only the CAs Node loaded at start-up: the parent sets
 * NODE_EXTRA_CA_CERTS to the sandbox CA. Commands: message, presence, burst
 * (bench: send `count` messages, at most `window` beyond the credits the parent
 * grants), credit, stop. Events: online, stanza (summarised), count, sent, error.
 */
import { client, xml } from "@xmpp/client";
import { createInterface } from "node:readline";

interface Start {
  service: string;
  domain: string;
  username: string;
  password: string;
  resource: string;
  /** Report only a count of received messages every `countEvery` (bench receiver). */
  countOnly?: boolean;
  countEvery?: number;
}

const start = JSON.parse(process.argv[2] ?? "{}") as Start;
const out = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const xmpp = client({ service: start.service, domain: start.domain, username: start.username, password: start.password, resource: start.resource });
let received = 0;
let credits = 0;
let burst: { to: string; count: number; sent: number; window: number; prefix: string } | undefined;

xmpp.on("error", (err: Error) => out({ ev: "error", message: err.message }));
xmpp.on("online", (address: { toString(): string }) => {
  // RFC 6121 4.2: initial presence makes the session available, so messages to the bare JID are delivered to it.
  void xmpp.send(xml("presence")).then(() => out({ ev: "online", jid: address.toString() }));
});
xmpp.on("stanza", (el: any) => {
  if (start.countOnly && el.is("message")) {
    received++;
    if (received % (start.countEvery ?? 1) === 0) out({ ev: "count", n: received });
    return;
  }
  const error = el.getChild("error");
  const condition = error?.children.find((c: any) => typeof c !== "string" && c.name !== "text")?.name;
  out({ ev: "stanza", name: el.name, attrs: el.attrs, body: el.getChildText("body") ?? undefined, show: el.getChildText("show") ?? undefined, status: el.getChildText("status") ?? undefined, errorCondition: condition, errorText: error?.getChildText("text") ?? undefined, xml: el.toString().slice(0, 2000) });
});

function pump(): void {
  if (!burst) return;
  let batch = 0;
  while (burst.sent < burst.count && burst.sent < credits + burst.window && batch < 256) {
    xmpp.send(xml("message", { to: burst.to, type: "chat", id: `${burst.prefix}${burst.sent}` }, xml("body", {}, `${burst.prefix} ${burst.sent}`))).catch(() => undefined);
    burst.sent++;
    batch++;
  }
  if (burst.sent >= burst.count) {
    out({ ev: "sent", n: burst.sent });
    burst = undefined;
  } else if (batch === 256) setImmediate(pump);
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const cmd = JSON.parse(line) as Record<string, any>;
  if (cmd.op === "message") void xmpp.send(xml("message", { to: cmd.to, type: cmd.type ?? "chat", id: cmd.id }, ...(cmd.body !== undefined ? [xml("body", {}, cmd.body)] : []), ...(cmd.raw ? [] : [])));
  else if (cmd.op === "presence") void xmpp.send(xml("presence", { ...(cmd.to ? { to: cmd.to } : {}), ...(cmd.type ? { type: cmd.type } : {}) }, ...(cmd.show ? [xml("show", {}, cmd.show)] : []), ...(cmd.status ? [xml("status", {}, cmd.status)] : [])));
  else if (cmd.op === "burst") {
    burst = { to: cmd.to, count: cmd.count, sent: 0, window: cmd.window, prefix: cmd.prefix ?? "m" };
    credits = 0;
    pump();
  } else if (cmd.op === "credit") {
    credits = cmd.n;
    pump();
  } else if (cmd.op === "stop") void xmpp.stop().finally(() => process.exit(0));
});

xmpp.start().catch((err: Error) => {
  out({ ev: "error", message: `start failed: ${err.name}${err.message ? `: ${err.message}` : ""}` });
  process.exit(2);
});
