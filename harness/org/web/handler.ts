/**
 * The front end's web services, minimal but real: autodiscover (root and user,
 * MOB-2), a Mobility/UCWA entry point that creates applications held by this
 * server only (so a balancer without affinity breaks them: MOB-5), the address
 * book, meeting content, and the simple URLs (meet, dialin) that redirect to the
 * user's home pool (RP-1). It tells internal from external requests by the port
 * they arrived on: 443/80 internal, 4443/8080 external (PORT-4).
 *
 * Sign-in is modelled by an `X-Edgesim-User: <sip uri>` header in place of OAuth.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Topology } from "../../topology/schema.ts";
import { AUTODISCOVER_ROOT, AUTODISCOVER_USER, httpsBase, userLinks, type AccessLocation } from "./urls.ts";

export interface WebContext {
  topology: Topology;
  /** The front end server answering, e.g. "fe01". */
  server: string;
  mapPort: (p: number) => number;
  /** UCWA applications created on this server. */
  applications: Map<string, { user: string; created: number }>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function hostOf(req: IncomingMessage): string {
  return (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
}

export function handleWebRequest(ctx: WebContext, access: AccessLocation, req: IncomingMessage, res: ServerResponse): void {
  const t = ctx.topology;
  const url = new URL(req.url ?? "/", "http://local");
  const path = url.pathname.toLowerCase();
  res.setHeader("x-edgesim-server", ctx.server);
  res.setHeader("x-edgesim-access", access);
  const host = hostOf(req);
  const home = httpsBase(access === "Internal" ? t.organisation.internalWebFqdn : t.organisation.externalWebFqdn, ctx.mapPort);
  const simple = /^(meet|dialin|admin)\./.exec(host);
  // RP-1: the designated pool answers simple URLs by sending the user on to the home pool's web services.
  if (simple && t.organisation.sipDomains.some((d) => host === `${simple[1]}.${d}`)) {
    const target = simple[1] === "meet" ? `${home}/meet${url.pathname}` : simple[1] === "dialin" ? `${home}/dialin/` : `${home}/cscp/`;
    return send(res, 302, { redirect: target, rule: "RP-1" }, { location: target });
  }
  if (req.method === "GET" && path === AUTODISCOVER_ROOT.toLowerCase()) {
    const domain = url.searchParams.get("originalDomain") ?? host.replace(/^lyncdiscover(internal)?\./, "");
    return send(res, 200, {
      AccessLocation: access,
      _links: { self: { href: `${home}${AUTODISCOVER_ROOT}?originalDomain=${domain}` }, user: { href: `${home}${AUTODISCOVER_USER}?originalDomain=${domain}` } },
    });
  }
  if (req.method === "GET" && path === AUTODISCOVER_USER.toLowerCase()) {
    const uri = String(req.headers["x-edgesim-user"] ?? "").toLowerCase();
    const user = t.organisation.users.find((u) => u.uri.toLowerCase() === uri);
    if (!user) return send(res, uri ? 404 : 401, { code: uri ? "UserNotFound" : "Unauthorized", reason: uri ? `${uri} is not a user of ${t.organisation.name}` : "send X-Edgesim-User: <sip uri> (the sandbox's stand-in for OAuth)" });
    const links = userLinks(t, access, ctx.mapPort);
    return send(res, 200, {
      AccessLocation: access,
      user: user.uri,
      homePool: t.organisation.frontEndPool.fqdn,
      rules: ["MOB-2"],
      _links: Object.fromEntries(Object.entries(links).map(([k, href]) => [k, { href }])),
    });
  }
  if (path === "/ucwa/v1/applications" && req.method === "POST") {
    const uri = String(req.headers["x-edgesim-user"] ?? "");
    if (!uri) return send(res, 401, { code: "Unauthorized", reason: "send X-Edgesim-User: <sip uri>" });
    const id = randomUUID();
    ctx.applications.set(id, { user: uri, created: Date.now() });
    return send(res, 201, { id, server: ctx.server, _links: { self: { href: `/ucwa/v1/applications/${id}` } } }, { location: `/ucwa/v1/applications/${id}` });
  }
  const app = /^\/ucwa\/v1\/applications\/([0-9a-f-]+)$/.exec(path);
  if (app && req.method === "GET") {
    const found = ctx.applications.get(app[1]!);
    if (!found) return send(res, 404, { code: "ApplicationNotFound", reason: `application ${app[1]} is not held by ${ctx.server}: a web services VIP needs cookie or source affinity (MOB-5)`, rules: ["MOB-5"] });
    return send(res, 200, { id: app[1], server: ctx.server, user: found.user });
  }
  if (path.startsWith("/mcx/")) return send(res, 200, `Mcx mobility service on ${ctx.server} (${access})`);
  if (path.startsWith("/abs/")) return send(res, 200, { addressBook: t.organisation.users.map((u) => ({ uri: u.uri, displayName: u.displayName ?? u.uri })) });
  if (path.startsWith("/datacollabweb/") || path.startsWith("/meet/") || path.startsWith("/dialin/")) return send(res, 200, `meeting content from ${ctx.server}: ${url.pathname}`);
  send(res, 404, { code: "NotFound", reason: `${ctx.server} web services have no ${url.pathname}` });
}
