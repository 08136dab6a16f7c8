/**
 * XML namespace names of the XMPP stream layer, in one place so that no codec or
 * proxy spells a URI twice.
 *
 * - RFC 6120 4.8.1 (stream namespace), 4.8.2 (content namespaces jabber:client /
 *   jabber:server), 4.9.3 (stream error conditions), 5.4 (STARTTLS), 6.4 (SASL),
 *   8.3.2 (stanza error conditions).
 * - XEP-0220 (Server Dialback): jabber:server:dialback for db:result / db:verify
 *   and urn:xmpp:features:dialback for the stream feature.
 */
export const NS = {
  /** RFC 6120 4.8.2: content namespace of server-to-server streams. */
  server: "jabber:server",
  /** RFC 6120 4.8.2: content namespace of client-to-server streams. */
  client: "jabber:client",
  /** RFC 6120 4.8.1: the namespace of <stream:stream>, <stream:features>, <stream:error>. */
  streams: "http://etherx.jabber.org/streams",
  /** RFC 6120 5.4: STARTTLS negotiation (<starttls/>, <proceed/>, <failure/>). */
  tls: "urn:ietf:params:xml:ns:xmpp-tls",
  /** RFC 6120 6.4: SASL negotiation. */
  sasl: "urn:ietf:params:xml:ns:xmpp-sasl",
  /** XEP-0220 2.1: the dialback protocol elements <db:result/>, <db:verify/>. */
  dialback: "jabber:server:dialback",
  /** XEP-0220 2.2: the dialback stream feature. */
  dialbackFeature: "urn:xmpp:features:dialback",
  /** RFC 6120 8.3.2: stanza error conditions and <text/>. */
  stanzas: "urn:ietf:params:xml:ns:xmpp-stanzas",
  /** RFC 6120 4.9.2: stream error conditions and <text/>. */
  streamErrors: "urn:ietf:params:xml:ns:xmpp-streams",
  /** XML 1.0 / Namespaces in XML: the namespace bound to the xml: prefix (xml:lang). */
  xml: "http://www.w3.org/XML/1998/namespace",
} as const;

export type XmppNamespace = (typeof NS)[keyof typeof NS];

/** The content namespaces a stream header may declare as its default namespace (RFC 6120 4.8.2). */
export type ContentNamespace = typeof NS.server | typeof NS.client;
