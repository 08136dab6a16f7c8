/**
 * A Lync mobile client, as seed 000 describes it: autodiscover through DNS
 * (lyncdiscoverinternal.<domain> first, then lyncdiscover.<domain>: MOB-1, in the
 * DNS view of where the device is: DNS-4), HTTPS first then HTTP for each name
 * (the HTTP request reaches the pool's 8080 through the reverse proxy's port 80:
 * MOB-4), then the user's links, then the Mobility Service (UCWA) on the external
 * web FQDN, from inside too (MOB-2, hairpinned on the reverse proxy: MOB-3).
 * Cookies are kept, so the web services VIP can keep the session on one server (MOB-5).
 * Every step is recorded with why it failed.
 */
import { FirewallDropError } from "../../edge/net/gate.ts";
import { NameNotFoundError } from "../../edge/net/resolver.ts";
import { httpRequest, type HttpClientHost, type HttpResult } from "./http-client.ts";

export type Scheme = "https" | "http";

export interface MobileStep {
  what: string;
  url?: string;
  ok: boolean;
  status?: number;
  error?: string;
  /** Rule IDs that explain a failure (MOB-4 certificate mismatch, PORT-5 firewall drop, DNS-4). */
  rules: string[];
}

export interface MobileOptions extends HttpClientHost {
  user: string;
  /** Ports for http and https URLs (the world's mapping: 80/443 as root, 10080/10443 otherwise). */
  ports: { http: number; https: number };
  /** Which schemes to try for each autodiscover name, in order (default https then http). */
  schemes?: Scheme[];
}

export interface MobileResult {
  steps: MobileStep[];
  accessLocation?: string;
  links?: Record<string, { href: string }>;
  ucwa?: { application: string; server: string; reread: number };
  ok: boolean;
}

function explain(err: unknown): { error: string; rules: string[] } {
  if (err instanceof FirewallDropError) return { error: err.message, rules: err.decision.rules };
  if (err instanceof NameNotFoundError) return { error: err.message, rules: ["DNS-4", "MOB-1"] };
  const code = (err as NodeJS.ErrnoException).code ?? "";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return { error: `${code}: ${(err as Error).message}`, rules: ["MOB-4"] };
  return { error: `${code ? code + ": " : ""}${(err as Error).message}`, rules: [] };
}

export class MobileClient {
  private cookies = new Map<string, string>();
  constructor(private readonly o: MobileOptions) {}

  private async call(steps: MobileStep[], what: string, url: string, method = "GET"): Promise<HttpResult | undefined> {
    const headers: Record<string, string> = { accept: "application/json", "x-edgesim-user": this.o.user };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    try {
      const r = await httpRequest(this.o, url, { method, headers, purpose: `mobile ${what}` });
      for (const c of ([] as string[]).concat(r.headers["set-cookie"] ?? [])) {
        const [pair] = c.split(";");
        const [k, v] = (pair ?? "").split("=");
        if (k && v !== undefined) this.cookies.set(k.trim(), v.trim());
      }
      const ok = r.status >= 200 && r.status < 300;
      let reason = "";
      if (!ok) try { reason = JSON.parse(r.body).reason ?? ""; } catch { reason = r.body.slice(0, 200); }
      steps.push({ what, url, ok, status: r.status, ...(ok ? {} : { error: reason }), rules: ok ? [] : (safeRules(r.body)) });
      return ok ? r : undefined;
    } catch (err) {
      steps.push({ what, url, ok: false, ...explain(err) });
      return undefined;
    }
  }

  /** The whole flow: autodiscover, the user's links, then a UCWA application created and read back. */
  async signIn(): Promise<MobileResult> {
    const steps: MobileStep[] = [];
    const domain = this.o.user.split("@")[1]!;
    let root: HttpResult | undefined;
    for (const name of [`lyncdiscoverinternal.${domain}`, `lyncdiscover.${domain}`]) {
      try {
        await this.o.resolver.resolveA(name);
      } catch (err) {
        steps.push({ what: `resolve ${name}`, ok: false, ...explain(err) });
        continue;
      }
      for (const scheme of this.o.schemes ?? ["https", "http"]) {
        root = await this.call(steps, `autodiscover root over ${scheme.toUpperCase()}`, `${scheme}://${name}:${this.o.ports[scheme]}/Autodiscover/AutodiscoverService.svc/root?originalDomain=${domain}`);
        if (root) break;
      }
      if (root) break;
    }
    if (!root) return { steps, ok: false };
    const userHref = (JSON.parse(root.body) as { _links: { user: { href: string } } })._links.user.href;
    const user = await this.call(steps, "autodiscover user", userHref);
    if (!user) return { steps, ok: false };
    const answer = JSON.parse(user.body) as { AccessLocation: string; _links: Record<string, { href: string }> };
    const result: MobileResult = { steps, accessLocation: answer.AccessLocation, links: answer._links, ok: false };
    const ucwa = answer._links[answer.AccessLocation === "Internal" ? "internal/ucwa" : "external/ucwa"]!.href;
    const created = await this.call(steps, "create UCWA application", ucwa, "POST");
    if (!created) return result;
    const app = JSON.parse(created.body) as { id: string; server: string; _links: { self: { href: string } } };
    const self = new URL(app._links.self.href, ucwa).toString();
    let reread = 0;
    for (let i = 0; i < 3; i++) if (await this.call(steps, "read UCWA application", self)) reread++;
    result.ucwa = { application: app.id, server: app.server, reread };
    result.ok = reread === 3;
    return result;
  }
}

function safeRules(body: string): string[] {
  try {
    const r = (JSON.parse(body) as { rules?: unknown }).rules;
    return Array.isArray(r) ? r.map(String) : [];
  } catch {
    return [];
  }
}
