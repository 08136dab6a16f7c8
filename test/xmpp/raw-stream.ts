/**
 * A raw server-to-server client for hostile-stream tests: writes exactly the bytes
 * a test gives it to an XMPP server and collects what comes back, with bounded waits.
 */
import { RawXmppStream } from "../../harness/clients/raw-xmpp-stream.ts";

/** The tests' name for the shared raw stream (harness/clients/raw-xmpp-stream.ts). */
export { RawXmppStream as RawStream };

export const S2S_HEADER = (from: string, to: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' version='1.0'>`;
