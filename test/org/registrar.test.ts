/**
 * RFC 3261 10.3: the front end's registrar for remote users. Table-driven on the
 * expiry a REGISTER asks for, then the binding's life with an injected clock.
 */
import { describe, expect, it } from "vitest";
import type { SipConnection } from "../../edge/roles/access-edge/index.ts";
import { DEFAULT_EXPIRES_S, MAX_EXPIRES_S, Registrar, requestedExpiry } from "../../harness/org/frontend/registrar.ts";

describe("RFC 3261 10.2.1.1: the expiry a REGISTER asks for", () => {
  const cases = [
    { name: "the Contact's expires parameter wins over the Expires header", contacts: ["<sip:a@1.2.3.4>;expires=60"], expires: "600", want: 60 },
    { name: "the Expires header when the Contact has none", contacts: ["<sip:a@1.2.3.4>"], expires: "600", want: 600 },
    { name: "neither: the registrar's default", contacts: ["<sip:a@1.2.3.4>"], expires: undefined, want: DEFAULT_EXPIRES_S },
    { name: "too long: shortened to the registrar's maximum", contacts: ["<sip:a@1.2.3.4>"], expires: "999999", want: MAX_EXPIRES_S },
    { name: "a value that is not a number: the default", contacts: ["<sip:a@1.2.3.4>"], expires: "soon", want: DEFAULT_EXPIRES_S },
    { name: "Contact: * with Expires: 0 (remove all)", contacts: ["*"], expires: "0", want: 0 },
  ];
  it.each(cases)("$name", (c) => expect(requestedExpiry({ contacts: c.contacts, expiresHeader: c.expires })).toBe(c.want));
});

describe("RFC 3261 10.3: a binding's life", () => {
  const conn = {} as SipConnection;
  const where = { pathFqdn: "edge1.contoso.test", port: 5061, conn };
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (s: number) => (t += s * 1000) };
  };

  it("RFC 3261 10.3: a binding lives for the granted time and is gone after it", () => {
    const c = clock();
    const r = new Registrar(c.now);
    expect(r.register("alice@contoso.test", where, { contacts: ["<sip:alice@h>"], expiresHeader: "60" })).toBe(60);
    c.advance(59);
    expect(r.lookup("alice@contoso.test")?.pathFqdn).toBe("edge1.contoso.test");
    c.advance(1);
    expect(r.has("alice@contoso.test")).toBe(false);
  });

  it("RFC 3261 10.2.2: REGISTER with Expires 0 removes the binding at once", () => {
    const r = new Registrar(clock().now);
    r.register("alice@contoso.test", where, { contacts: ["<sip:alice@h>"] });
    expect(r.register("alice@contoso.test", where, { contacts: ["<sip:alice@h>"], expiresHeader: "0" })).toBe(0);
    expect(r.has("alice@contoso.test")).toBe(false);
  });

  it("RFC 3261 10.2.4: a refresh extends the binding", () => {
    const c = clock();
    const r = new Registrar(c.now);
    r.register("alice@contoso.test", where, { contacts: ["<sip:alice@h>"], expiresHeader: "60" });
    c.advance(50);
    r.register("alice@contoso.test", where, { contacts: ["<sip:alice@h>"], expiresHeader: "60" });
    c.advance(50);
    expect(r.has("alice@contoso.test")).toBe(true);
  });
});
